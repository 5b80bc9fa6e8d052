"""Reads on prospects."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from prospecting.prospects.models import ImportRow, Prospect, ProspectContact


def primary_contact_value(contact_type: str) -> Subquery:
    """Annotation: the value of a prospect's primary contact of this type (else its oldest one)."""
    contacts = ProspectContact.objects.filter(prospect=OuterRef("pk"), contact_type=contact_type)
    return Subquery(contacts.order_by("-is_primary", "id").values("value")[:1])


def prospect_home_url(prospect: Prospect) -> str:
    """Where a prospect's site lives: the HTTP check's final URL, else its domain on the scheme it serves."""
    return prospect.redirect_url or f"{'https' if prospect.uses_https else 'http'}://{prospect.domain_name}/"


def prospects_created_by_import(batch_id: int) -> QuerySet[ImportRow]:
    """The ids of the prospects an import batch created (a subquery: any number of rows)."""
    return ImportRow.objects.filter(
        batch_id=batch_id, outcome=ImportRow.Outcome.CREATED, prospect__isnull=False
    ).values("prospect_id")
