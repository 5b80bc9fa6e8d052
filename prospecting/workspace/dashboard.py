"""The dashboard's reads (the admin's home page): the numbers of `stats.py` (seed 002 `GET stats`) and the few
the dashboard shows besides (score distribution, campaign results, recent jobs), each an aggregate query."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from prospecting.core.jobs import jobs_mark_stalled
from prospecting.core.models import ScanJob
from prospecting.interactions.models import Interaction
from prospecting.outreach.models import CampaignSend
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospect_visibility_q
from prospecting.scoring.models import ProspectScore
from prospecting.workspace.stats import stats_conversions, stats_dashboard, stats_score_counts

User = AbstractBaseUser | AnonymousUser | None
SCORE_BUCKETS = [(0, 9), (10, 19), (20, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79), (80, 89), (90, 100)]
RECENT_JOBS = 6
CAMPAIGNS_SHOWN = 6
MY_FOLLOW_UPS_SHOWN = 8


def dashboard_data(*, user: User) -> dict[str, Any]:
    """Everything the dashboard shows. The aggregates are kept `STATS_CACHE_SECONDS` (those of `stats.py` by
    `stats.py`, shared by all users; the score bands and campaign results here, per set of prospects seen);
    the recent jobs are read fresh."""
    stats = stats_dashboard(user=user)
    total = stats["prospects"]["total"]
    everything = prospect_visibility_q(user) == Q()
    key = f"dashboard:{'all' if everything else getattr(user, 'pk', None)}"
    extras = cache.get(key) if settings.STATS_CACHE_SECONDS > 0 else None
    if extras is None:
        extras = {
            "score_distribution": dashboard_score_distribution(user=user),
            "campaigns": dashboard_campaign_results(user=user),
            "computed_at": timezone.now(),
        }
        if settings.STATS_CACHE_SECONDS > 0:
            cache.set(key, extras, settings.STATS_CACHE_SECONDS)
    return {
        "stats": stats,
        "status_rows": _rows(stats["prospects"]["by_status"], Prospect.Status, total),
        "channel_rows": _rows(stats["prospects"]["by_channel"], Prospect.Channel, total),
        "tier_rows": _rows(stats["prospects"]["by_tier"], ProspectScore.LeadTier, total),
        "coverage_rows": [
            {"key": step, "label": label, **stats["enrichment_coverage"][step]}
            for step, label in [
                ("http_check", _("HTTP check")),
                ("tech_scan", _("Tech scan")),
                ("performance", _("Performance")),
                ("contacts", _("Contacts")),
                ("score", _("Score")),
            ]
        ],
        "conversions_by_source": stats_conversions(user=user)["by_source"][:8],
        **extras,
        "my_follow_ups": dashboard_my_follow_ups(user=user),
        "today": timezone.localdate(),
        "jobs": dashboard_recent_jobs(user=user),
    }


def _rows(counts: dict[str, int], choices: Any, total: int) -> list[dict[str, Any]]:
    """Rows for a bar list: the bar's length is relative to the largest count, the share to the total."""
    labels = dict(choices.choices)
    largest = max(counts.values(), default=0)
    return [
        {
            "key": key,
            "label": labels.get(key, key),
            "count": count,
            "percent": round(100 * count / total, 1) if total else 0,
            "bar": round(100 * count / largest, 1) if largest else 0,
        }
        for key, count in counts.items()
    ]


def dashboard_score_distribution(*, user: User) -> list[dict[str, Any]]:
    """How many scored prospects fall in each ten-point band (0-9 ... 90-100), from the shared per-owner
    counts of each score (no join of the scores to the prospects)."""
    per_score = stats_score_counts(user=user)
    bands = [
        {"low": low, "high": high, "count": sum(n for score, n in per_score.items() if low <= score <= high)}
        for low, high in SCORE_BUCKETS
    ]
    tallest = max((band["count"] for band in bands), default=0)
    for band in bands:
        band["height"] = round(100 * band["count"] / tallest) if tallest else 0
        band["y"] = 100 - band["height"]  # the SVG chart's bar top (the chart is 100 high)
    return bands


def dashboard_campaign_results(*, user: User) -> list[dict[str, Any]]:
    """Sent, opened, clicked, bounced and unsubscribed per campaign template, the most recently used first."""
    sends = CampaignSend.objects.filter(prospect_visibility_q(user, path="prospect"))
    rows = (
        sends.order_by()
        .values("template_id", "template__name")
        .annotate(
            sent=Count("pk", filter=Q(status=CampaignSend.Status.SENT)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
            unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
            last=Max("pk"),
        )
        .order_by("-last")[:CAMPAIGNS_SHOWN]
    )
    return [
        {
            **row,
            "name": row["template__name"],
            "open_rate": round(100 * row["opened"] / row["sent"]) if row["sent"] else None,
        }
        for row in rows
    ]


def dashboard_recent_jobs(*, user: User) -> list[ScanJob]:
    """The latest background jobs (the Scan jobs page's rows), for who may see that page; never cached, so
    their progress is live."""
    if user is None or not user.has_perm("core.view_scanjob"):
        return []
    jobs_mark_stalled()
    return list(ScanJob.objects.select_related("created_by").order_by("-created_at", "-pk")[:RECENT_JOBS])


def dashboard_my_follow_ups(*, user: User, limit: int = MY_FOLLOW_UPS_SHOWN) -> list[Interaction]:
    """The user's open follow-ups due today or overdue, oldest first (the open-follow-up index serves it);
    read fresh, so a task marked done leaves the dashboard at once."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        Interaction.objects.filter(
            prospect_visibility_q(user, path="prospect"),
            follow_up_owner=user,
            follow_up_done_at__isnull=True,
            next_action_date__lte=timezone.localdate(),
        )
        .select_related("prospect")
        .order_by("next_action_date", "pk")[:limit]
    )
