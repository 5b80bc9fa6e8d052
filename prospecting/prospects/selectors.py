"""Reads on prospects."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect, ProspectContact


def prospect_detail_queryset() -> QuerySet[Prospect]:
    """Prospects with every profile joined and contacts prefetched, for detail views."""
    return Prospect.objects.select_related(
        "tech_profile", "performance_profile", "score", "captured_by", "owner"
    ).prefetch_related(Prefetch("contacts", queryset=ProspectContact.objects.order_by("-is_primary", "id")))


LEAD_EXPORT_HEADER = [
    "business",
    "domain",
    "status",
    "channel",
    "score",
    "tier",
    "primary_email",
    "primary_phone",
    "city",
    "cms",
    "reason_flags",
    "last_interaction",
]


def primary_contact_value(contact_type: str) -> Subquery:
    """Annotation: the value of a prospect's primary contact of this type (else its oldest one)."""
    contacts = ProspectContact.objects.filter(prospect=OuterRef("pk"), contact_type=contact_type)
    return Subquery(contacts.order_by("-is_primary", "id").values("value")[:1])


def leads_export_rows(*, queryset: QuerySet[Prospect], chunk_size: int = 2000) -> Iterator[tuple]:
    """Rows of the lead export for `queryset`, streamed from the database in chunks.

    One query (contacts and the last interaction are correlated subqueries), read through a server-side
    cursor where the database has one, so memory stays flat whatever the number of rows.
    """
    last_interaction = Interaction.objects.filter(prospect=OuterRef("pk")).order_by("-created_at", "-id")
    rows = (
        queryset.order_by("pk")
        .annotate(
            primary_email=primary_contact_value("email"),
            primary_phone=primary_contact_value("phone"),
            last_interaction_at=Subquery(last_interaction.values("created_at")[:1]),
            last_interaction_type=Subquery(last_interaction.values("interaction_type")[:1]),
        )
        .values_list(
            "business_name",
            "domain_name",
            "status",
            "channel",
            "score__score",
            "score__lead_tier",
            "primary_email",
            "primary_phone",
            "city",
            "tech_profile__cms",
            "score__reason_flags",
            "last_interaction_at",
            "last_interaction_type",
        )
    )
    for row in rows.iterator(chunk_size=chunk_size):
        *head, flags, last_at, last_type = row
        if isinstance(flags, str):  # raw JSON text on databases without a native JSON type in values()
            flags = json.loads(flags or "[]")
        last = f"{last_at:%Y-%m-%d} {last_type}" if last_at else ""
        yield (*head, " ".join(flags or []), last)


def prospect_home_url(prospect: Prospect) -> str:
    """Where a prospect's site lives: the HTTP check's final URL, else its domain on the scheme it serves."""
    return prospect.redirect_url or f"{'https' if prospect.uses_https else 'http'}://{prospect.domain_name}/"
