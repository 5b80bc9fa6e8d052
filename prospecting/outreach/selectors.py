"""Reads of the outreach app: who a message goes to (in bulk), the sends list, per-template statistics."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from prospecting.core.suppression import suppression_check
from prospecting.outreach.models import CampaignSend, CampaignTemplate, CustomVariable
from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.prospects.selectors import primary_contact_value


@dataclass
class Recipient:
    """What a message needs to know about a prospect: plain values only."""

    prospect_id: int
    business_name: str
    domain: str
    city: str
    status: str
    email: str
    contact_name: str = ""
    score: int | None = None
    lead_tier: str = ""
    lead_type: str = ""
    breakdown: dict[str, Any] = field(default_factory=dict)
    address: str = ""
    postal_code: str = ""
    country: str = ""
    owner_id: int | None = None
    informed: bool = True  # False until a message carrying the privacy notice reached the prospect


def _primary_email_label() -> Subquery:
    contacts = ProspectContact.objects.filter(prospect=OuterRef("pk"), contact_type="email")
    return Subquery(contacts.order_by("-is_primary", "id").values("label")[:1])


def recipients_load(prospect_ids: Iterable[int]) -> dict[int, Recipient]:
    """The recipients of these prospects, in one query."""
    rows = (
        Prospect.objects.filter(pk__in=list(prospect_ids))
        .annotate(primary_email=primary_contact_value("email"), primary_email_label=_primary_email_label())
        .values_list(
            "pk",
            "business_name",
            "domain_name",
            "city",
            "status",
            "primary_email",
            "primary_email_label",
            "score__score",
            "score__lead_tier",
            "score__lead_type",
            "score__score_breakdown",
            "address",
            "postal_code",
            "country",
            "owner_id",
            "informed_at",
        )
    )
    result = {}
    for pk, name, domain, city, status, email, label, score, tier, lead_type, breakdown, *place in rows:
        if isinstance(breakdown, str):  # raw JSON text where the database has no JSON type in values()
            breakdown = json.loads(breakdown or "{}")
        address, postal_code, country, owner_id, informed_at = place
        result[pk] = Recipient(
            prospect_id=pk,
            business_name=name or "",
            domain=domain or "",
            city=city or "",
            status=status,
            email=(email or "").lower(),
            contact_name=label or "",
            score=score,
            lead_tier=tier or "",
            lead_type=lead_type or "",
            breakdown=breakdown or {},
            address=address or "",
            postal_code=postal_code or "",
            country=country or "",
            owner_id=owner_id,
            informed=informed_at is not None,
        )
    return result


def do_not_contact_among(emails: Iterable[str]) -> set[str]:
    """Which of these addresses are on the suppression list, themselves or by their domain (one query)."""
    wanted = {email.lower() for email in emails if email}
    if not wanted:
        return set()
    check = suppression_check(emails=wanted)
    return {email for email in wanted if check.email(email)} if check else set()


def custom_variable_values() -> dict[str, str]:
    return dict(CustomVariable.objects.filter(is_active=True).values_list("key", "default_value"))


def sends_queryset() -> QuerySet[CampaignSend]:
    return CampaignSend.objects.select_related("template", "prospect", "step", "sender_account")


def _stats(queryset: QuerySet) -> dict[str, int]:
    return queryset.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=CampaignSend.Status.SENT)),
        skipped=Count("pk", filter=Q(status=CampaignSend.Status.SKIPPED)),
        failed=Count("pk", filter=Q(status=CampaignSend.Status.FAILED)),
        queued=Count("pk", filter=Q(status__in=[CampaignSend.Status.QUEUED, CampaignSend.Status.SENDING])),
        review=Count("pk", filter=Q(status=CampaignSend.Status.REVIEW)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        complained=Count("pk", filter=Q(complained_at__isnull=False)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
    )


def send_stats(
    *,
    template: CampaignTemplate | None = None,
    sequence_id: int | None = None,
    queryset: QuerySet[CampaignSend] | None = None,
) -> dict[str, int]:
    """Sent, skipped, opened, clicked, bounced, unsubscribed ... of a template or a sequence (or of a set)."""
    queryset = queryset if queryset is not None else CampaignSend.objects.all()
    if template is not None:
        queryset = queryset.filter(template=template)
    if sequence_id is not None:
        queryset = queryset.filter(step__sequence_id=sequence_id)
    return _stats(queryset)
