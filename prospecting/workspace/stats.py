"""The dashboard's numbers (seed 002 `GET stats`) and the conversions report (seed 003 leadSourceRoi).

Every figure is over the prospects the user may see: everything for Admins and Viewers, their own and the
unassigned ones for a Sales user. Rather than one query per user with an `owner = me OR owner IS NULL` condition
(PostgreSQL then reads every prospect again for every user: 1.4 s at a million), each figure is one aggregate
*grouped by owner*, shared by everyone and kept `STATS_CACHE_SECONDS` (a minute by default); a user's numbers are
the sum of the owner groups they may see. Scores and tiers are read from the prospects' copies
(`Prospect.lead_score`, `lead_tier`, written by scoring with the scores), so no aggregate joins a million scores
to a million prospects. Figures that need a join only to learn the owner (sends, replies, conversions) are
grouped by owner only when someone with a limited view asks. The user's own follow-ups are always read live (one
indexed query).
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from prospecting.interactions.models import Interaction
from prospecting.outreach.models import CampaignSend
from prospecting.prospects.models import Conversion, Prospect
from prospecting.prospects.selectors import prospect_visibility_q
from prospecting.scoring.models import ProspectScore

User = AbstractBaseUser | AnonymousUser | None
T = TypeVar("T")
CONTACTED_OR_LATER = [Prospect.Status.CONTACTED, Prospect.Status.CONVERTED, Prospect.Status.INACTIVE]
_COVERAGE = {
    "http_check": "last_http_check_at",
    "tech_scan": "last_tech_scan_at",
    "performance": "last_performance_scan_at",
    "contacts": "last_contact_scrape_at",
}
EVERY_OWNER = "*"  # the owner key of rows that were not grouped by owner


def _owners_seen(user: User) -> set[int | None] | None:
    """The owner ids whose prospects this user sees (None stands for unassigned); None: every owner."""
    if prospect_visibility_q(user) == Q():
        return None
    if user is None or not user.is_authenticated:
        return set()
    return {user.pk, None}


def _cached(key: str, compute: Callable[[], T]) -> T:
    seconds = settings.STATS_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = f"stats:{key}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def _seen(rows: Iterable[dict[str, Any]], owners: set[int | None] | None) -> list[dict[str, Any]]:
    return [row for row in rows if owners is None or row["owner"] in owners]


def _grouped(
    queryset: QuerySet, owner_path: str | None, *fields: str, named: dict[str, Any] | None = None, **aggregates: Any
) -> list[dict[str, Any]]:
    """`queryset` aggregated per `fields` and per the `named` expressions ({"alias": F(...)}), and per owner when
    `owner_path` is given (otherwise every row's owner is EVERY_OWNER), as plain dicts."""
    named = dict(named or {})
    if owner_path is not None:
        named["grouped_owner"] = F(owner_path)  # not "owner": a field of the prospect has that name
    if not fields and not named:
        return [{**queryset.aggregate(**aggregates), "owner": EVERY_OWNER}]
    rows = queryset.order_by().values(*fields, **named).annotate(**aggregates)
    return [_with_owner(row) for row in rows]


def _with_owner(row: dict[str, Any]) -> dict[str, Any]:
    row["owner"] = row.pop("grouped_owner", EVERY_OWNER)
    return row


def _per_owner_or_all(name: str, owners: set[int | None] | None, compute: Callable[[str | None], list]) -> list:
    """Rows of one figure: not grouped by owner for someone who sees everything (no join to the prospects),
    grouped by owner otherwise; each variant computed once per cache period for everyone."""
    if owners is None:
        return _cached(f"{name}:all", lambda: compute(None))
    return _seen(_cached(f"{name}:by-owner", lambda: compute("owner")), owners)


def _sum(rows: Iterable[dict[str, Any]], field: str) -> int:
    return sum(row[field] or 0 for row in rows)


def _prospect_groups(today: datetime.date) -> list[dict[str, Any]]:
    """One GROUP BY over small columns of the prospects alone (owner, status, channel, tier, source), shared by
    the dashboard and the conversions report (whose counts follow from the status)."""
    return _cached(
        f"prospects:{today}",
        lambda: _grouped(
            Prospect.objects.all(),
            "owner_id",
            "status",
            "channel",
            "lead_tier",
            "source",
            n=Count("pk"),
            scored=Count("lead_score"),
            total_score=Sum("lead_score"),
            overdue=Count("pk", filter=Q(next_follow_up_at__lt=today)),
            due_today=Count("pk", filter=Q(next_follow_up_at=today)),
            **{f"done_{step}": Count(field) for step, field in _COVERAGE.items()},
        ),
    )


def stats_dashboard(*, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """Prospects by status, channel and tier; enrichment coverage per step; average score; sends, opens and
    replies; follow-ups due today and overdue (everyone's the user sees, and the user's own); conversions this
    month."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    owners = _owners_seen(user)

    prospect_rows = _seen(_prospect_groups(today), owners)
    send_rows = _per_owner_or_all(
        "sends",
        owners,
        lambda owner: _grouped(
            CampaignSend.objects.all(),
            owner and "prospect__owner_id",
            sent=Count("pk", filter=Q(status=CampaignSend.Status.SENT)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            failed=Count("pk", filter=Q(status=CampaignSend.Status.FAILED) | Q(bounced_at__isnull=False)),
        ),
    )
    reply_rows = _per_owner_or_all(
        "replies",
        owners,
        lambda owner: _grouped(
            Interaction.objects.filter(interaction_type="email_received"), owner and "prospect__owner_id", n=Count("pk")
        ),
    )
    conversion_rows = _per_owner_or_all(
        f"conversions:{month_start}",
        owners,
        lambda owner: _grouped(
            Conversion.objects.filter(converted_at__gte=month_start),
            owner and "prospect__owner_id",
            n=Count("pk"),
            mrr=Sum("mrr"),
        ),
    )
    mine = Interaction.objects.filter(
        follow_up_owner=user if user is not None and user.is_authenticated else None,
        follow_up_done_at__isnull=True,
        next_action_date__isnull=False,
    ).aggregate(
        overdue=Count("pk", filter=Q(next_action_date__lt=today)), today=Count("pk", filter=Q(next_action_date=today))
    )

    total = _sum(prospect_rows, "n")
    scored = _sum(prospect_rows, "scored")
    total_score = _sum(prospect_rows, "total_score")
    return {
        "prospects": {
            "total": total,
            "by_status": {v: _sum((r for r in prospect_rows if r["status"] == v), "n") for v in Prospect.Status.values},
            "by_channel": {
                v: _sum((r for r in prospect_rows if r["channel"] == v), "n") for v in Prospect.Channel.values
            },
            "by_tier": {
                v: _sum((r for r in prospect_rows if r["lead_tier"] == v), "n") for v in ProspectScore.LeadTier.values
            },
        },
        "enrichment_coverage": {
            **{
                step: {"done": (done := _sum(prospect_rows, f"done_{step}")), "percent": _percent(done, total)}
                for step in _COVERAGE
            },
            "score": {"done": scored, "percent": _percent(scored, total)},
        },
        "average_score": round(total_score / scored, 1) if scored else None,
        "outreach": {
            "sent": _sum(send_rows, "sent"),
            "opened": _sum(send_rows, "opened"),
            "failed": _sum(send_rows, "failed"),
            "replies": _sum(reply_rows, "n"),
        },
        "follow_ups": {
            "overdue": _sum(prospect_rows, "overdue"),
            "due_today": _sum(prospect_rows, "due_today"),
            "mine_overdue": mine["overdue"],
            "mine_due_today": mine["today"],
        },
        "conversions_this_month": {
            "count": _sum(conversion_rows, "n"),
            "mrr": sum((row["mrr"] or Decimal("0.00") for row in conversion_rows), Decimal("0.00")),
        },
    }


def stats_score_counts(*, user: User) -> dict[int, int]:
    """How many of the prospects the user sees have each score (0-100): the dashboard's score distribution
    (for who sees everything, read from the scores' own index; per owner from the prospects' copies)."""
    rows = _per_owner_or_all(
        "score-counts",
        _owners_seen(user),
        lambda owner: (
            _grouped(Prospect.objects.filter(lead_score__isnull=False), "owner_id", "lead_score", n=Count("pk"))
            if owner
            else _grouped(ProspectScore.objects.all(), None, named={"lead_score": F("score")}, n=Count("pk"))
        ),
    )
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["lead_score"]] = counts.get(row["lead_score"], 0) + row["n"]
    return counts


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


_COUNTS = {
    "prospects": Count("pk"),
    "contacted": Count("pk", filter=Q(status__in=CONTACTED_OR_LATER)),
    "converted": Count("pk", filter=Q(status=Prospect.Status.CONVERTED)),
}


def stats_conversions(
    *, user: User, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The conversions report, by source and by lead tier: prospects, contacted, converted, conversion rate
    (converted / contacted), MRR and median days to convert. `date_from`/`date_to` bound the prospects'
    creation dates (the cohort).

    Counts per source and tier come from one GROUP BY over the prospects (the dashboard's, for the whole base);
    prospects without a score are the tier ""; money and days from the conversions, which are few. All grouped
    by owner, shared and cached like the dashboard.
    """
    owners = _owners_seen(user)
    cohort = Prospect.objects.all()
    if date_from:
        cohort = cohort.filter(created_at__date__gte=date_from)
    if date_to:
        cohort = cohort.filter(created_at__date__lte=date_to)
    key = f"{date_from}:{date_to}"
    if date_from or date_to:
        counts = _seen(
            _cached(f"roi-counts:{key}", lambda: _grouped(cohort, "owner_id", "source", "lead_tier", **_COUNTS)),
            owners,
        )
    else:  # the whole base: the dashboard's shared groups, whose status says contacted and converted
        counts = [
            {
                **row,
                "prospects": row["n"],
                "contacted": row["n"] if row["status"] in CONTACTED_OR_LATER else 0,
                "converted": row["n"] if row["status"] == Prospect.Status.CONVERTED else 0,
            }
            for row in _seen(_prospect_groups(timezone.localdate()), owners)
        ]
    money = _seen(_cached(f"roi-money:{key}", lambda: _conversion_money(cohort)), owners)
    return {
        "by_source": _report_rows(counts, money, group="source", money_group="source"),
        "by_tier": _report_rows(counts, money, group="lead_tier", money_group="tier"),
    }


def _conversion_money(cohort: QuerySet[Prospect]) -> list[dict[str, Any]]:
    """MRR and conversions per owner, source, tier and days to convert, for the converted prospects of `cohort`.

    Read as two plain queries joined here: the conversions (few: one per customer won), then their prospects by
    primary key. Joined in SQL, PostgreSQL hashes every converted prospect (or every prospect) instead."""
    conversions = list(Conversion.objects.order_by().values_list("prospect_id", "mrr", "days_to_convert"))
    facts: dict[int, tuple[Any, str, str]] = {}
    ids = [row[0] for row in conversions]
    for start in range(0, len(ids), 5000):
        facts.update(
            (pk, (owner, source, tier))
            for pk, owner, source, tier in cohort.filter(
                pk__in=ids[start : start + 5000], status=Prospect.Status.CONVERTED
            ).values_list("pk", "owner_id", "source", "lead_tier")
        )
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for prospect_id, mrr, days in conversions:
        if prospect_id not in facts:
            continue
        owner, source, tier = facts[prospect_id]
        row = groups.setdefault(
            (owner, source, tier, days),
            {"owner": owner, "source": source, "tier": tier, "days_to_convert": days, "mrr_total": 0, "conversions": 0},
        )
        row["mrr_total"] += mrr or 0
        row["conversions"] += 1
    return list(groups.values())


def _report_rows(
    counts: list[dict[str, Any]], money: list[dict[str, Any]], *, group: str, money_group: str
) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, int]] = {}
    for row in counts:
        total = totals.setdefault(row[group] or "", {"prospects": 0, "contacted": 0, "converted": 0})
        for field in total:
            total[field] += row[field]
    mrr: dict[str, Decimal] = {}
    days: dict[str, list[int]] = {}
    for row in money:
        name = row[money_group] or ""
        mrr[name] = mrr.get(name, Decimal("0.00")) + (row["mrr_total"] or 0)
        if row["days_to_convert"] is not None:
            days.setdefault(name, []).extend([row["days_to_convert"]] * row["conversions"])
    rows = [
        {
            "group": name,
            **total,
            "conversion_rate": _percent(total["converted"], total["contacted"]),
            "mrr": mrr.get(name, Decimal("0.00")),
            "median_days_to_convert": _median(days.get(name, [])),
        }
        for name, total in totals.items()
    ]
    return sorted(rows, key=lambda row: (-row["converted"], -row["prospects"], row["group"]))


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None
