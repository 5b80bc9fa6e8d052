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
from django.db.models import Avg, Count, Q, Sum
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
    counts = prospects.aggregate(
        total=Count("pk"),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Prospect.Status.values},
        **{f"channel_{value}": Count("pk", filter=Q(channel=value)) for value in Prospect.Channel.values},
        **{f"done_{step}": Count("pk", filter=Q(**{f"{field}__isnull": False})) for step, field in _COVERAGE.items()},
        follow_ups_overdue=Count("pk", filter=Q(next_follow_up_at__lt=today)),
        follow_ups_due_today=Count("pk", filter=Q(next_follow_up_at=today)),
    )
    score_figures = {
        "scored": Count("pk"),
        "average": Avg("score"),
        **{f"tier_{value}": Count("pk", filter=Q(lead_tier=value)) for value in ProspectScore.LeadTier.values},
    }
    if _scope(user) == Q():  # every prospect: one scan of the scores table, no join
        scores = ProspectScore.objects.aggregate(**score_figures)
    else:  # some prospects: the scores of those (by the prospects' owner index, then one-to-one)
        scores = ProspectScore.objects.filter(prospect__in=prospects.values("pk")).aggregate(**score_figures)
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
    creation dates (the cohort)."""
    prospects = Prospect.objects.filter(_scope(user))
    if date_from:
        prospects = prospects.filter(created_at__date__gte=date_from)
    if date_to:
        prospects = prospects.filter(created_at__date__lte=date_to)
    report = {}
    for name, key in (("by_source", "source"), ("by_tier", "score__lead_tier")):
        rows = prospects.values(key).annotate(
            prospects=Count("pk"),
            contacted=Count("pk", filter=Q(status__in=CONTACTED_OR_LATER)),
            converted=Count("pk", filter=Q(status=Prospect.Status.CONVERTED)),
            mrr=Sum("conversion__mrr", filter=Q(status=Prospect.Status.CONVERTED)),
        )
        days = _days_to_convert(prospects, key)
        report[name] = sorted(
            (
                {
                    "group": row[key] or "",
                    "prospects": row["prospects"],
                    "contacted": row["contacted"],
                    "converted": row["converted"],
                    "conversion_rate": _percent(row["converted"], row["contacted"]),
                    "mrr": row["mrr"] or Decimal("0.00"),
                    "median_days_to_convert": _median(days.get(row[key], [])),
                }
                for row in rows
            ),
            key=lambda row: (-row["converted"], -row["prospects"], row["group"]),
        )
    return report


def _days_to_convert(prospects: Any, key: str) -> dict[Any, list[int]]:
    """Days to convert of the converted prospects, per group (converted prospects are few: read them)."""
    found: dict[Any, list[int]] = {}
    rows = prospects.filter(status=Prospect.Status.CONVERTED, conversion__days_to_convert__isnull=False)
    for group, days in rows.values_list(key, "conversion__days_to_convert").iterator(chunk_size=5000):
        found.setdefault(group, []).append(days)
    return found


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None
