"""Writes on a prospect's contacts typed in by a person (scraped and imported ones are written in bulk by their
own services): validated, recorded in the activity log, announced so the score follows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from prospecting.core.db import save_existing
from prospecting.core.events import prospects_changed_announce
from prospecting.core.services import activity_log_record
from prospecting.core.suppression import suppression_check
from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.prospects.provenance import MANUAL, person_detail
from prospecting.prospects.services.prospects import User

_EDITABLE_FIELDS = {"contact_type", "value", "label", "source_url", "is_primary", "verification_status"}


def _check_fields(data: dict[str, Any]) -> None:
    unknown = set(data) - _EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Unknown contact fields: {', '.join(sorted(unknown))}")


def _suppression_refuse(contact: ProspectContact) -> None:
    """A person may not type back in what the suppression list holds (an erased or objecting person's
    address, an unsubscribed one): nothing is stored again."""
    value, region = contact.value, (contact.prospect.country or "LU")
    if contact.contact_type == ProspectContact.ContactType.EMAIL:
        suppressed = suppression_check(emails=[value]).email(value)
    elif contact.contact_type == ProspectContact.ContactType.PHONE:
        suppressed = suppression_check(phones=[value], region=region).phone(value)
    else:
        return
    if suppressed:
        raise ValidationError(
            {
                "value": _(
                    "This value is on the suppression list and may not be stored again (an admin can take it "
                    "off the list first)."
                )
            }
        )


def contact_create(*, prospect: Prospect, data: dict[str, Any], user: User = None) -> ProspectContact:
    _check_fields(data)
    contact = ProspectContact(prospect=prospect, **data)
    if not contact.source:
        contact.source, contact.source_detail = MANUAL, person_detail(user)
    if user is not None and user.is_authenticated:
        contact.added_by = user
    contact.full_clean()
    _suppression_refuse(contact)
    with transaction.atomic():
        contact.save()
        activity_log_record(
            entity=prospect,
            action="contact_added",
            actor=user,
            description=f"Added {contact}",
            metadata={"contact_id": contact.pk, "contact_type": contact.contact_type},
        )
        prospects_changed_announce(prospect_ids=[prospect.pk])
    return contact


def contact_update(*, contact: ProspectContact, data: dict[str, Any], user: User = None) -> ProspectContact:
    _check_fields(data)
    changed = sorted(name for name, value in data.items() if getattr(contact, name) != value)
    for name, value in data.items():
        setattr(contact, name, value)
    contact.full_clean()
    if {"value", "contact_type"} & set(changed):
        _suppression_refuse(contact)
    with transaction.atomic():
        save_existing(contact)
        if changed:
            activity_log_record(
                entity=contact.prospect,
                action="contact_changed",
                actor=user,
                description=f"Changed {', '.join(changed)} of {contact}",
                metadata={"contact_id": contact.pk, "fields": changed},
            )
        prospects_changed_announce(prospect_ids=[contact.prospect_id])
    return contact


def contact_delete(*, contact: ProspectContact, user: User = None) -> None:
    with transaction.atomic():
        activity_log_record(
            entity=contact.prospect,
            action="contact_removed",
            actor=user,
            description=f"Removed {contact}",
            metadata={"contact_id": contact.pk, "contact_type": contact.contact_type},
        )
        prospect_id = contact.prospect_id
        contact.delete()
        prospects_changed_announce(prospect_ids=[prospect_id])
