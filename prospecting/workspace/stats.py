"""The dashboard's numbers (seed 002 `GET stats`) and the conversions report (seed 003 leadSourceRoi), read
with a few aggregate queries each, so they stay under a second at a million prospects on PostgreSQL.

Every figure is over the prospects the user may see (a Sales user: their own and the unassigned ones).
"""

from __future__ import annotations

import datetime
import statistics
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from prospecting.interactions.models import Interaction
from prospecting.outreach.models import CampaignSend
from prospecting.prospects.models import Conversion, Prospect
from prospecting.prospects.selectors import prospect_visibility_q
from prospecting.scoring.models import ProspectScore

User = AbstractBaseUser | AnonymousUser | None
CONTACTED_OR_LATER = [Prospect.Status.CONTACTED, Prospect.Status.CONVERTED, Prospect.Status.INACTIVE]
_COVERAGE = {
    "http_check": "last_http_check_at",
    "tech_scan": "last_tech_scan_at",
    "performance": "last_performance_scan_at",
    "contacts": "last_contact_scrape_at",
}


def _scope(user: User, path: str = "") -> Q:
    return prospect_visibility_q(user, path=path)


def stats_dashboard(*, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """Prospects by status, channel and tier; enrichment coverage per step; average score; sends, opens and
    replies; follow-ups due today and overdue (everyone's and the user's); conversions this month."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    prospects = Prospect.objects.filter(_scope(user))
    # One GROUP BY over two small columns (no per-row FILTER clauses), counting the non-empty step dates.
    counts: dict[str, int] = {"total": 0, **{f"done_{step}": 0 for step in _COVERAGE}}
    counts.update({f"status_{value}": 0 for value in Prospect.Status.values})
    counts.update({f"channel_{value}": 0 for value in Prospect.Channel.values})
    groups = (
        prospects.order_by()
        .values("status", "channel")
        .annotate(n=Count("pk"), **{f"done_{step}": Count(field) for step, field in _COVERAGE.items()})
    )
    for row in groups:
        counts["total"] += row["n"]
        counts[f"status_{row['status']}"] = counts.get(f"status_{row['status']}", 0) + row["n"]
        counts[f"channel_{row['channel']}"] = counts.get(f"channel_{row['channel']}", 0) + row["n"]
        for step in _COVERAGE:
            counts[f"done_{step}"] += row[f"done_{step}"]
    # Indexed range counts (next_follow_up_at; with the owner for a Sales user).
    counts["follow_ups_overdue"] = prospects.filter(next_follow_up_at__lt=today).count()
    counts["follow_ups_due_today"] = prospects.filter(next_follow_up_at=today).count()
    score_rows = ProspectScore.objects.all()
    if _scope(user) != Q():  # some prospects: the scores of those
        score_rows = score_rows.filter(prospect__in=prospects.values("pk"))
    scores: dict[str, Any] = {"scored": 0, "total_score": 0}
    scores.update({f"tier_{value}": 0 for value in ProspectScore.LeadTier.values})
    for row in score_rows.order_by().values("lead_tier").annotate(n=Count("pk"), total=Sum("score")):
        scores["scored"] += row["n"]
        scores["total_score"] += row["total"] or 0
        scores[f"tier_{row['lead_tier']}"] = scores.get(f"tier_{row['lead_tier']}", 0) + row["n"]
    scores["average"] = scores["total_score"] / scores["scored"] if scores["scored"] else None
    sends = CampaignSend.objects.filter(_scope(user, "prospect")).aggregate(
        sent=Count("pk", filter=Q(status=CampaignSend.Status.SENT)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        failed=Count("pk", filter=Q(status=CampaignSend.Status.FAILED) | Q(bounced_at__isnull=False)),
    )
    replies = Interaction.objects.filter(_scope(user, "prospect"), interaction_type="email_received").count()
    mine = Interaction.objects.filter(
        follow_up_owner=user if user is not None and user.is_authenticated else None,
        follow_up_done_at__isnull=True,
        next_action_date__isnull=False,
    ).aggregate(
        overdue=Count("pk", filter=Q(next_action_date__lt=today)), today=Count("pk", filter=Q(next_action_date=today))
    )
    conversions = Conversion.objects.filter(_scope(user, "prospect"), converted_at__gte=month_start).aggregate(
        count=Count("pk"), mrr=Sum("mrr")
    )
    total = counts["total"]
    return {
        "prospects": {
            "total": total,
            "by_status": {value: counts[f"status_{value}"] for value in Prospect.Status.values},
            "by_channel": {value: counts[f"channel_{value}"] for value in Prospect.Channel.values},
            "by_tier": {value: scores[f"tier_{value}"] for value in ProspectScore.LeadTier.values},
        },
        "enrichment_coverage": {
            **{
                step: {"done": counts[f"done_{step}"], "percent": _percent(counts[f"done_{step}"], total)}
                for step in _COVERAGE
            },
            "score": {"done": scores["scored"], "percent": _percent(scores["scored"], total)},
        },
        "average_score": round(scores["average"], 1) if scores["average"] is not None else None,
        "outreach": {"sent": sends["sent"], "opened": sends["opened"], "failed": sends["failed"], "replies": replies},
        "follow_ups": {
            "overdue": counts["follow_ups_overdue"],
            "due_today": counts["follow_ups_due_today"],
            "mine_overdue": mine["overdue"],
            "mine_due_today": mine["today"],
        },
        "conversions_this_month": {"count": conversions["count"], "mrr": conversions["mrr"] or Decimal("0.00")},
    }


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def stats_conversions(
    *, user: User, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The conversions report, by source and by lead tier: prospects, contacted, converted, conversion rate
    (converted / contacted), MRR and median days to convert. `date_from`/`date_to` bound the prospects'
    creation dates (the cohort).

    Counts come from one GROUP BY over the prospects (the tier: over the scores, joined to the prospects only
    for the contacted ones); money and days from the conversions, which are few.
    """
    prospects = Prospect.objects.filter(_scope(user))
    if date_from:
        prospects = prospects.filter(created_at__date__gte=date_from)
    if date_to:
        prospects = prospects.filter(created_at__date__lte=date_to)
    conversions = Conversion.objects.filter(
        prospect__in=prospects.filter(status=Prospect.Status.CONVERTED).values("pk")
    )
    report = {
        "by_source": _report_rows(
            counts=prospects.order_by().values(group=F("source")).annotate(**_COUNTS),
            conversions=conversions,
            key="prospect__source",
        ),
        "by_tier": _report_rows(
            counts=_tier_counts(prospects, everything=_scope(user) == Q() and not (date_from or date_to)),
            conversions=conversions,
            key="prospect__score__lead_tier",
        ),
    }
    return report


_COUNTS = {
    "prospects": Count("pk"),
    "contacted": Count("pk", filter=Q(status__in=CONTACTED_OR_LATER)),
    "converted": Count("pk", filter=Q(status=Prospect.Status.CONVERTED)),
}


def _tier_counts(prospects: Any, *, everything: bool) -> list[dict[str, Any]]:
    """Prospects, contacted and converted per lead tier (unscored prospects in the group "")."""
    if not everything:
        return list(prospects.order_by().values(group=F("score__lead_tier")).annotate(**_COUNTS))
    per_tier = dict(ProspectScore.objects.order_by().values_list("lead_tier").annotate(n=Count("pk")))
    reached = {
        row["group"]: row
        for row in prospects.filter(status__in=CONTACTED_OR_LATER)
        .order_by()
        .values(group=F("score__lead_tier"))
        .annotate(contacted=Count("pk"), converted=Count("pk", filter=Q(status=Prospect.Status.CONVERTED)))
    }
    unscored = prospects.count() - sum(per_tier.values())
    groups = {**per_tier, **({None: unscored} if unscored else {})}
    for group in reached:
        groups.setdefault(group, 0)
    return [
        {
            "group": group,
            "prospects": count,
            "contacted": reached.get(group, {}).get("contacted", 0),
            "converted": reached.get(group, {}).get("converted", 0),
        }
        for group, count in groups.items()
    ]


def _report_rows(*, counts: Any, conversions: Any, key: str) -> list[dict[str, Any]]:
    mrr = dict(conversions.order_by().values_list(key).annotate(total=Sum("mrr")))
    days: dict[Any, list[int]] = {}
    for group, value in conversions.filter(days_to_convert__isnull=False).values_list(key, "days_to_convert"):
        days.setdefault(group, []).append(value)
    rows = [
        {
            "group": row["group"] or "",
            "prospects": row["prospects"],
            "contacted": row["contacted"],
            "converted": row["converted"],
            "conversion_rate": _percent(row["converted"], row["contacted"]),
            "mrr": mrr.get(row["group"]) or Decimal("0.00"),
            "median_days_to_convert": _median(days.get(row["group"], [])),
        }
        for row in counts
    ]
    return sorted(rows, key=lambda row: (-row["converted"], -row["prospects"], row["group"]))


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None
