"""Privacy writes: erasure of a person (Art. 17) and the retention purge.

Erasure runs inside the request, command or admin action that asks for it, in one transaction, instead of as a
background job: a job would have to write the values to erase into its queued row, which is exactly what must
not be stored. It is one query per table (see `sweep.py`); `benchmarks/privacy.py` measures it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from prospecting.core.events import prospects_changed_announce
from prospecting.core.jobs import JobContext, job_start
from prospecting.core.models import ActivityLog, ScanJob, Suppression
from prospecting.core.services import activity_log_record
from prospecting.core.suppression import SuppressionValueError, suppression_add, suppression_normalize
from prospecting.discovery.models import RawRecord
from prospecting.outreach.models import CampaignSend
from prospecting.privacy.models import PrivacyRequest
from prospecting.privacy.selectors import (
    CSV_HEADER,
    Subject,
    contacts_of,
    linked_scopes,
    person_data,
    person_data_csv_rows,
    retention_candidates,
    subject_terms,
)
from prospecting.privacy.sweep import rows_redact, text_term
from prospecting.prospects.models import ImportRow, Prospect, ProspectContact

User = AbstractBaseUser | AnonymousUser | None
Kind = Suppression.Kind
# Labels the contact scrape gives phone numbers: not a person's name.
_NOT_NAMES = {"mobile", "fixed", "fax", "voip", "toll_free", "unknown", "gsm", "sales", "office"}
PURGE_CHUNK = 500


def subject_normalize(
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    domains: Iterable[str] = (),
    names: Iterable[str] = (),
    region: str = "LU",
) -> Subject:
    """Read the values asked about (ValidationError naming the field of a value that cannot be read)."""
    subject = Subject()
    errors: dict[str, list[str]] = {}
    for name, kind, values, target in (
        ("emails", Kind.EMAIL, emails, subject.emails),
        ("phones", Kind.PHONE, phones, subject.phones),
        ("domains", Kind.DOMAIN, domains, subject.domains),
    ):
        for value in values:
            if not (value or "").strip():
                continue
            try:
                normalized = suppression_normalize(kind, value, region=region)
            except SuppressionValueError as exc:
                errors.setdefault(name, []).append(str(exc))
                continue
            if normalized not in target:
                target.append(normalized)
    subject.names = sorted({name.strip() for name in names if len((name or "").strip()) >= 3})
    if errors:
        raise ValidationError(errors)
    if not subject:
        raise ValidationError({"emails": [_("Give at least one e-mail address, phone number or domain.")]})
    return subject


def _names_from_labels(labels: Iterable[str]) -> set[str]:
    names = set()
    for label in labels:
        first = (label or "").split(",")[0].strip()
        if len(first) >= 3 and first.lower() not in _NOT_NAMES and any(ch.isalpha() for ch in first):
            names.add(first)
    return names


def _domain_prospects(domains: list[str]) -> list[int]:
    if not domains:
        return []
    condition = Q()
    for domain in domains:
        condition |= Q(domain_name=domain) | Q(domain_name__endswith="." + domain)
    return list(Prospect.objects.filter(condition).values_list("pk", flat=True))


def prospects_purge(*, prospect_ids: list[int]) -> dict[str, int]:
    """Delete these prospects with everything attached, and blank what outlives them: their import lines'
    payloads, their discovery records, the text of their activity entries (the entries stay, as counts)."""
    counts = {
        "prospects.ImportRow": ImportRow.objects.filter(prospect_id__in=prospect_ids).update(
            raw_payload={}, data_hash="", prospect=None
        ),
        "discovery.RawRecord": RawRecord.objects.filter(prospect_id__in=prospect_ids).update(
            payload={}, fields={}, name="", external_id="", source_url="", prospect=None
        ),
        "core.ActivityLog": ActivityLog.objects.filter(prospect_id__in=prospect_ids).update(
            description="", metadata={}
        ),
    }
    _, deleted = Prospect.objects.filter(pk__in=prospect_ids).delete()
    for label, number in deleted.items():
        counts[label] = counts.get(label, 0) + number
    return {label: number for label, number in counts.items() if number}


def person_erase(
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    domains: Iterable[str] = (),
    names: Iterable[str] = (),
    reference: str = "",
    user: User = None,
    region: str = "LU",
) -> PrivacyRequest:
    """Remove a person's data from every table and keep them out (GDPR Art. 17).

    Their contacts are deleted; the messages sent to them lose recipient and rendered text; every text and JSON
    column of every table is cleaned of their e-mails and phones (import lines, discovery payloads, notes,
    interactions, activity); their name (given, or the label of their contacts) is cleaned from the rows of the
    prospects they were a contact of. A domain, when asked for, deletes the prospects on it. Each e-mail,
    phone and domain goes on the suppression list as a salted hash. The request is recorded without any of
    these values. Safe to repeat.
    """
    subject = subject_normalize(emails=emails, phones=phones, domains=domains, names=names, region=region)
    counts: dict[str, int] = {}

    def add(more: dict[str, int]) -> None:
        for label, number in more.items():
            counts[label] = counts.get(label, 0) + number

    with transaction.atomic():
        for kind, values in (
            (Kind.EMAIL, subject.emails),
            (Kind.PHONE, subject.phones),
            (Kind.DOMAIN, subject.domains),
        ):
            for value in values:
                suppression_add(kind=kind, value=value, reason=Suppression.Reason.ERASED, origin="erasure")
        contacts = list(contacts_of(subject).values_list("pk", "prospect_id", "label"))
        linked = {prospect_id for _, prospect_id, _ in contacts}
        sends = CampaignSend.objects.filter(recipient__in=subject.emails)
        linked |= set(sends.values_list("prospect_id", flat=True))
        add({"outreach.CampaignSend": sends.update(recipient="", rendered_subject="", rendered_body="", links=[])})
        names = set(subject.names) | _names_from_labels(label for _, _, label in contacts)
        add({"prospects.ProspectContact": ProspectContact.objects.filter(pk__in=[c[0] for c in contacts]).delete()[0]})
        on_domains = _domain_prospects(subject.domains)
        linked -= set(on_domains)
        add(prospects_purge(prospect_ids=on_domains))
        add(rows_redact(subject_terms(subject)))
        if names and linked:
            add(rows_redact([text_term(name) for name in sorted(names)], scopes=linked_scopes(sorted(linked))))
        request = PrivacyRequest.objects.create(
            kind=PrivacyRequest.Kind.ERASURE,
            counts={
                "rows": {label: number for label, number in sorted(counts.items()) if number},
                "suppressed": len(subject.emails) + len(subject.phones) + len(subject.domains),
            },
            reference=reference[:100],
            created_by=user if user is not None and user.is_authenticated else None,
        )
        total = sum(counts.values())
        activity_log_record(
            entity=request,
            action="person_erased",
            actor=user,
            description=f"Erasure #{request.pk}: {total} rows changed or deleted, "
            f"{request.counts['suppressed']} values put on the suppression list",
            metadata=request.counts,
        )
        remaining = list(Prospect.objects.filter(pk__in=linked).values_list("pk", flat=True))
        if remaining:
            prospects_changed_announce(prospect_ids=remaining)
    return request


# --- retention --------------------------------------------------------------------------------------------


def retention_cutoff(*, months: int, now: datetime.datetime | None = None) -> datetime.datetime:
    """The creation time before which an untouched prospect is past retention (`months` calendar months)."""
    now = now or timezone.now()
    month_index = now.year * 12 + (now.month - 1) - months
    year, month = divmod(month_index, 12)
    day = min(now.day, 28)
    return now.replace(year=year, month=month + 1, day=day)


def retention_start(
    *, dry_run: bool | None = None, user: User = None, foreground: bool = False, months: int | None = None
) -> ScanJob:
    """Report (dry run) or purge the prospects past retention, as a job. The schedule, the command, the admin
    and the API start it here; a dry run unless asked otherwise or PRIVACY_RETENTION_PURGE is on."""
    months = settings.PRIVACY_RETENTION_MONTHS if months is None else months
    if not months or months < 1:
        raise ValidationError({"months": [_("Retention is off: set PRIVACY_RETENTION_MONTHS (e.g. 24).")]})
    if dry_run is None:
        dry_run = not settings.PRIVACY_RETENTION_PURGE
    cutoff = retention_cutoff(months=months)
    return job_start(
        job_type=ScanJob.JobType.RETENTION,
        task=retention_job,
        params={"dry_run": dry_run, "months": months, "cutoff": cutoff.isoformat()},
        user=user,
        foreground=foreground,
    )


def retention_job(job: JobContext) -> None:
    """Count (dry run) or purge, 500 prospects a transaction; each chunk checks the rule again as it deletes,
    so a prospect contacted meanwhile stays. A resumed purge goes on with what is left."""
    cutoff = datetime.datetime.fromisoformat(job.params["cutoff"])
    candidates = retention_candidates(cutoff=cutoff)
    total = candidates.count()
    when = f"created before {cutoff:%Y-%m-%d}, never contacted, not converted"
    if job.params["dry_run"]:
        job.set_total(total)
        job.set_counts(processed=total)
        job.add_outcomes({"would_purge": total})
        activity_log_record(
            entity=job.job,
            action="retention_dry_run",
            actor=job.job.created_by,
            description=f"Retention dry run: {total} prospects ({when}) would be purged",
            metadata={"would_purge": total, "cutoff": job.params["cutoff"]},
        )
        return
    done = job.params.get("purged", 0)
    job.set_total(done + total)
    job.set_counts(processed=done)
    last_pk = 0
    while True:
        job.raise_if_cancelled()
        ids = list(candidates.filter(pk__gt=last_pk).values_list("pk", flat=True)[:PURGE_CHUNK])
        if not ids:
            break
        last_pk = ids[-1]
        with transaction.atomic():
            still = list(retention_candidates(cutoff=cutoff).filter(pk__in=ids).values_list("pk", flat=True))
            prospects_purge(prospect_ids=still)
            done += len(still)
            job.update_params(purged=done)
            job.add_outcomes({"purged": len(still)})
        job.advance(processed=len(ids))
    activity_log_record(
        entity=job.job,
        action="retention_purged",
        actor=job.job.created_by,
        description=f"Retention: {done} prospects ({when}) purged with their personal data",
        metadata={"purged": done, "cutoff": job.params["cutoff"]},
    )


# --- access export ----------------------------------------------------------------------------------------


@dataclass
class AccessExport:
    data: dict[str, Any]
    request: PrivacyRequest

    @property
    def csv_header(self) -> list[str]:
        return CSV_HEADER

    @property
    def csv_rows(self) -> Iterator[list[str]]:
        rows = person_data_csv_rows(self.data)
        next(rows)  # the header
        return rows


def person_access_export(*, subject: Subject, user: User = None) -> AccessExport:
    """Gather everything held on a person (GDPR Art. 15) and record that it was exported (the register keeps
    how many rows of which tables, never the person's values)."""
    data = person_data(subject=subject)
    rows = {label: len(items) for label, items in data["records"].items()}
    rows["prospects.Prospect"] = rows.get("prospects.Prospect", 0) + len(data["prospects"])
    rows["prospects.ProspectContact"] = len(data["contacts"])
    with transaction.atomic():
        request = PrivacyRequest.objects.create(
            kind=PrivacyRequest.Kind.ACCESS,
            counts={"rows": {label: number for label, number in sorted(rows.items()) if number}},
            created_by=user if user is not None and user.is_authenticated else None,
        )
        activity_log_record(
            entity=request,
            action="person_exported",
            actor=user,
            description=f"Access export #{request.pk}: {sum(rows.values())} rows",
            metadata=request.counts,
        )
    data["request_id"] = request.pk
    return AccessExport(data=data, request=request)
