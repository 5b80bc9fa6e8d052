"""Sequences: enrolling prospects, sending each step when due, and leaving on reply, unsubscribe, bounce,
conversion or by hand. `outreach_tick` (the django-q2 schedule and `manage.py run_sequences`) does what is due."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from prospecting.core.models import Suppression
from prospecting.interactions.models import Interaction
from prospecting.outreach.models import (
    CampaignSend,
    Sequence,
    SequenceEnrolment,
    SequenceStep,
)
from prospecting.prospects.models import Prospect, ProspectContact

User = AbstractBaseUser | AnonymousUser | None
Enrolment = SequenceEnrolment
ACTIVE = SequenceEnrolment.Status.ACTIVE


def sequence_enrol(*, sequence: Sequence, prospect_ids: list[int], user: User = None) -> int:
    """Enrol prospects (once per sequence); step 1 is due after its delay. Returns how many were new."""
    first = sequence.steps.order_by("position").first()
    if first is None:
        raise ValueError(f"Sequence “{sequence.name}” has no steps yet.")
    if not sequence.is_active:
        raise ValueError(f"Sequence “{sequence.name}” is inactive.")
    due = timezone.now() + datetime.timedelta(days=first.delay_days)
    author = user if user is not None and user.is_authenticated else None
    before = Enrolment.objects.filter(sequence=sequence).count()
    existing = set(
        Enrolment.objects.filter(sequence=sequence, prospect_id__in=prospect_ids).values_list("prospect_id", flat=True)
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(sequence=sequence, prospect_id=pk, next_send_at=due, enrolled_by=author)
            for pk in dict.fromkeys(prospect_ids)
            if pk not in existing
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return Enrolment.objects.filter(sequence=sequence).count() - before


def enrolments_exit(*, prospect_ids: list[int], reason: str) -> int:
    """Take these prospects out of every sequence they are active in."""
    return Enrolment.objects.filter(prospect_id__in=prospect_ids, status=ACTIVE).update(
        status=Enrolment.Status.EXITED, exit_reason=reason, next_send_at=None, exited_at=timezone.now()
    )


def enrolment_stop(*, enrolment: SequenceEnrolment, user: User = None) -> None:
    Enrolment.objects.filter(pk=enrolment.pk, status=ACTIVE).update(
        status=Enrolment.Status.EXITED,
        exit_reason=Enrolment.ExitReason.STOPPED,
        next_send_at=None,
        exited_at=timezone.now(),
    )


def enrolments_advance(*, send_ids: list[int]) -> None:
    """A step was sent: schedule the next one (its delay after this send), or complete the enrolment."""
    rows = CampaignSend.objects.filter(pk__in=send_ids, enrolment__isnull=False, step__isnull=False).values_list(
        "enrolment_id", "step__sequence_id", "step__position", "sent_at"
    )
    for enrolment_id, sequence_id, position, sent_at in rows:
        following = (
            SequenceStep.objects.filter(sequence_id=sequence_id, position__gt=position).order_by("position").first()
        )
        changes: dict[str, Any] = {"last_position": position}
        if following is None:
            changes.update(status=Enrolment.Status.COMPLETED, next_send_at=None)
        else:
            changes["next_send_at"] = (sent_at or timezone.now()) + datetime.timedelta(days=following.delay_days)
        Enrolment.objects.filter(pk=enrolment_id, status=ACTIVE, last_position__lt=position).update(**changes)


def enrolments_exit_finished() -> dict[str, int]:
    """Take out who replied (an e-mail received since enrolling), converted, unsubscribed or bounced."""
    active = Enrolment.objects.filter(status=ACTIVE)
    replied = Interaction.objects.filter(
        prospect_id=OuterRef("prospect_id"),
        interaction_type=Interaction.InteractionType.EMAIL_RECEIVED,
        created_at__gte=OuterRef("enrolled_at"),
    )
    # Unsubscribes and bounces keep their address on the list (only erased people's are hashed).
    blocked = Suppression.objects.filter(
        kind=Suppression.Kind.EMAIL,
        value__in=ProspectContact.objects.filter(
            prospect_id=OuterRef(OuterRef("prospect_id")), contact_type="email"
        ).values("value"),
    )
    unsubscribed = Q(reason=Suppression.Reason.UNSUBSCRIBED)
    exits = {
        Enrolment.ExitReason.REPLIED: active.filter(Exists(replied)),
        Enrolment.ExitReason.CONVERTED: active.filter(prospect__status=Prospect.Status.CONVERTED),
        Enrolment.ExitReason.UNSUBSCRIBED: active.filter(
            Exists(blocked.filter(reason=Suppression.Reason.UNSUBSCRIBED))
        ),
        Enrolment.ExitReason.BOUNCED: active.filter(Exists(blocked.exclude(unsubscribed))),
    }
    counts = {}
    for reason, queryset in exits.items():
        ids = list(queryset.values_list("pk", flat=True)[:100_000])
        counts[reason] = Enrolment.objects.filter(pk__in=ids, status=ACTIVE).update(
            status=Enrolment.Status.EXITED, exit_reason=reason, next_send_at=None, exited_at=timezone.now()
        )
    return counts


def sequence_steps_queue(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue the due step of each active enrolment (once: the database allows one send per step and prospect)."""
    from prospecting.outreach.selectors import recipients_load

    now = now or timezone.now()
    due = list(
        Enrolment.objects.filter(status=ACTIVE, next_send_at__lte=now).values_list(
            "pk", "sequence_id", "last_position", "prospect_id"
        )[:10_000]
    )
    if not due:
        return []
    steps: dict[tuple[int, int], SequenceStep] = {}
    for step in SequenceStep.objects.filter(sequence_id__in={row[1] for row in due}).select_related("template"):
        steps[(step.sequence_id, step.position)] = step
    recipients = recipients_load({row[3] for row in due})
    new = []
    for enrolment_id, sequence_id, last_position, prospect_id in due:
        following = sorted(
            (step for (seq, position), step in steps.items() if seq == sequence_id and position > last_position),
            key=lambda step: step.position,
        )
        if not following:
            Enrolment.objects.filter(pk=enrolment_id).update(status=Enrolment.Status.COMPLETED, next_send_at=None)
            continue
        step = following[0]
        recipient = recipients.get(prospect_id)
        new.append(
            CampaignSend(
                template=step.template,
                step=step,
                enrolment_id=enrolment_id,
                prospect_id=prospect_id,
                channel=step.template.channel,
                recipient=(recipient.email if recipient else "")[:255],
            )
        )
    with transaction.atomic():
        CampaignSend.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
        # Waiting for the send now; the send schedules the next step.
        Enrolment.objects.filter(pk__in=[row[0] for row in due], status=ACTIVE).update(next_send_at=None)
    keys = Q()
    for send in new:
        keys |= Q(step=send.step, prospect_id=send.prospect_id)
    return list(CampaignSend.objects.filter(keys, status=CampaignSend.Status.QUEUED).values_list("pk", flat=True))


def enrolments_exit_skipped() -> int:
    """An enrolment whose step could not be sent (no e-mail, do-not-contact, ...) leaves the sequence."""
    ids = CampaignSend.objects.filter(enrolment__status=ACTIVE, status=CampaignSend.Status.SKIPPED).values_list(
        "enrolment_id", flat=True
    )
    return Enrolment.objects.filter(pk__in=list(ids[:100_000]), status=ACTIVE).update(
        status=Enrolment.Status.EXITED,
        exit_reason=Enrolment.ExitReason.SKIPPED,
        next_send_at=None,
        exited_at=timezone.now(),
    )


def outreach_tick(*, user: User = None, foreground: bool = False) -> dict[str, Any]:
    """What the outreach schedule does every few minutes: sequence exits, due steps, and messages whose wait
    (sending window, caps, failing account) is over are handed to a send job."""
    from prospecting.outreach.services.sending import sends_due, sends_start

    exits = enrolments_exit_finished()
    exits["skipped"] = enrolments_exit_skipped()
    step_ids = sequence_steps_queue()
    due_ids = sends_due()
    ids = list(dict.fromkeys(step_ids + due_ids))
    job = sends_start(send_ids=ids, user=user, foreground=foreground) if ids else None
    return {
        "exits": {str(key): value for key, value in exits.items()},
        "queued": len(ids),
        "job": job.pk if job else None,
    }
