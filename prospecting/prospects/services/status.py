"""The status pipeline (seed 002's status flow): the one place a prospect's status changes.

    pending ──(HTTP check)──▶ active / parked / error      the check may move between these again later
    any live status (pending, active, parked, error) ──▶ contacted   first outreach or a logged contact
    contacted ──▶ converted (a sale) or inactive (not interested)

Anything else (reopening an inactive prospect, undoing a conversion, skipping contacted) is a staff override
and needs a reason. Every change is written to the activity log with the old and new status, who and why.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from prospecting.core.events import prospects_changed_announce
from prospecting.core.services import ActivityEntry, activity_log_record, activity_log_record_many
from prospecting.prospects.models import Conversion, Prospect, ProspectStatus

User = AbstractBaseUser | AnonymousUser | None
Status = ProspectStatus
LIVE_STATUSES = frozenset({Status.PENDING, Status.ACTIVE, Status.PARKED, Status.ERROR})
AUTOMATIC_STATUSES = frozenset({Status.ACTIVE, Status.PARKED, Status.ERROR})  # what the HTTP check decides
CLOSED_STATUSES = frozenset({Status.CONVERTED, Status.INACTIVE})  # left out of lead lists unless asked

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    **{status: AUTOMATIC_STATUSES | {Status.CONTACTED} for status in LIVE_STATUSES},
    Status.CONTACTED: frozenset({Status.CONVERTED, Status.INACTIVE}),
    Status.CONVERTED: frozenset(),
    Status.INACTIVE: frozenset(),
}


class StatusTransitionError(ValidationError):
    """A status change the flow does not allow (a 400 in the API, a form error in the admin)."""

    def __init__(self, message: str) -> None:
        super().__init__({"status": [message]})


def status_transition_allowed(*, old: str, new: str) -> bool:
    return old == new or new in ALLOWED_TRANSITIONS.get(old, frozenset())


def _label(status: str) -> str:
    """A status's name in English: these messages and activity descriptions are stored and logged as they are."""
    with translation.override(None):
        return str(Status(status).label)


def status_transition_check(*, old: str, new: str, override: bool = False, reason: str = "") -> None:
    """Raise StatusTransitionError unless `old → new` follows the flow, or is an override with a reason."""
    if new not in Status.values:
        raise StatusTransitionError(_("Unknown status %(status)r.") % {"status": new})
    if status_transition_allowed(old=old, new=new):
        return
    # Told in the user's language (the activity log keeps English: see _label).
    label_old, label_new = str(Status(old).label), str(Status(new).label)
    if not override:
        allowed = ", ".join(str(Status(s).label) for s in sorted(ALLOWED_TRANSITIONS.get(old, ()))) or _("none")
        raise StatusTransitionError(
            _("A %(old)s prospect cannot become %(new)s (allowed next: %(allowed)s). Staff may override with a reason.")
            % {"old": label_old.lower(), "new": label_new.lower(), "allowed": allowed}
        )
    if not reason.strip():
        raise StatusTransitionError(
            _("Overriding the status flow (%(old)s → %(new)s) needs a reason.") % {"old": label_old, "new": label_new}
        )


def _record(prospect: Prospect, old: str, new: str, user: User, reason: str, override: bool) -> None:
    activity_log_record(
        entity=prospect,
        action="status_changed",
        actor=user,
        description=f"Status {_label(old)} → {_label(new)}" + (f": {reason}" if reason else ""),
        metadata={"old": old, "new": new, "reason": reason, "override": override},
    )


def prospect_status_change(
    *, prospect: Prospect, status: str, user: User, reason: str = "", override: bool = False
) -> bool:
    """Move one prospect to `status` if the flow allows it (or as an override with a reason).

    Checks against the status in the database under a row lock, so two racing changes cannot both pass a check
    made on a stale copy. Returns whether the status changed (the same status again is a no-op).
    """
    with transaction.atomic():
        current = Prospect.objects.select_for_update().filter(pk=prospect.pk).values_list("status", flat=True).first()
        if current is None:
            raise Prospect.DoesNotExist(f"Prospect #{prospect.pk} was deleted.")
        prospect.status = current
        if current == status:
            return False
        status_transition_check(old=current, new=status, override=override, reason=reason)
        now = timezone.now()
        fields = {"status": status, "updated_at": now}
        if status == Status.CONTACTED and prospect.contacted_at is None:
            fields["contacted_at"] = now
        Prospect.objects.filter(pk=prospect.pk).update(**fields)
        for name, value in fields.items():
            setattr(prospect, name, value)
        if status == Status.CONVERTED:
            conversion_ensure(prospect=prospect, user=user)
        elif current == Status.CONVERTED:
            Conversion.objects.filter(prospect_id=prospect.pk).delete()  # an undone sale leaves the ROI report
        overridden = override and not status_transition_allowed(old=current, new=status)
        _record(prospect, current, status, user, reason, overridden)
        prospects_changed_announce(prospect_ids=[prospect.pk])
    return True


def conversion_ensure(
    *, prospect: Prospect, user: User = None, converted_at: datetime.date | None = None
) -> Conversion:
    """The conversion record of a converted prospect, created with what is known (date, source, first contact,
    days to convert) when the status alone was changed; `prospect_convert` adds plan and revenue."""
    converted_at = converted_at or timezone.localdate()
    first_contact_at = prospect.contacted_at
    started = timezone.localtime(first_contact_at).date() if first_contact_at else None
    if started is None and prospect.created_at:
        started = timezone.localtime(prospect.created_at).date()
    conversion, _ = Conversion.objects.get_or_create(
        prospect=prospect,
        defaults={
            "converted_at": converted_at,
            "attributed_source": prospect.source,
            "first_contact_at": first_contact_at,
            "days_to_convert": max(0, (converted_at - started).days) if started else None,
            "created_by": user if user is not None and user.is_authenticated else None,
        },
    )
    return conversion


def prospects_mark_contacted(*, prospect_ids: Iterable[int], user: User = None, reason: str) -> int:
    """Move the live prospects among these (pending, active, parked, error) to contacted, in bulk (after an
    e-mail or letter is sent); the others keep their status. Returns how many changed."""
    ids = sorted({int(pk) for pk in prospect_ids})
    changed = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        with transaction.atomic():
            rows = list(
                Prospect.objects.select_for_update()
                .filter(pk__in=chunk, status__in=LIVE_STATUSES)
                .values_list("pk", "status", "contacted_at")
            )
            if not rows:
                continue
            now = timezone.now()
            pks = [pk for pk, _, _ in rows]
            Prospect.objects.filter(pk__in=pks).update(status=Status.CONTACTED, updated_at=now)
            Prospect.objects.filter(pk__in=pks, contacted_at__isnull=True).update(contacted_at=now)
            activity_log_record_many(
                entries=(
                    ActivityEntry(
                        entity_label="prospects.Prospect",
                        object_id=pk,
                        prospect_id=pk,
                        action="status_changed",
                        description=f"Status {_label(old)} → Contacted: {reason}",
                        metadata={"old": old, "new": Status.CONTACTED, "reason": reason, "override": False},
                    )
                    for pk, old, _ in rows
                ),
                actor=user,
            )
            prospects_changed_announce(prospect_ids=pks)
            changed += len(rows)
    return changed


def prospects_status_set_automatic(*, changes: Iterable[tuple[int, str, str]], reason: str) -> list[int]:
    """Record status changes decided by a machine step (the HTTP check's active/parked/error) that the caller
    writes in its own bulk update: keeps only those the flow allows and logs each. `changes` holds
    (prospect id, old status, new status); returns the ids whose change is allowed."""
    allowed = [
        (pk, old, new)
        for pk, old, new in changes
        if old != new and new in AUTOMATIC_STATUSES and status_transition_allowed(old=old, new=new)
    ]
    activity_log_record_many(
        entries=(
            ActivityEntry(
                entity_label="prospects.Prospect",
                object_id=pk,
                prospect_id=pk,
                action="status_changed",
                description=f"Status {_label(old)} → {_label(new)}: {reason}",
                metadata={"old": old, "new": new, "reason": reason, "override": False},
            )
            for pk, old, new in allowed
        )
    )
    return [pk for pk, _, _ in allowed]
