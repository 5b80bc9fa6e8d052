"""Full enrichment (seed journey 6): HTTP check → (live site) tech scan → performance → contacts → score.

The steps come from the registry (`enrichment/steps.py`) in its pipeline order. The network part of every
step runs in `full_probe` (a batch runs it in its pool), the writes in `full_store`. A failing step is
recorded and the later steps still run where they can. Steps whose last run is newer than
ENRICHMENT_FRESHNESS_DAYS are skipped unless `force` is given. The score is the scoring app's: storing the
steps announces the change, and scoring recomputes it when the writes commit.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from prospecting.core.events import prospects_changed_announce
from prospecting.core.models import ScanJob
from prospecting.enrichment.models import ScanMode
from prospecting.enrichment.services import contacts as contacts_module  # noqa: F401 - tests replace its probes
from prospecting.enrichment.services import performance as performance_module  # noqa: F401 - idem
from prospecting.enrichment.services.tech_scan import TechScanSession, tech_scan_session
from prospecting.enrichment.steps import PIPELINE, Step, booking_tools
from prospecting.prospects.models import Prospect

STEPS = [*(step.job_type for step in PIPELINE), "score"]


def steps_to_run(prospect: Prospect, *, force: bool = False, now: datetime.datetime | None = None) -> list[str]:
    """The steps whose last run is older than the freshness window (all of them with `force`)."""
    if force:
        return list(STEPS)
    limit = (now or timezone.now()) - datetime.timedelta(days=settings.ENRICHMENT_FRESHNESS_DAYS)
    fresh = {step.job_type for step in PIPELINE if (getattr(prospect, step.done_field) or limit) > limit}
    return [name for name in STEPS if name not in fresh]


@dataclass
class FullProbe:
    plan: list[str]
    results: dict[str, Any] = field(default_factory=dict)  # step -> probe result
    errors: dict[str, str] = field(default_factory=dict)  # step -> error
    skipped: dict[str, str] = field(default_factory=dict)  # step -> reason


def full_probe(prospect: Prospect, plan: list[str], *, tech_session: TechScanSession | None = None) -> FullProbe:
    """Network only: run every planned step's probe for one prospect, each reading what the earlier ones found.
    `tech_session`: the run's browser, in the tech scan's browser mode."""
    probe = FullProbe(plan=plan)
    local = copy.copy(prospect)  # the later steps read what the HTTP check just found
    shared: dict[str, Any] = {"keep_pages": True, "tech_session": tech_session}
    for step in PIPELINE:
        name = step.job_type
        if not local.domain_name:
            probe.skipped[name] = "no domain"
            continue
        if name != "http_check" and not local.has_website:
            probe.skipped[name] = "no live website"
            continue
        if name not in plan:
            probe.skipped[name] = "fresh"
            continue
        try:
            result = probe.results[name] = step.probe(local, shared)
        except Exception as exc:  # a failing step never stops the next ones
            probe.errors[name] = str(exc)
            continue
        if name == "http_check":
            local.has_website, local.uses_https = result.has_website, result.uses_https
            local.redirect_url = result.final_url
            shared["home_page"] = result.page
        elif name == "tech_scan":
            shared["home_page"] = result.page
            shared["booking_tools"] = booking_tools(result.detections)
    # Every step has read the page: the stores need its facts only (small results, cheap to send back).
    if probe.results.get("http_check") is not None and probe.results["http_check"].page is not None:
        probe.results["http_check"].page = probe.results["http_check"].page.without_body()
    if "tech_scan" in probe.results:
        probe.results["tech_scan"] = probe.results["tech_scan"].without_body()
    return probe


def full_store(prospect: Prospect, probe: FullProbe, *, score_now: bool = True) -> dict[str, dict[str, str]]:
    """Write every step's result in order, then have the score recomputed; returns the per-step report.

    A batch passes `score_now=False`: its chunk is one transaction, and the scores of the whole chunk are
    recomputed once when it commits.
    """
    report: dict[str, dict[str, str]] = {}
    for step in PIPELINE:
        name = step.job_type
        if name in probe.errors:
            report[name] = {"status": "failed", "detail": probe.errors[name]}
        elif name in probe.skipped:
            report[name] = {"status": "skipped", "detail": probe.skipped[name]}
        elif name in probe.plan:
            try:
                with transaction.atomic():
                    detail = step.store(prospect, probe.results.get(name))
                report[name] = {"status": "done", "detail": detail or ""}
            except Exception as exc:
                report[name] = {"status": "failed", "detail": str(exc)[:300]}
    # The score follows even when every step was fresh: in a batch when its chunk commits, else right now.
    if not score_now:
        prospects_changed_announce(prospect_ids=[prospect.pk])
        report["score"] = {"status": "scheduled", "detail": "computed with the batch's chunk"}
        return report
    try:
        prospects_changed_announce(prospect_ids=[prospect.pk], now=True)
        report["score"] = _score_report(prospect)
    except Exception as exc:
        report["score"] = {"status": "failed", "detail": str(exc)[:300]}
    return report


def _score_report(prospect: Prospect) -> dict[str, str]:
    """The score the announcement above had recomputed."""
    score = Prospect.objects.filter(pk=prospect.pk).values("score__score", "score__lead_tier").first() or {}
    if score.get("score__score") is None:
        return {"status": "failed", "detail": "no score was computed"}
    return {"status": "done", "detail": f"{score['score__score']} ({score['score__lead_tier']})"}


def enrichment_full_run(
    *, prospect: Prospect, force: bool = False, scan_mode: str | None = None
) -> dict[str, dict[str, str]]:
    """Run the whole pipeline for one prospect now (the tech scan in `scan_mode`, default TECH_SCAN_MODE)."""
    plan = steps_to_run(prospect, force=force)
    mode = scan_mode if "tech_scan" in plan else ScanMode.STATIC  # no browser started for nothing
    with tech_scan_session(mode, concurrency=1) as session:
        probe = full_probe(prospect, plan, tech_session=session)
    return full_store(prospect, probe)


def _full_batch_probe(prospect: Prospect, shared: dict[str, Any]) -> FullProbe:
    plan = steps_to_run(prospect, force=bool(shared.get("force")))
    return full_probe(prospect, plan, tech_session=shared.get("tech_session"))


def _full_batch_store(prospect: Prospect, probe: FullProbe) -> str:
    report = full_store(prospect, probe, score_now=False)
    failed = {step: item["detail"] for step, item in report.items() if item["status"] == "failed"}
    if failed:
        raise RuntimeError("; ".join(f"{step}: {detail}" for step, detail in failed.items()))
    return ", ".join(f"{step} {item['status']}" for step, item in report.items())


# Full enrichment as a batch step. A prospect is done when its score was recomputed after the steps (the score
# the scoring app keeps on `prospect.score`, read by relation name: enrichment never imports scoring).
FULL = Step(
    ScanJob.JobType.FULL, "score__computed_at", Q(), _full_batch_probe, _full_batch_store, label="Full enrichment"
)
