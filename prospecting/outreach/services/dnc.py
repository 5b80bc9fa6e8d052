"""The do-not-contact list: unsubscribes, bounces, complaints and addresses added by hand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from prospecting.core.emails import InvalidEmailError, email_normalize
from prospecting.core.services import activity_log_record
from prospecting.outreach.models import CampaignSend, DoNotContact, SequenceEnrolment

User = AbstractBaseUser | AnonymousUser | None


def _normalized(email: str) -> str:
    try:
        return email_normalize(email)
    except InvalidEmailError as exc:
        raise ValidationError({"email": str(exc)}) from exc


def dnc_add(
    *, email: str, reason: str, note: str = "", send: CampaignSend | None = None, user: User = None
) -> DoNotContact:
    """Put an address on the list (safe to repeat: the first reason is kept)."""
    address = _normalized(email)
    if reason not in DoNotContact.Reason.values:
        raise ValidationError({"reason": f"Unknown reason {reason!r}."})
    try:
        with transaction.atomic():
            entry, created = DoNotContact.objects.get_or_create(
                email=address, defaults={"reason": reason, "note": note[:500], "send": send}
            )
    except IntegrityError:  # added by someone else at the same moment
        entry, created = DoNotContact.objects.get(email=address), False
    if created and user is not None and user.is_authenticated:
        activity_log_record(entity=entry, action="do_not_contact_added", actor=user, description=address)
    return entry


def dnc_remove(*, entry: DoNotContact, user: User = None) -> None:
    with transaction.atomic():
        activity_log_record(entity=entry, action="do_not_contact_removed", actor=user, description=entry.email)
        entry.delete()


@dataclass
class DncImportResult:
    added: int = 0
    already: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)


def dnc_import(*, lines: Iterable[str], reason: str = DoNotContact.Reason.MANUAL, note: str = "") -> DncImportResult:
    """Add one address per line (a CSV's first column); bad lines are reported with their number, good ones kept."""
    result = DncImportResult()
    batch: dict[str, None] = {}
    for number, line in enumerate(lines, start=1):
        value = line.split(",")[0].split(";")[0].strip().strip('"')
        if not value or (number == 1 and "@" not in value):
            continue  # empty line or header
        try:
            batch.setdefault(email_normalize(value), None)
        except InvalidEmailError as exc:
            result.invalid.append((number, str(exc)))
    emails = list(batch)
    for start in range(0, len(emails), 1000):
        chunk = emails[start : start + 1000]
        existing = set(DoNotContact.objects.filter(email__in=chunk).values_list("email", flat=True))
        DoNotContact.objects.bulk_create(
            [DoNotContact(email=email, reason=reason, note=note) for email in chunk if email not in existing],
            ignore_conflicts=True,
        )
        result.added += len(chunk) - len(existing)
        result.already += len(existing)
    return result


def unsubscribe(*, send: CampaignSend) -> DoNotContact | None:
    """The recipient of this message asked for no more messages: on the list, out of every sequence."""
    from prospecting.outreach.services.sequences import enrolments_exit

    now = timezone.now()
    with transaction.atomic():
        CampaignSend.objects.filter(pk=send.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=now)
        entry = None
        if send.recipient:
            entry = dnc_add(email=send.recipient, reason=DoNotContact.Reason.UNSUBSCRIBED, send=send)
        enrolments_exit(prospect_ids=[send.prospect_id], reason=SequenceEnrolment.ExitReason.UNSUBSCRIBED)
    return entry
