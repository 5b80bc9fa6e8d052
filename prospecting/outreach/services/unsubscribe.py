"""Unsubscribes: the recipient of a message asks for no more (the list itself is `core/suppression.py`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from prospecting.core.models import Suppression
from prospecting.core.suppression import suppression_add
from prospecting.outreach.models import CampaignSend, SequenceEnrolment


def unsubscribe(*, send: CampaignSend) -> Suppression | None:
    """The recipient of this message asked for no more messages: on the suppression list, out of every sequence."""
    from prospecting.outreach.services.sequences import enrolments_exit

    now = timezone.now()
    with transaction.atomic():
        CampaignSend.objects.filter(pk=send.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=now)
        entry = None
        if send.recipient:
            entry = suppression_add(
                kind=Suppression.Kind.EMAIL,
                value=send.recipient,
                reason=Suppression.Reason.UNSUBSCRIBED,
                origin=f"campaign send #{send.pk}",
            )
        enrolments_exit(prospect_ids=[send.prospect_id], reason=SequenceEnrolment.ExitReason.UNSUBSCRIBED)
    return entry
