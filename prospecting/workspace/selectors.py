"""Reads that combine apps: a prospect with everything the prospect page and the API detail show."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from prospecting.prospects.models import Prospect, ProspectContact


def prospect_detail_queryset() -> QuerySet[Prospect]:
    """Prospects with every profile joined and contacts prefetched, for detail views."""
    return Prospect.objects.select_related(
        "tech_profile", "performance_profile", "score", "captured_by", "owner"
    ).prefetch_related(Prefetch("contacts", queryset=ProspectContact.objects.order_by("-is_primary", "id")))
