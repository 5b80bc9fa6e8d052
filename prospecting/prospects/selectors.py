"""Reads on prospects."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect, ProspectContact


def prospect_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Prospect]:
    """Prospects matching the API's filters, with their score joined (one query per page)."""
    queryset = Prospect.objects.select_related("score")
    return ProspectFilter(filters or {}, queryset=queryset).qs


def prospect_detail_queryset() -> QuerySet[Prospect]:
    """Prospects with every profile joined and contacts prefetched, for detail views."""
    return Prospect.objects.select_related(
        "tech_profile", "performance_profile", "score", "captured_by", "owner"
    ).prefetch_related(Prefetch("contacts", queryset=ProspectContact.objects.order_by("-is_primary", "id")))
