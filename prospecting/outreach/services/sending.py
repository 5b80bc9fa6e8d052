"""Sending a template to prospects: one `CampaignSend` row per (template, prospect), then a background job.

The job never sends a message twice:

* the database allows one row per (template or sequence step, prospect);
* a row is claimed (queued → sending) in one conditional UPDATE, so two runners never both take it;
* a row still *sending* when a job starts again was in flight when its worker died: its outcome is unknown,
  so it is put under review, never re-sent blindly;
* a message an account could not take (connection refused, temporary refusal) was not sent: it goes back to
  the queue for the next account (failover), or waits.

Outside every account's sending window or over their caps, messages wait (`not_before`); the outreach
schedule hands them to a new job when they are due.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from prospecting.core.jobs import JobContext, job_create, job_resume, job_run
from prospecting.core.models import ScanJob
from prospecting.core.quotas import quota_consume
from prospecting.interactions.services import interactions_log_bulk
from prospecting.outreach.models import CampaignSend, CampaignTemplate, SenderAccount
from prospecting.outreach.rendering import TemplateError
from prospecting.outreach.selectors import (
    Recipient,
    custom_variable_values,
    do_not_contact_among,
    recipients_load,
)
from prospecting.outreach.services.accounts import Slot, account_connection, sending_slots
from prospecting.outreach.services.templates import Composed, message_compose, message_id_domain, skip_reason_for
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospects_visible_to
from prospecting.prospects.services.status import prospects_mark_contacted
from prospecting.scoring.filters import LeadFilter

logger = logging.getLogger(__name__)
User = AbstractBaseUser | AnonymousUser | None
Status = CampaignSend.Status
_DONE = [Status.SENT, Status.FAILED, Status.SKIPPED, Status.REVIEW]
_REQUEUEABLE = [Status.FAILED, Status.SKIPPED]
PLAN_CHUNK = 2000


# --- who gets the message ------------------------------------------------------------------------------------


def campaign_targets(
    *, prospect_ids: list[int] | None = None, lead_filter: dict | None = None, user: User = None
) -> QuerySet[Prospect]:
    """The prospects of a send: explicit ids, or the leads list's filter (ValueError when it is invalid); with a
    user, only the prospects that user may see (roles)."""
    base = prospects_visible_to(user) if user is not None else Prospect.objects.all()
    if prospect_ids is not None:
        return base.filter(pk__in=prospect_ids)
    filterset = LeadFilter(lead_filter or {}, queryset=base.filter(score__isnull=False))
    if not filterset.is_valid():
        raise ValueError(f"Invalid lead filter: {dict(filterset.errors)}")
    return filterset.qs


@dataclass
class PlannedRow:
    prospect_id: int
    name: str
    recipient: str
    outcome: str  # "send", "already_sent" or a skip reason
    existing_id: int | None = None


def _plan_chunk(template: CampaignTemplate, ids: list[int]) -> list[PlannedRow]:
    recipients = recipients_load(ids)
    dnc = do_not_contact_among(r.email for r in recipients.values())
    existing = {
        prospect_id: (pk, status)
        for prospect_id, pk, status in CampaignSend.objects.filter(
            template=template, step__isnull=True, prospect_id__in=ids
        ).values_list("prospect_id", "pk", "status")
    }
    planned = []
    for prospect_id in ids:
        recipient = recipients.get(prospect_id)
        if recipient is None:
            continue  # deleted meanwhile
        pk, status = existing.get(prospect_id, (None, None))
        if pk is not None and status not in _REQUEUEABLE:
            outcome = "already_sent"
        else:
            outcome = skip_reason_for(recipient, channel=template.channel, do_not_contact=dnc) or "send"
        address = recipient.email if template.channel == CampaignTemplate.Channel.EMAIL else _postal(recipient)
        planned.append(
            PlannedRow(prospect_id, recipient.business_name or recipient.domain, address, outcome, existing_id=pk)
        )
    return planned


def _postal(recipient: Recipient) -> str:
    return ", ".join(part for part in [recipient.address, recipient.postal_code, recipient.city] if part)


def campaign_plan_rows(*, template: CampaignTemplate, targets: QuerySet[Prospect]) -> Iterator[PlannedRow]:
    """What sending would do to each target (in chunks, by id): send, already sent, or why it is skipped.

    Each chunk is read by a query that completes before the caller writes (keyset pagination, no open
    cursor): on SQLite a write from a connection whose read started before another writer's commit fails."""
    last = 0
    while True:
        ids = list(targets.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:PLAN_CHUNK])
        if not ids:
            return
        yield from _plan_chunk(template, ids)
        last = ids[-1]


@dataclass
class SendPlan:
    """Counts of a send (or of its dry run), and its job once queued."""

    to_send: int = 0
    already_sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    job: ScanJob | None = None

    @property
    def total(self) -> int:
        return self.to_send + self.already_sent + sum(self.skipped.values())


def campaign_plan(*, template: CampaignTemplate, targets: QuerySet[Prospect]) -> SendPlan:
    """How many would be sent, were already sent, and are skipped for which reason (nothing written)."""
    plan = SendPlan()
    for row in campaign_plan_rows(template=template, targets=targets):
        _count(plan, row.outcome)
    return plan


def _count(plan: SendPlan, outcome: str) -> None:
    if outcome == "send":
        plan.to_send += 1
    elif outcome == "already_sent":
        plan.already_sent += 1
    else:
        plan.skipped[outcome] = plan.skipped.get(outcome, 0) + 1


class TemplateNotSendable(ValueError):
    pass


def _sends_record(
    *, template: CampaignTemplate, planned: list[PlannedRow], job: ScanJob, user: User, plan: SendPlan
) -> None:
    """Create (or requeue, for earlier failed or skipped ones) the rows of one chunk for this job."""
    author = user if user is not None and user.is_authenticated else None
    new, requeue = [], defaultdict(list)
    for row in planned:
        _count(plan, row.outcome)
        if row.outcome == "already_sent":
            continue
        status, reason = (Status.QUEUED, "") if row.outcome == "send" else (Status.SKIPPED, row.outcome)
        if row.existing_id is not None:
            requeue[(status, reason, row.recipient)].append(row.existing_id)
            continue
        new.append(
            CampaignSend(
                template=template,
                prospect_id=row.prospect_id,
                channel=template.channel,
                recipient=row.recipient[:255],
                status=status,
                skip_reason=reason,
                job=job,
                sent_by=author,
            )
        )
    CampaignSend.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    for (status, reason, recipient), ids in requeue.items():
        CampaignSend.objects.filter(pk__in=ids, status__in=_REQUEUEABLE).update(
            status=status,
            skip_reason=reason,
            recipient=recipient[:255],
            job=job,
            error="",
            not_before=None,
            wait_reason="",
            claim_token="",
            message_id="",
            claimed_at=None,
            sender_account=None,
            sent_by=author,
        )


def campaign_send(
    *,
    template: CampaignTemplate,
    prospect_ids: list[int] | None = None,
    lead_filter: dict | None = None,
    user: User = None,
    foreground: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> SendPlan:
    """Queue `template` for these prospects (ids or a lead filter) and start the job that sends it.

    Returns the counts (to send, already sent, skipped by reason) and the job. Safe to repeat: a prospect that
    already has this template (queued, sent, under review) is counted, not queued again. Up to
    OUTREACH_INLINE_PLAN_MAX prospects the rows are written here and the counts are exact; for more, the job
    writes them first (a request never loops over a million prospects) and records the counts in its params.
    """
    if not template.is_active:
        raise TemplateNotSendable(f"Template “{template.name}” is inactive.")
    if template.channel != CampaignTemplate.Channel.EMAIL:
        raise TemplateNotSendable(f"Template “{template.name}” is a letter: print it as letters instead.")
    targets = campaign_targets(prospect_ids=prospect_ids, lead_filter=lead_filter, user=user)
    inline = foreground or targets[: settings.OUTREACH_INLINE_PLAN_MAX + 1].count() <= settings.OUTREACH_INLINE_PLAN_MAX
    plan = SendPlan()
    with transaction.atomic():
        params: dict[str, Any] = {"template_id": template.pk}
        if not inline:
            params["plan"] = (
                {"prospect_ids": prospect_ids} if prospect_ids is not None else {"filter": lead_filter or {}}
            )
        job = job_create(job_type=ScanJob.JobType.CAMPAIGN_SEND, task=campaign_send_job, params=params, user=user)
        if inline:
            _campaign_plan_write(template=template, targets=targets, job=job, user=user, plan=plan)
            quota_consume(user=user, kind="emails", amount=job.total_items)  # over quota: nothing is queued
        else:  # the job writes the rows: count one e-mail per prospect aimed at
            quota_consume(user=user, kind="emails", amount=targets.count())
    if foreground:
        job_run(job_id=job.pk, on_progress=on_progress)
    else:
        job_resume(job=job)
    job.refresh_from_db()
    plan.job = job
    return plan


def _campaign_plan_write(
    *, template: CampaignTemplate, targets: QuerySet[Prospect], job: ScanJob, user: User, plan: SendPlan
) -> None:
    """Write the rows of a send for its job (safe to run again: existing rows are counted, not doubled)."""
    for row_chunk in _chunks(campaign_plan_rows(template=template, targets=targets), PLAN_CHUNK):
        with transaction.atomic():
            _sends_record(template=template, planned=row_chunk, job=job, user=user, plan=plan)
    total = CampaignSend.objects.filter(job=job).count()
    params = {**job.params, "skipped": plan.skipped, "already_sent": plan.already_sent, "planned": True}
    ScanJob.objects.filter(pk=job.pk).update(total_items=total, params=params)
    job.params, job.total_items = params, total


def _chunks(rows: Iterator[PlannedRow], size: int) -> Iterator[list[PlannedRow]]:
    chunk: list[PlannedRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def sends_start(*, send_ids: list[int], user: User = None, foreground: bool = False) -> ScanJob:
    """A job for queued rows that exist already (due waiting messages, sequence steps); `foreground` runs it
    here (commands), else the workers do."""
    with transaction.atomic():
        job = job_create(job_type=ScanJob.JobType.CAMPAIGN_SEND, task=campaign_send_job, params={}, user=user)
        moved = CampaignSend.objects.filter(pk__in=send_ids, status=Status.QUEUED).update(job=job)
        ScanJob.objects.filter(pk=job.pk).update(total_items=moved)
    if foreground:
        job_run(job_id=job.pk)
    else:
        job_resume(job=job)
    job.refresh_from_db()
    return job


# --- the job ---------------------------------------------------------------------------------------------------


def _sends_mark_review(job_id: int) -> int:
    """Rows left *sending* by a dead run: their message may or may not have gone; a person decides."""
    return CampaignSend.objects.filter(job_id=job_id, status=Status.SENDING).update(
        status=Status.REVIEW,
        error="Outcome unknown: the worker stopped while sending. Check the mailbox before sending it again.",
    )


def _job_counts(job: JobContext) -> None:
    rows = CampaignSend.objects.filter(job_id=job.job_id)
    done = rows.filter(status__in=_DONE).count()
    failed = rows.filter(status__in=[Status.FAILED, Status.REVIEW]).count()
    job.set_counts(processed=done, failed=failed)


@dataclass
class _Outcome:
    send_id: int
    kind: str  # sent, failed, review, retry
    composed: Composed | None = None
    error: str = ""
    at: datetime.datetime | None = None


@dataclass
class _Claimed:
    send_id: int
    prospect_id: int
    template_id: int
    recipient: Recipient
    message_id: str
    enrolment_id: int | None


def _classify(exc: BaseException) -> str:
    """failed: the server refused this message; retry: the account could not take it (try another);
    review: it may have gone out."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "failed"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "retry"
    if isinstance(exc, smtplib.SMTPDataError):
        return "retry" if 400 <= exc.smtp_code < 500 else "failed"
    if isinstance(exc, (smtplib.SMTPConnectError, smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError)):
        return "retry"
    return "review"


def _send_batch(
    account: SenderAccount | None,
    rows: list[_Claimed],
    templates: dict[int, CampaignTemplate],
    variables: dict[str, str],
) -> list[_Outcome]:
    """Send rows through one connection of `account` (runs in a thread: no database here)."""
    outcomes: list[_Outcome] = []
    connection = account_connection(account)
    try:
        connection.open()
    except Exception as exc:  # the account is unreachable: nothing was sent
        logger.warning("Sender account %s: cannot connect: %s", account, exc)
        return [_Outcome(row.send_id, "retry", error=f"{account or 'EMAIL_*'}: {exc}") for row in rows]
    try:
        for position, row in enumerate(rows):
            template = templates[row.template_id]
            try:
                composed = message_compose(
                    template=template,
                    recipient=row.recipient,
                    send_id=row.send_id,
                    message_id=row.message_id,
                    account=account,
                    variables=variables,
                )
            except TemplateError as exc:  # e.g. a custom variable deleted since the template was saved
                outcomes.append(_Outcome(row.send_id, "failed", error=f"Template cannot be rendered: {exc}"))
                continue
            message = EmailMultiAlternatives(
                composed.subject,
                composed.body,
                composed.from_email,
                [composed.recipient],
                headers=composed.headers,
                connection=connection,
            )
            if composed.html:
                message.attach_alternative(composed.html, "text/html")
            message.metadata = {"prospecting_send_id": row.send_id}  # echoed by ESPs' tracking (django-anymail)
            try:
                connection.send_messages([message])
            except Exception as exc:
                kind = _classify(exc)
                outcomes.append(_Outcome(row.send_id, kind, error=f"{type(exc).__name__}: {exc}"[:2000]))
                if kind == "failed":
                    continue
                # The account is in trouble: the rest of this batch was not sent; another account may take it.
                outcomes.extend(_Outcome(rest.send_id, "retry", error=str(exc)[:2000]) for rest in rows[position + 1 :])
                break
            outcomes.append(_Outcome(row.send_id, "sent", composed=composed, at=timezone.now()))
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection may fail too; nothing to do about it
            logger.debug("closing the connection failed", exc_info=True)
    return outcomes


def _split(rows: list[_Claimed], parts: int) -> list[list[_Claimed]]:
    parts = max(1, min(parts, (len(rows) + 24) // 25))
    return [rows[index::parts] for index in range(parts)]


class _Run:
    """One run of a send job: claims chunks, sends them through the accounts, records the outcomes."""

    def __init__(self, job: JobContext) -> None:
        self.job = job
        self.token = uuid.uuid4().hex[:16]
        self.failing: set[int | None] = set()  # accounts that failed during this run
        self.user_id = ScanJob.objects.filter(pk=job.job_id).values_list("created_by_id", flat=True).first()
        self.variables = custom_variable_values()
        self.templates: dict[int, CampaignTemplate] = {}

    def due(self, now: datetime.datetime) -> list[int]:
        queued = CampaignSend.objects.filter(job_id=self.job.job_id, status=Status.QUEUED).filter(
            Q(not_before__isnull=True) | Q(not_before__lte=now)
        )
        return list(queued.order_by("pk").values_list("pk", flat=True)[: settings.OUTREACH_CHUNK_SIZE])

    def slots(self, now: datetime.datetime) -> tuple[list[Slot], datetime.datetime | None]:
        slots, again = sending_slots(now)
        usable = [slot for slot in slots if (slot.account.pk if slot.account else None) not in self.failing]
        return usable, again

    def wait(self, until: datetime.datetime | None, reason: str) -> None:
        retry = timezone.now() + datetime.timedelta(minutes=settings.OUTREACH_RETRY_MINUTES)
        CampaignSend.objects.filter(job_id=self.job.job_id, status=Status.QUEUED).filter(
            Q(not_before__isnull=True) | Q(not_before__lt=until or retry)
        ).update(not_before=until or retry, wait_reason=reason[:255])

    def chunk(self, ids: list[int], now: datetime.datetime) -> bool:
        """Send one chunk; False when nothing may be sent now (the rest waits)."""
        rows = list(
            CampaignSend.objects.filter(pk__in=ids, status=Status.QUEUED).values_list(
                "pk", "prospect_id", "template_id", "recipient", "channel", "enrolment_id"
            )
        )
        recipients = recipients_load({row[1] for row in rows})
        dnc = do_not_contact_among([row[3] for row in rows])
        skips: dict[str, list[int]] = defaultdict(list)
        sendable = []
        for pk, prospect_id, template_id, address, channel, enrolment_id in rows:
            recipient = recipients.get(prospect_id)
            if recipient is not None and address:
                recipient.email = address
            reason = skip_reason_for(recipient, channel=channel, do_not_contact=dnc)
            if reason:
                skips[reason].append(pk)
            else:
                sendable.append((pk, prospect_id, template_id, recipient, enrolment_id))
        for reason, skipped in skips.items():
            CampaignSend.objects.filter(pk__in=skipped, status=Status.QUEUED).update(
                status=Status.SKIPPED, skip_reason=reason
            )
            self.job.advance(processed=len(skipped))
        if not sendable:
            return True
        slots, again = self.slots(now)
        if not slots:
            self.wait(again, "No sender account may send now (sending window or caps).")
            return False
        claimed = self.claim(sendable, slots, now)
        self.send(claimed)
        return True

    def claim(self, sendable: list, slots: list[Slot], now: datetime.datetime) -> list[tuple[Slot, list[_Claimed]]]:
        groups: list[tuple[Slot, list[_Claimed]]] = []
        position = 0
        domain = message_id_domain()
        for slot in slots:
            take = sendable[position : position + slot.capacity]
            position += len(take)
            if not take:
                break
            by_id = {row[0]: row for row in take}
            with transaction.atomic():
                CampaignSend.objects.filter(pk__in=list(by_id), status=Status.QUEUED).update(
                    status=Status.SENDING,
                    claim_token=self.token,
                    claimed_at=now,
                    sender_account=slot.account,
                    not_before=None,
                    wait_reason="",
                    message_id=Concat(
                        Value("<"), Cast("pk", CharField()), Value(f".{self.token}@{domain}>"), output_field=CharField()
                    ),
                )
            mine = CampaignSend.objects.filter(
                pk__in=list(by_id), status=Status.SENDING, claim_token=self.token
            ).values_list("pk", "message_id")
            groups.append((slot, [_Claimed(pk, *by_id[pk][1:4], message_id, by_id[pk][4]) for pk, message_id in mine]))
        return groups

    def send(self, groups: list[tuple[Slot, list[_Claimed]]]) -> None:
        template_ids = {row.template_id for _, rows in groups for row in rows} - set(self.templates)
        self.templates.update(CampaignTemplate.objects.in_bulk(template_ids))
        futures = []
        with ThreadPoolExecutor(max_workers=max(1, settings.OUTREACH_SEND_CONNECTIONS)) as pool:
            for slot, rows in groups:
                for part in _split(rows, settings.OUTREACH_SEND_CONNECTIONS):
                    futures.append((slot, pool.submit(_send_batch, slot.account, part, self.templates, self.variables)))
        claimed = {row.send_id: row for _, rows in groups for row in rows}
        outcomes: list[_Outcome] = []
        for slot, future in futures:
            results = future.result()
            if any(outcome.kind in {"retry", "review"} for outcome in results):
                self.failing.add(slot.account.pk if slot.account else None)
            outcomes.extend(results)
        self.record(outcomes, claimed)

    def record(self, outcomes: list[_Outcome], claimed: dict[int, _Claimed]) -> None:
        by_kind: dict[str, list[_Outcome]] = defaultdict(list)
        for outcome in outcomes:
            by_kind[outcome.kind].append(outcome)
        sent = by_kind["sent"]
        with transaction.atomic():
            if sent:
                _sent_rows_write(sent)
            for kind, status in (("failed", Status.FAILED), ("review", Status.REVIEW)):
                for outcome in by_kind[kind]:
                    CampaignSend.objects.filter(pk=outcome.send_id, status=Status.SENDING).update(
                        status=status, error=outcome.error
                    )
            retry_ids = [outcome.send_id for outcome in by_kind["retry"]]
            if retry_ids:
                CampaignSend.objects.filter(pk__in=retry_ids, status=Status.SENDING).update(
                    status=Status.QUEUED,
                    claim_token="",
                    claimed_at=None,
                    message_id="",
                    sender_account=None,
                    error=by_kind["retry"][0].error,
                )
            if sent:
                self.after_sent([claimed[outcome.send_id] for outcome in sent], sent)
        done = len(sent) + len(by_kind["failed"]) + len(by_kind["review"])
        self.job.advance(processed=done, failed=len(by_kind["failed"]) + len(by_kind["review"]))

    def after_sent(self, rows: list[_Claimed], outcomes: list[_Outcome]) -> None:
        """The CRM log and the prospect's status follow each message sent."""
        from django.contrib.auth import get_user_model

        from prospecting.outreach.services.sequences import enrolments_advance

        user = get_user_model().objects.filter(pk=self.user_id).first() if self.user_id else None
        subjects = {outcome.send_id: outcome.composed.subject for outcome in outcomes if outcome.composed}
        interactions_log_bulk(
            entries=[(row.prospect_id, subjects.get(row.send_id, "")) for row in rows],
            interaction_type="email_sent",
            user=user,
        )
        prospects_mark_contacted(
            prospect_ids=[row.prospect_id for row in rows], user=user, reason="campaign e-mail sent"
        )
        notified = {outcome.send_id for outcome in outcomes if outcome.composed and outcome.composed.notice}
        if notified:
            Prospect.objects.filter(
                pk__in=[row.prospect_id for row in rows if row.send_id in notified], informed_at__isnull=True
            ).update(informed_at=min(outcome.at for outcome in outcomes if outcome.send_id in notified))
        enrolments_advance(send_ids=[row.send_id for row in rows if row.enrolment_id])


def _sent_rows_write(sent: list[_Outcome]) -> None:
    """Record sent messages: one parameterised UPDATE run for many rows (executemany). Django's bulk_update
    builds a CASE expression per field and row, which cost more than sending the messages."""
    table = connection.ops.quote_name(CampaignSend._meta.db_table)
    sql = (
        f"UPDATE {table} SET status = %s, sent_at = %s, rendered_subject = %s, rendered_body = %s, links = %s, "  # noqa: S608 - our table name, values are parameters
        "error = '' WHERE id = %s AND status = %s"
    )
    sent_at_field = CampaignSend._meta.get_field("sent_at")
    links_field = CampaignSend._meta.get_field("links")
    rows = []
    for outcome in sent:
        composed = outcome.composed
        assert composed is not None  # noqa: S101 - a sent outcome carries its message
        rows.append(
            (
                Status.SENT.value,
                sent_at_field.get_db_prep_value(outcome.at, connection),
                composed.subject[:500],
                composed.body,
                links_field.get_db_prep_value(composed.links, connection),
                outcome.send_id,
                Status.SENDING.value,
            )
        )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def campaign_send_job(job: JobContext) -> None:
    """The job of a campaign send: writes its rows when the request left that to it, then sends its queued
    rows chunk by chunk until none is due."""
    if job.params.get("plan") and not job.params.get("planned"):
        template = CampaignTemplate.objects.get(pk=job.params["template_id"])
        request = job.params["plan"]
        targets = campaign_targets(prospect_ids=request.get("prospect_ids"), lead_filter=request.get("filter"))
        user = ScanJob.objects.get(pk=job.job_id).created_by
        targets = campaign_targets(
            prospect_ids=request.get("prospect_ids"), lead_filter=request.get("filter"), user=user
        )
        _campaign_plan_write(template=template, targets=targets, job=job.job, user=user, plan=SendPlan())
    _sends_mark_review(job.job_id)
    _job_counts(job)
    run = _Run(job)
    while True:
        job.raise_if_cancelled()
        now = timezone.now()
        ids = run.due(now)
        if not ids or not run.chunk(ids, now):
            break
    waiting = CampaignSend.objects.filter(job_id=job.job_id, status=Status.QUEUED).count()
    if waiting:
        job.update_params(waiting=waiting)


def sends_due() -> list[int]:
    """Queued messages whose wait is over and whose job is no longer running (for the outreach schedule)."""
    now = timezone.now()
    alive = [ScanJob.Status.PENDING, ScanJob.Status.RUNNING]
    return list(
        CampaignSend.objects.filter(status=Status.QUEUED, not_before__lte=now)
        .exclude(job__status__in=alive)
        .values_list("pk", flat=True)[:100_000]
    )


def send_retry(*, send: CampaignSend, user: User = None) -> ScanJob:
    """Send again a message under review or failed, once a person checked it did not arrive."""
    if send.status not in {Status.REVIEW, Status.FAILED}:
        raise ValueError("Only a failed message or one under review can be sent again.")
    CampaignSend.objects.filter(pk=send.pk, status=send.status).update(
        status=Status.QUEUED, claim_token="", message_id="", claimed_at=None, error="", sender_account=None
    )
    return sends_start(send_ids=[send.pk], user=user)


def plan_summary(plan: SendPlan) -> dict[str, Any]:
    return {
        "to_send": plan.to_send,
        "already_sent": plan.already_sent,
        "skipped": plan.skipped,
        "total": plan.total,
    }
