"""Writes on prospects: the one place where a prospect is created, changed or deleted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prospecting.core.db import save_existing
from prospecting.core.events import prospects_changed_announce
from prospecting.core.services import ActivityEntry, activity_log_record, activity_log_record_many
from prospecting.prospects.models import Prospect
from prospecting.prospects.provenance import MANUAL, field_sources_record, person_detail, provenance
from prospecting.prospects.services.status import prospect_status_change, status_transition_check

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
    "lawful_basis",
}
# Facts about the business whose origin is recorded (`field_sources`) when a person types them in.
_PROVENANCE_FIELDS = {
    "business_name",
    "domain_name",
    "address",
    "city",
    "postal_code",
    "country",
    "location_lat",
    "location_lng",
    "notes",
    "tags",
}


def prospect_create(*, data: dict[str, Any], user: User = None) -> Prospect:
    """Create a prospect after full model validation; the creating user is recorded as its capturer."""
    unknown = set(data) - _EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Unknown prospect fields: {', '.join(sorted(unknown))}")
    prospect = Prospect(**data)
    prospect.field_sources = field_sources_record(
        {}, data, provenance(MANUAL, person_detail(user)), only=_PROVENANCE_FIELDS
    )
    if prospect.captured_by_id is None and user is not None and user.is_authenticated:
        prospect.captured_by = user
    prospect.full_clean()
    with transaction.atomic():
        prospect.save()
        activity_log_record(entity=prospect, action="created", actor=user, description="Prospect created")
        prospects_changed_announce(prospect_ids=[prospect.pk])
    return prospect


def prospect_update(
    *,
    prospect: Prospect,
    data: dict[str, Any],
    user: User = None,
    status_reason: str = "",
    status_override: bool = False,
) -> Prospect:
    """Apply a partial update, validate the result and log which fields changed.

    A new status goes through the status pipeline (`prospect_status_change`): a change the flow does not allow
    is refused (StatusTransitionError) unless `status_override` with a `status_reason`. A new owner is logged
    as an owner change.
    """
    unknown = set(data) - _EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Unknown prospect fields: {', '.join(sorted(unknown))}")
    data = dict(data)
    new_status = data.pop("status", None)
    if new_status is not None and new_status != prospect.status:
        status_transition_check(old=prospect.status, new=new_status, override=status_override, reason=status_reason)
    changed = [name for name, value in data.items() if getattr(prospect, name) != value]
    old_owner = prospect.owner
    for name, value in data.items():
        setattr(prospect, name, value)
    prospect.field_sources = field_sources_record(
        prospect.field_sources,
        {name: data[name] for name in changed},
        provenance(MANUAL, person_detail(user)),
        only=_PROVENANCE_FIELDS,
    )
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
        if "owner" in changed:
            _owner_change_record(prospect=prospect, old=old_owner, user=user)
        if new_status is not None:
            prospect_status_change(
                prospect=prospect, status=new_status, user=user, reason=status_reason, override=status_override
            )
    return prospect


def _owner_change_record(*, prospect: Prospect, old: Any, user: User) -> None:
    new = prospect.owner
    activity_log_record(
        entity=prospect,
        action="owner_changed",
        actor=user,
        description=f"Owner {old.get_username() if old else 'nobody'} → {new.get_username() if new else 'nobody'}",
        metadata={"old": old.pk if old else None, "new": new.pk if new else None},
    )


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


def prospects_assign_owner(*, prospect_ids: Iterable[int], owner: Any, user: User = None) -> int:
    """Give these prospects to `owner` (None: unassign them), in bulk, logging each owner change; returns how
    many changed (those already owned by `owner` are left alone)."""
    owner_id = owner.pk if owner is not None else None
    ids = sorted({int(pk) for pk in prospect_ids})
    changed = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        with transaction.atomic():
            rows = list(
                Prospect.objects.select_for_update(of=("self",))  # not the joined owner row (PostgreSQL refuses)
                .filter(pk__in=chunk)
                .exclude(owner_id=owner_id)
                .values_list("pk", "owner_id", "owner__username")
            )
            if not rows:
                continue
            Prospect.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
                owner_id=owner_id, updated_at=timezone.now()
            )
            new_name = owner.get_username() if owner is not None else "nobody"
            activity_log_record_many(
                entries=(
                    ActivityEntry(
                        entity_label="prospects.Prospect",
                        object_id=pk,
                        prospect_id=pk,
                        action="owner_changed",
                        description=f"Owner {old_name or 'nobody'} → {new_name}",
                        metadata={"old": old_id, "new": owner_id},
                    )
                    for pk, old_id, old_name in rows
                ),
                actor=user,
            )
            changed += len(rows)
    return changed


TAG_MAX_LENGTH = 50


def tag_clean(tag: str) -> str:
    """A tag as stored: trimmed, one line, at most `TAG_MAX_LENGTH` characters, no comma (imports split tags
    on commas). Raises ValidationError otherwise."""
    value = " ".join((tag or "").split())
    if not value:
        raise ValidationError(_("Type a tag."))
    if "," in value:
        raise ValidationError(_("A tag cannot contain a comma; add one tag at a time."))
    if len(value) > TAG_MAX_LENGTH:
        raise ValidationError(_("A tag has at most %(max)s characters.") % {"max": TAG_MAX_LENGTH})
    return value


def prospects_add_tag(*, prospect_ids: Iterable[int], tag: str, user: User = None) -> int:
    """Add `tag` to these prospects, in bulk, logging each change; returns how many gained it (those that
    already have it are left alone, so running it twice changes nothing)."""
    tag = tag_clean(tag)
    ids = sorted({int(pk) for pk in prospect_ids})
    changed = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        with transaction.atomic():
            rows = [
                Prospect(pk=pk, tags=[*(tags or []), tag], updated_at=timezone.now())
                for pk, tags in Prospect.objects.select_for_update().filter(pk__in=chunk).values_list("pk", "tags")
                if tag not in (tags or [])
            ]
            if not rows:
                continue
            Prospect.objects.bulk_update(rows, ["tags", "updated_at"], batch_size=500)
            activity_log_record_many(
                entries=(
                    ActivityEntry(
                        entity_label="prospects.Prospect",
                        object_id=row.pk,
                        prospect_id=row.pk,
                        action="tag_added",
                        description=f"Tag “{tag}” added",
                        metadata={"tag": tag},
                    )
                    for row in rows
                ),
                actor=user,
            )
            changed += len(rows)
    return changed
