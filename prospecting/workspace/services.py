"""Writes that span several apps: quick capture of a lead met in person (seed journey 2)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from prospecting.core.services import activity_log_record
from prospecting.interactions.models import Interaction
from prospecting.interactions.services import interaction_create
from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.prospects.services import contact_create, prospect_create


@dataclass(frozen=True)
class CaptureData:
    business_name: str
    address: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = "LU"
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    notes: str = ""
    interaction_type: str = Interaction.InteractionType.VISIT
    next_action: str = ""
    next_action_date: datetime.date | None = None
    location_lat: float | None = None
    location_lng: float | None = None


def prospect_capture(*, data: CaptureData, user: AbstractBaseUser) -> Prospect:
    """Create an offline prospect, its contacts and the first interaction, all or nothing, through the same
    services as every other write (validation, activity log, score)."""
    with transaction.atomic():
        prospect = prospect_create(
            data={
                "channel": Prospect.Channel.OFFLINE,
                "business_name": data.business_name.strip(),
                "domain_name": data.website or None,
                "status": Prospect.Status.PENDING,
                "source": "quick_capture",
                "address": data.address,
                "city": data.city,
                "postal_code": data.postal_code,
                "country": data.country or "LU",
                "notes": data.notes,
                "location_lat": data.location_lat,
                "location_lng": data.location_lng,
                "captured_by": user,
                "owner": user,
            },
            user=user,
        )
        for contact_type, value in (
            (ProspectContact.ContactType.PHONE, data.phone.strip()),
            (ProspectContact.ContactType.EMAIL, data.email.strip().lower()),
            (ProspectContact.ContactType.WEBSITE, f"https://{prospect.domain_name}" if prospect.domain_name else ""),
        ):
            if value:
                contact_create(
                    prospect=prospect,
                    data={"contact_type": contact_type, "value": value, "label": data.contact_name, "is_primary": True},
                    user=user,
                )
        interaction_create(
            prospect=prospect,
            data={
                "interaction_type": data.interaction_type,
                "subject": f"Captured by {user.get_username()}",
                "notes": data.notes,
                "next_action": data.next_action,
                "next_action_date": data.next_action_date,
            },
            user=user,
        )
        activity_log_record(entity=prospect, action="captured", actor=user, description="Quick capture")
    return prospect
