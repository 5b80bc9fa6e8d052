"""Conversions (seed 003 leadSourceRoi): a won prospect's plan, revenue, attribution and time to convert."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from prospecting.core.services import activity_log_record
from prospecting.prospects.models import Conversion, Prospect
from prospecting.prospects.services.status import User, conversion_ensure, prospect_status_change


def prospect_convert(
    *,
    prospect: Prospect,
    user: User,
    plan: str = "",
    mrr: Decimal | int = 0,
    lifetime_value: Decimal | None = None,
    converted_at: datetime.date | None = None,
    attributed_source: str = "",
    reason: str = "",
    override: bool = False,
) -> Conversion:
    """Mark a prospect converted (through the status pipeline: from contacted, or an override with a reason)
    and record what it bought. Calling it again on a converted prospect corrects the figures."""
    converted_at = converted_at or timezone.localdate()
    with transaction.atomic():
        prospect_status_change(
            prospect=prospect, status=Prospect.Status.CONVERTED, user=user, reason=reason, override=override
        )
        prospect.refresh_from_db(fields=["contacted_at", "created_at", "source", "status"])
        conversion = conversion_ensure(prospect=prospect, user=user, converted_at=converted_at)
        conversion.plan = plan
        conversion.mrr = Decimal(mrr)
        conversion.lifetime_value = lifetime_value
        conversion.attributed_source = attributed_source or prospect.source
        conversion.converted_at = converted_at
        started = conversion.first_contact_at or prospect.created_at
        conversion.days_to_convert = max(0, (converted_at - timezone.localtime(started).date()).days)
        conversion.full_clean()
        conversion.save()
        activity_log_record(
            entity=prospect,
            action="converted",
            actor=user,
            description=f"Converted: {plan or 'no plan'}, MRR {conversion.mrr}",
            metadata={
                "plan": plan,
                "mrr": str(conversion.mrr),
                "lifetime_value": str(lifetime_value) if lifetime_value is not None else None,
                "days_to_convert": conversion.days_to_convert,
            },
        )
    return conversion
