"""Reads of scored prospects: the leads lists."""

from __future__ import annotations

from django.db.models import QuerySet

from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import primary_contact_value


def leads_queryset(base: QuerySet[Prospect] | None = None) -> QuerySet[Prospect]:
    """Scored prospects with score and primary contacts joined in the same query, best first."""
    queryset = base if base is not None else Prospect.objects.all()
    return (
        queryset.filter(score__isnull=False)
        .select_related("score")
        .annotate(primary_email=primary_contact_value("email"), primary_phone=primary_contact_value("phone"))
        .order_by("-score__score", "-pk")
    )


def main_reasons(breakdown: dict, limit: int = 3) -> list[str]:
    """The labels of the rules that added the most points."""
    items = sorted(breakdown.values(), key=lambda item: -item.get("points", 0))
    return [item["label"] for item in items[:limit] if item.get("points")]


def score_compute_targets(params: dict) -> QuerySet[Prospect]:
    """Which prospects a score-compute job covers: explicit ids, stale ones, a leads filter, or all."""
    from prospecting.prospects.filters import ProspectFilter
    from prospecting.scoring.services import stale_scores_queryset

    if params.get("prospect_ids"):
        return Prospect.objects.filter(pk__in=params["prospect_ids"])
    if params.get("stale"):
        return stale_scores_queryset()
    if params.get("filter"):
        filterset = ProspectFilter(params["filter"], queryset=Prospect.objects.all())
        if not filterset.is_valid():
            raise ValueError(f"Invalid filter: {dict(filterset.errors)}")
        return filterset.qs
    return Prospect.objects.all()
