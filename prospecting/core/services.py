"""Writes shared by every app: the activity log (background jobs have their own service, `core/jobs.py`).

Recording an entry never blocks or fails the action it records: each write runs in its own savepoint, and a
database error there is logged and swallowed, so the caller's transaction carries on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, models, transaction

from prospecting.core.models import ActivityLog

logger = logging.getLogger(__name__)
Actor = AbstractBaseUser | AnonymousUser | None


def _prospect_id_of(entity: models.Model) -> int | None:
    """The prospect an entity belongs to: itself when it is one, else its `prospect_id` (contacts,
    interactions, sends), else none (import batches, templates)."""
    if entity._meta.label == "prospects.Prospect":
        return entity.pk
    return getattr(entity, "prospect_id", None)


def _actor(actor: Actor) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.is_authenticated else None


def activity_log_record(
    *,
    entity: models.Model,
    action: str,
    actor: Actor = None,
    description: str = "",
    metadata: dict[str, Any] | None = None,
    prospect_id: int | None = None,
) -> ActivityLog | None:
    """Append one entry to the audit trail of `entity` (None if the log could not be written)."""
    entry = ActivityLog(
        content_type=ContentType.objects.get_for_model(entity),
        object_id=str(entity.pk),
        action=action[:64],
        description=description,
        metadata=metadata or {},
        actor=_actor(actor),
        prospect_id=prospect_id if prospect_id is not None else _prospect_id_of(entity),
    )
    try:
        with transaction.atomic():
            entry.save()
    except DatabaseError:
        logger.exception("Activity log entry %r on %s #%s not recorded", action, entity._meta.label, entity.pk)
        return None
    return entry


@dataclass(frozen=True)
class ActivityEntry:
    """One entry of a bulk record: about `entity_label` #`object_id` (e.g. "prospects.Prospect", 42)."""

    entity_label: str
    object_id: int | str
    action: str
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    prospect_id: int | None = None


def activity_log_record_many(*, entries: Iterable[ActivityEntry], actor: Actor = None, batch_size: int = 1000) -> int:
    """Append many entries in bulk inserts (batch status changes, merges); returns how many were written."""
    from django.apps import apps

    content_types: dict[str, ContentType] = {}
    rows = []
    for entry in entries:
        if entry.entity_label not in content_types:
            content_types[entry.entity_label] = ContentType.objects.get_for_model(apps.get_model(entry.entity_label))
        rows.append(
            ActivityLog(
                content_type=content_types[entry.entity_label],
                object_id=str(entry.object_id),
                action=entry.action[:64],
                description=entry.description,
                metadata=entry.metadata,
                actor=_actor(actor),
                prospect_id=entry.prospect_id,
            )
        )
    if not rows:
        return 0
    try:
        with transaction.atomic():
            ActivityLog.objects.bulk_create(rows, batch_size=batch_size)
    except DatabaseError:
        logger.exception("%d activity log entries not recorded", len(rows))
        return 0
    return len(rows)
