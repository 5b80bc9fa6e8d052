"""Reads of scored prospects: the leads lists and the lead export."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from prospecting.interactions.models import Interaction
from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import primary_contact_value
from prospecting.scoring.rules import active_rule_set


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


def stale_score_condition() -> Q:
    """A score that is missing, made with other rules, or older than the prospect's latest enrichment."""
    version = active_rule_set().version
    newer = Q()
    for field in ["last_http_check_at", "last_tech_scan_at", "last_performance_scan_at", "last_contact_scrape_at"]:
        newer |= Q(**{f"{field}__gt": F("score__computed_at")})
    return Q(score__isnull=True) | ~Q(score__rules_version=version) | newer


def stale_scores_queryset() -> QuerySet[Prospect]:
    """Prospects whose score is missing, made with other rules, or older than their latest enrichment."""
    return Prospect.objects.filter(stale_score_condition())


def score_compute_targets(params: dict, *, or_done_since: datetime.datetime | None = None) -> QuerySet[Prospect]:
    """Which prospects a score-compute job covers: explicit ids, stale ones, a leads filter, or all.

    `or_done_since` keeps stale prospects recomputed since then in the set (a resumed job counts them as done).
    """
    if params.get("prospect_ids"):
        return Prospect.objects.filter(pk__in=params["prospect_ids"])
    if params.get("stale"):
        condition = stale_score_condition()
        if or_done_since is not None:
            condition |= Q(score__computed_at__gte=or_done_since)
        return Prospect.objects.filter(condition)
    if params.get("filter"):
        filterset = ProspectFilter(params["filter"], queryset=Prospect.objects.all())
        if not filterset.is_valid():
            raise ValueError(f"Invalid filter: {dict(filterset.errors)}")
        return filterset.qs
    return Prospect.objects.all()


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
# The same columns for files opened by people (the admin's downloads): titles and labels instead of codes.
LEAD_EXPORT_HEADER_FOR_PEOPLE = [
    "Business",
    "Domain",
    "Status",
    "Channel",
    "Score",
    "Tier",
    "E-mail",
    "Phone",
    "City",
    "CMS",
    "Main reasons",
    "Last interaction",
    "Last interaction type",
]


def leads_export_rows(
    *, queryset: QuerySet[Prospect], chunk_size: int = 2000, for_people: bool = False
) -> Iterator[tuple]:
    """Rows of the lead export for `queryset`, streamed from the database in chunks.

    One query (contacts and the last interaction are correlated subqueries), read through a server-side
    cursor where the database has one, so memory stays flat whatever the number of rows. `for_people`
    gives the rows of LEAD_EXPORT_HEADER_FOR_PEOPLE: labels instead of codes, the date as a date.
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
    if for_people:
        yield from _rows_for_people(rows.iterator(chunk_size=chunk_size))
        return
    for row in rows.iterator(chunk_size=chunk_size):
        *head, flags, last_at, last_type = row
        last = f"{last_at:%Y-%m-%d} {last_type}" if last_at else ""
        yield (*head, " ".join(_flags(flags)), last)


def _flags(flags: object) -> list[str]:
    if isinstance(flags, str):  # raw JSON text on databases without a native JSON type in values()
        flags = json.loads(flags or "[]")
    return list(flags or [])


def _rows_for_people(rows: Iterator[tuple]) -> Iterator[tuple]:
    from prospecting.scoring.models import ProspectScore

    statuses, channels = dict(Prospect.Status.choices), dict(Prospect.Channel.choices)
    tiers, types = dict(ProspectScore.LeadTier.choices), dict(Interaction.InteractionType.choices)
    reasons = {rule.key: rule.label for rule in active_rule_set().rules}
    for business, domain, status, channel, score, tier, email, phone, city, cms, flags, last_at, last_type in rows:
        yield (
            business,
            domain,
            str(statuses.get(status, status)),
            str(channels.get(channel, channel)),
            score,
            str(tiers.get(tier, tier or "")),
            email,
            phone,
            city,
            cms,
            "; ".join(gettext(reasons.get(flag, flag)) for flag in _flags(flags)),  # in the user's language
            timezone.localtime(last_at).replace(tzinfo=None) if last_at else None,
            str(types.get(last_type, last_type or "")),
        )
