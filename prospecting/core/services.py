"""Writes shared by every app: the activity log (background jobs have their own service, `core/jobs.py`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from prospecting.core.models import ActivityLog


def activity_log_record(
    *,
    entity: models.Model,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    description: str = "",
    metadata: dict[str, Any] | None = None,
) -> ActivityLog:
    """Append one entry to the audit trail of `entity`."""
    return ActivityLog.objects.create(
        content_type=ContentType.objects.get_for_model(entity),
        object_id=str(entity.pk),
        action=action,
        description=description,
        metadata=metadata or {},
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
