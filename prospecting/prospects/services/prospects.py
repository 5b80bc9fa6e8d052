"""Writes on prospects: the one place where a prospect is created, changed or deleted."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from prospecting.core.db import save_existing
from prospecting.core.events import prospects_changed_announce
from prospecting.core.services import activity_log_record
from prospecting.prospects.models import Prospect

User = AbstractBaseUser | AnonymousUser | None

_EDITABLE_FIELDS = {
    "channel",
    "business_name",
    "domain_name",
    "status",
    "source",
    "address",
    "city",
    "postal_code",
    "country",
    "location_lat",
    "location_lng",
    "notes",
    "tags",
    "owner",
    "has_website",
    "uses_https",
    "http_status_code",
    "redirect_url",
    "captured_by",
}


def prospect_create(*, data: dict[str, Any], user: User = None) -> Prospect:
    """Create a prospect after full model validation; the creating user is recorded as its capturer."""
    unknown = set(data) - _EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Unknown prospect fields: {', '.join(sorted(unknown))}")
    prospect = Prospect(**data)
    if prospect.captured_by_id is None and user is not None and user.is_authenticated:
        prospect.captured_by = user
    prospect.full_clean()
    with transaction.atomic():
        prospect.save()
        activity_log_record(entity=prospect, action="created", actor=user, description="Prospect created")
        prospects_changed_announce(prospect_ids=[prospect.pk])
    return prospect


def prospect_update(*, prospect: Prospect, data: dict[str, Any], user: User = None) -> Prospect:
    """Apply a partial update, validate the result and log which fields changed."""
    unknown = set(data) - _EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Unknown prospect fields: {', '.join(sorted(unknown))}")
    changed = [name for name, value in data.items() if getattr(prospect, name) != value]
    for name, value in data.items():
        setattr(prospect, name, value)
    prospect.full_clean()
    with transaction.atomic():
        save_existing(prospect)
        prospects_changed_announce(prospect_ids=[prospect.pk])
        if changed:
            activity_log_record(
                entity=prospect,
                action="updated",
                actor=user,
                description="Changed " + ", ".join(sorted(changed)),
                metadata={"fields": sorted(changed)},
            )
    return prospect


def prospect_delete(*, prospect: Prospect, user: User = None) -> None:
    """Delete a prospect and everything attached to it (contacts, profiles, interactions)."""
    with transaction.atomic():
        activity_log_record(
            entity=prospect,
            action="deleted",
            actor=user,
            description=f"Deleted {prospect.display_name}",
            metadata={"domain_name": prospect.domain_name, "business_name": prospect.business_name},
        )
        prospect.delete()
