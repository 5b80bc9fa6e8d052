"""Discovery reads: what a job found, and how each source of prospects performs (seed 003 apiPerformance)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, Sum

from prospecting.core.models import ScanJob
from prospecting.discovery.models import DiscoverySource, ProviderUsage, RawRecord
from prospecting.prospects.models import Prospect, ProspectContact


def discovery_job_counts(job: ScanJob) -> dict[str, int]:
    """Listings found and stored, and what became of the stored ones."""
    by_status = dict(
        RawRecord.objects.filter(job=job).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "found": job.params.get("found", 0),
        "stored": job.params.get("stored", 0),
        **{status: by_status.get(status, 0) for status in RawRecord.Status.values},
    }


def source_performance() -> list[dict[str, Any]]:
    """Per source of prospects (an import's source, a discovery source, quick capture, ...): prospects found,
    enriched, with an e-mail, average score, contacted, converted, cost, cost per lead and per conversion.
    One grouped query over prospects, one over provider usage."""
    has_email = Exists(ProspectContact.objects.filter(prospect=OuterRef("pk"), contact_type="email"))
    rows = (
        Prospect.objects.annotate(has_email=has_email)
        .values("source")
        .annotate(
            prospects=Count("pk"),
            enriched=Count("pk", filter=Q(last_http_check_at__isnull=False)),
            with_email=Count("pk", filter=Q(has_email=True)),
            average_score=Avg("score__score"),
            contacted=Count("pk", filter=Q(status__in=["contacted", "converted"])),
            converted=Count("pk", filter=Q(status="converted")),
        )
        .order_by("-prospects", "source")
    )
    costs = dict(
        ProviderUsage.objects.values("source__slug").annotate(total=Sum("cost")).values_list("source__slug", "total")
    )
    names = dict(DiscoverySource.objects.values_list("slug", "name"))
    report = []
    for row in rows:
        cost = costs.get(row["source"]) or Decimal(0)
        report.append(
            {
                "source": row["source"] or "(none)",
                "name": names.get(row["source"], row["source"] or "(none)"),
                "prospects": row["prospects"],
                "enriched": row["enriched"],
                "with_email": row["with_email"],
                "average_score": round(row["average_score"], 1) if row["average_score"] is not None else None,
                "contacted": row["contacted"],
                "converted": row["converted"],
                "cost": cost.quantize(Decimal("0.01")),
                "cost_per_lead": (cost / row["prospects"]).quantize(Decimal("0.01")) if row["prospects"] else None,
                "cost_per_conversion": (cost / row["converted"]).quantize(Decimal("0.01"))
                if row["converted"]
                else None,
            }
        )
    return report
