"""Writes on the interaction log: the one way an interaction is logged, changed or removed (admin, API,
quick capture), each validated, recorded in the activity log and announced so the prospect's score follows.

An interaction with a `next_action_date` is a follow-up task: it has an owner (given, else the prospect's
owner, else the author) and stays open until it is ticked done or the next interaction on the prospect is
logged. The prospect's `next_follow_up_at` (the earliest open due date) is kept in step here, in the same
transaction as every change of a task.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from prospecting.core.db import save_existing
from prospecting.core.events import prospects_changed_announce
from prospecting.core.services import activity_log_record
from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect
from prospecting.prospects.services.status import LIVE_STATUSES, prospect_status_change

User = AbstractBaseUser | AnonymousUser | None
_EDITABLE_FIELDS = {
    "interaction_type",
    "subject",
    "notes",
    "outcome",
    "next_action",
    "next_action_date",
    "follow_up_owner",
}
# Logging one of these on a live prospect (pending, active, parked, error) moves it to contacted.
CONTACT_TYPES = frozenset(set(Interaction.InteractionType.values) - {Interaction.InteractionType.NOTE})


def _author(user: User) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _check_fields(data: dict[str, Any]) -> None:
    unknown = set(data) - _EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Unknown interaction fields: {', '.join(sorted(unknown))}")


def _lock_prospect(prospect_id: int) -> Prospect:
    """Serialize writes on one prospect's follow-ups (two people logging at once close and open in order)."""
    prospect = Prospect.objects.select_for_update().filter(pk=prospect_id).first()
    if prospect is None:
        raise Prospect.DoesNotExist(f"Prospect #{prospect_id} was deleted.")
    return prospect


def follow_ups_sync(*, prospect_ids: list[int]) -> None:
    """Set each prospect's `next_follow_up_at` to the earliest due date of its open follow-ups (or none)."""
    open_due = Interaction.objects.filter(
        prospect_id=OuterRef("pk"), follow_up_done_at__isnull=True, next_action_date__isnull=False
    ).order_by("next_action_date")
    Prospect.objects.filter(pk__in=prospect_ids).update(
        next_follow_up_at=Subquery(open_due.values("next_action_date")[:1])
    )


def _close_open_follow_ups(*, prospect_id: int, now: datetime.datetime, exclude: int | None = None) -> list[int]:
    tasks = Interaction.objects.filter(
        prospect_id=prospect_id, follow_up_done_at__isnull=True, next_action_date__isnull=False
    )
    if exclude is not None:
        tasks = tasks.exclude(pk=exclude)
    ids = list(tasks.values_list("pk", flat=True))
    if ids:
        Interaction.objects.filter(pk__in=ids).update(follow_up_done_at=now)
    return ids


def interaction_create(*, prospect: Prospect, data: dict[str, Any], user: User = None) -> Interaction:
    """Log a call, visit, e-mail... on a prospect, validated, with its author.

    Closes the prospect's open follow-ups (this is the next interaction), opens a new one when the interaction
    has a next action date, and moves a live prospect to contacted when the interaction is a contact.
    """
    _check_fields(data)
    interaction = Interaction(prospect=prospect, created_by=_author(user), **data)
    interaction.full_clean()
    summary = interaction.subject or interaction.notes[:80]
    with transaction.atomic():
        locked = _lock_prospect(prospect.pk)
        if interaction.next_action_date and interaction.follow_up_owner_id is None:
            interaction.follow_up_owner_id = locked.owner_id or (interaction.created_by_id)
        if not interaction.next_action_date:
            interaction.follow_up_owner = None
        closed = _close_open_follow_ups(prospect_id=prospect.pk, now=timezone.now())
        interaction.save()
        follow_ups_sync(prospect_ids=[prospect.pk])
        activity_log_record(
            entity=interaction,
            action="interaction_logged",
            actor=user,
            description=f"{interaction.get_interaction_type_display()}: {summary}",
            metadata={
                "interaction_id": interaction.pk,
                "interaction_type": interaction.interaction_type,
                "closed_follow_ups": closed,
            },
        )
        if interaction.interaction_type in CONTACT_TYPES and locked.status in LIVE_STATUSES:
            prospect_status_change(
                prospect=prospect,
                status=Prospect.Status.CONTACTED,
                user=user,
                reason=f"{interaction.get_interaction_type_display()} logged",
            )
        prospects_changed_announce(prospect_ids=[prospect.pk])
    return interaction


def interaction_update(*, interaction: Interaction, data: dict[str, Any], user: User = None) -> Interaction:
    """Change some fields of a logged interaction (its follow-up's due date and owner included)."""
    _check_fields(data)
    changed = sorted(name for name, value in data.items() if getattr(interaction, name) != value)
    for name, value in data.items():
        setattr(interaction, name, value)
    if interaction.next_action_date is None:
        interaction.follow_up_owner = None
    interaction.full_clean()
    with transaction.atomic():
        locked = _lock_prospect(interaction.prospect_id)
        if interaction.next_action_date and interaction.follow_up_owner_id is None:
            interaction.follow_up_owner_id = locked.owner_id or interaction.created_by_id
        save_existing(interaction)
        follow_ups_sync(prospect_ids=[interaction.prospect_id])
        if changed:
            activity_log_record(
                entity=interaction,
                action="interaction_changed",
                actor=user,
                description=f"Changed {', '.join(changed)} of interaction #{interaction.pk}",
                metadata={"interaction_id": interaction.pk, "fields": changed},
            )
        prospects_changed_announce(prospect_ids=[interaction.prospect_id])
    return interaction


def interaction_delete(*, interaction: Interaction, user: User = None) -> None:
    with transaction.atomic():
        _lock_prospect(interaction.prospect_id)
        activity_log_record(
            entity=interaction,
            action="interaction_deleted",
            actor=user,
            description=f"Deleted {interaction}",
            metadata={"interaction_id": interaction.pk, "interaction_type": interaction.interaction_type},
        )
        prospect_id = interaction.prospect_id
        interaction.delete()
        follow_ups_sync(prospect_ids=[prospect_id])
        prospects_changed_announce(prospect_ids=[prospect_id])


def interactions_log_bulk(
    *, entries: list[tuple[int, str]], interaction_type: str, user: User = None
) -> list[Interaction]:
    """Log one interaction per (prospect id, subject) in one INSERT: what a campaign send records for each
    message. Announced like a single interaction, so the prospects' scores follow."""
    author = _author(user)
    rows = [
        Interaction(
            prospect_id=prospect_id, interaction_type=interaction_type, subject=subject[:255], created_by=author
        )
        for prospect_id, subject in entries
    ]
    if not rows:
        return []
    with transaction.atomic():
        created = Interaction.objects.bulk_create(rows, batch_size=500)
        prospects_changed_announce(prospect_ids={prospect_id for prospect_id, _ in entries})
    return created


def _require_follow_up(interaction: Interaction) -> None:
    if interaction.next_action_date is None:
        raise ValidationError({"next_action_date": [_("This interaction has no follow-up (no next action date).")]})


def follow_up_done(*, interaction: Interaction, user: User = None, done: bool = True) -> Interaction:
    """Tick a follow-up done (or open it again with `done=False`). Ticking twice changes nothing."""
    _require_follow_up(interaction)
    with transaction.atomic():
        _lock_prospect(interaction.prospect_id)
        current = Interaction.objects.filter(pk=interaction.pk).values_list("follow_up_done_at", flat=True).first()
        if (current is not None) == done:
            interaction.follow_up_done_at = current
            return interaction
        interaction.follow_up_done_at = timezone.now() if done else None
        Interaction.objects.filter(pk=interaction.pk).update(follow_up_done_at=interaction.follow_up_done_at)
        follow_ups_sync(prospect_ids=[interaction.prospect_id])
        activity_log_record(
            entity=interaction,
            action="follow_up_done" if done else "follow_up_reopened",
            actor=user,
            description=f"{'Done' if done else 'Reopened'}: {interaction.next_action or interaction}",
            metadata={"interaction_id": interaction.pk},
        )
    return interaction


def follow_up_snooze(*, interaction: Interaction, until: datetime.date, user: User = None) -> Interaction:
    """Move an open follow-up's due date (the one-click "snooze" of the Follow-ups page)."""
    _require_follow_up(interaction)
    if interaction.follow_up_done_at is not None:
        raise ValidationError({"follow_up_done_at": [_("This follow-up is done; open it again to snooze it.")]})
    with transaction.atomic():
        _lock_prospect(interaction.prospect_id)
        old = interaction.next_action_date
        interaction.next_action_date = until
        Interaction.objects.filter(pk=interaction.pk).update(next_action_date=until)
        follow_ups_sync(prospect_ids=[interaction.prospect_id])
        activity_log_record(
            entity=interaction,
            action="follow_up_snoozed",
            actor=user,
            description=f"Snoozed from {old} to {until}",
            metadata={"interaction_id": interaction.pk, "old": str(old), "new": str(until)},
        )
    return interaction
