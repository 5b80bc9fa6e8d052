"""Writes on the interaction log: the one way an interaction is logged, changed or removed (admin, API,
quick capture), each validated, recorded in the activity log and announced so the prospect's score follows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from prospecting.core.db import save_existing
from prospecting.core.events import prospects_changed_announce
from prospecting.core.services import activity_log_record
from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect

User = AbstractBaseUser | AnonymousUser | None
_EDITABLE_FIELDS = {"interaction_type", "subject", "notes", "outcome", "next_action", "next_action_date"}


def _author(user: User) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _check_fields(data: dict[str, Any]) -> None:
    unknown = set(data) - _EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Unknown interaction fields: {', '.join(sorted(unknown))}")


def interaction_create(*, prospect: Prospect, data: dict[str, Any], user: User = None) -> Interaction:
    """Log a call, visit, e-mail... on a prospect, validated, with its author."""
    _check_fields(data)
    interaction = Interaction(prospect=prospect, created_by=_author(user), **data)
    interaction.full_clean()
    summary = interaction.subject or interaction.notes[:80]
    with transaction.atomic():
        interaction.save()
        activity_log_record(
            entity=prospect,
            action="interaction_logged",
            actor=user,
            description=f"{interaction.get_interaction_type_display()}: {summary}",
            metadata={"interaction_id": interaction.pk, "interaction_type": interaction.interaction_type},
        )
        prospects_changed_announce(prospect_ids=[prospect.pk])
    return interaction


def interaction_update(*, interaction: Interaction, data: dict[str, Any], user: User = None) -> Interaction:
    """Change some fields of a logged interaction."""
    _check_fields(data)
    changed = sorted(name for name, value in data.items() if getattr(interaction, name) != value)
    for name, value in data.items():
        setattr(interaction, name, value)
    interaction.full_clean()
    with transaction.atomic():
        save_existing(interaction)
        if changed:
            activity_log_record(
                entity=interaction.prospect,
                action="interaction_changed",
                actor=user,
                description=f"Changed {', '.join(changed)} of interaction #{interaction.pk}",
                metadata={"interaction_id": interaction.pk, "fields": changed},
            )
        prospects_changed_announce(prospect_ids=[interaction.prospect_id])
    return interaction


def interaction_delete(*, interaction: Interaction, user: User = None) -> None:
    with transaction.atomic():
        activity_log_record(
            entity=interaction.prospect,
            action="interaction_deleted",
            actor=user,
            description=f"Deleted {interaction}",
            metadata={"interaction_id": interaction.pk, "interaction_type": interaction.interaction_type},
        )
        prospect_id = interaction.prospect_id
        interaction.delete()
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
