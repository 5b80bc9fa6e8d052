"""Full enrichment (seed journey 6): HTTP check → (live site) tech scan → performance → contacts → score.

The network part of all steps runs in `full_probe` (a batch runs it in its thread pool), the writes in
`full_store`. A failing step is recorded and the later steps still run where they can. Steps whose last
run is newer than ENRICHMENT_FRESHNESS_DAYS are skipped unless `force` is given.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from prospecting.core.fetch import FetchError, default_fetcher
from prospecting.enrichment.dns import dns_records
from prospecting.enrichment.services import contacts as contacts_module
from prospecting.enrichment.services import http_check as http_module
from prospecting.enrichment.services import performance as performance_module
from prospecting.enrichment.services import tech_scan as tech_module
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospect_home_url

STEPS = ["http_check", "tech_scan", "performance", "contacts", "score"]
_DONE_FIELD = {
    "http_check": "last_http_check_at",
    "tech_scan": "last_tech_scan_at",
    "performance": "last_performance_scan_at",
    "contacts": "last_contact_scrape_at",
}


def steps_to_run(prospect: Prospect, *, force: bool = False, now: datetime.datetime | None = None) -> list[str]:
    """The steps whose last run is older than the freshness window (all of them with `force`)."""
    if force:
        return list(STEPS)
    limit = (now or timezone.now()) - datetime.timedelta(days=settings.ENRICHMENT_FRESHNESS_DAYS)
    return [
        step
        for step in STEPS
        if step == "score"
        or getattr(prospect, _DONE_FIELD[step]) is None
        or getattr(prospect, _DONE_FIELD[step]) < limit
    ]


@dataclass
class FullProbe:
    plan: list[str]
    results: dict[str, Any] = field(default_factory=dict)  # step -> probe result
    errors: dict[str, str] = field(default_factory=dict)  # step -> error
    skipped: dict[str, str] = field(default_factory=dict)  # step -> reason


def full_probe(prospect: Prospect, plan: list[str]) -> FullProbe:
    """Network only: run every planned step's fetches for one prospect."""
    probe = FullProbe(plan=plan)
    local = copy.copy(prospect)  # the steps read what the HTTP check just found
    if not local.domain_name:
        for step in ("http_check", "tech_scan", "performance", "contacts"):
            probe.skipped[step] = "no domain"
        return probe
    page = None
    if "http_check" in plan:
        try:
            outcome = http_module.http_check_probe(local.domain_name)
            probe.results["http_check"] = outcome
            local.has_website, local.uses_https = outcome.has_website, outcome.uses_https
            local.redirect_url = outcome.final_url
            page = outcome.page
        except Exception as exc:  # a failing step never stops the next ones
            probe.errors["http_check"] = str(exc)
    else:
        probe.skipped["http_check"] = "fresh"
    if not local.has_website:
        for step in ("tech_scan", "performance", "contacts"):
            probe.skipped.setdefault(step, "no live website")
        return probe
    booking_tools: list[str] = []
    if "tech_scan" in plan:
        try:
            if page is None:
                url = prospect_home_url(local)
                page = default_fetcher().fetch(url)
            dns = dns_records(local.domain_name)
            detections = tech_module.tech_scan_detect(page, dns)
            booking_tools = [d.name for d in detections if tech_module.BOOKING_CATEGORIES.intersection(d.categories)]
            probe.results["tech_scan"] = (page, dns, detections)
        except (FetchError, Exception) as exc:
            probe.errors["tech_scan"] = str(exc)
    else:
        probe.skipped["tech_scan"] = "fresh"
    home_page = page if page is not None and page.url == prospect_home_url(local) else None
    for step, run in (
        ("performance", lambda: performance_module.performance_probe(local, home_page)),
        (
            "contacts",
            lambda: contacts_module.contacts_probe(
                local, booking_tools if "tech_scan" in plan else None, home_page=home_page
            ),
        ),
    ):
        if step not in plan:
            probe.skipped[step] = "fresh"
            continue
        try:
            probe.results[step] = run()
        except Exception as exc:
            probe.errors[step] = str(exc)
    # Every step has read the page: the stores need its facts only (small results, cheap to send back).
    if "http_check" in probe.results and probe.results["http_check"].page is not None:
        probe.results["http_check"].page = probe.results["http_check"].page.without_body()
    if "tech_scan" in probe.results:
        scanned, dns, detections = probe.results["tech_scan"]
        probe.results["tech_scan"] = (scanned.without_body(), dns, detections)
    return probe


def full_store(prospect: Prospect, probe: FullProbe, *, score_now: bool = True) -> dict[str, dict[str, str]]:
    """Write every step's result in order, then the score; returns the per-step report.

    A batch passes `score_now=False`: its chunk is one transaction whose commit recomputes the scores of
    the whole chunk at once (`score_refresh_on_commit`), so scoring each prospect here would be done twice.
    """
    from prospecting.scoring.services import score_compute, score_refresh_on_commit

    report: dict[str, dict[str, str]] = {}
    for step in STEPS[:-1]:
        if step in probe.errors:
            report[step] = {"status": "failed", "detail": probe.errors[step]}
            continue
        if step in probe.skipped:
            report[step] = {"status": "skipped", "detail": probe.skipped[step]}
            continue
        if step not in probe.plan:
            continue
        result = probe.results.get(step)
        try:
            with transaction.atomic():
                if step == "http_check":
                    http_module.http_check_store(prospect=prospect, outcome=result)
                    detail = result.status + (f" ({result.error_class})" if result.error_class else "")
                elif step == "tech_scan":
                    page, dns, detections = result
                    outcome = tech_module.tech_scan_run(prospect=prospect, page=page, dns=dns, detections=detections)
                    detail = outcome.fields.get("cms") or "no CMS" if outcome.fields else outcome.reason
                elif step == "performance":
                    performance_module.performance_store(prospect=prospect, result=result)
                    detail = f"performance {result.performance_score}"
                else:
                    if not result.pages:
                        raise RuntimeError("no page could be read")
                    added = contacts_module.contacts_store(prospect=prospect, result=result)
                    detail = f"{added} new contacts"
            report[step] = {"status": "done", "detail": detail}
        except Exception as exc:
            report[step] = {"status": "failed", "detail": str(exc)[:300]}
    if not score_now:
        score_refresh_on_commit(prospect_ids=[prospect.pk])
        report["score"] = {"status": "scheduled", "detail": "computed with the batch's chunk"}
        return report
    try:
        score = score_compute(prospect=prospect)
        report["score"] = {"status": "done", "detail": f"{score.score} ({score.lead_tier})"}
    except Exception as exc:
        report["score"] = {"status": "failed", "detail": str(exc)[:300]}
    return report


def enrichment_full_run(*, prospect: Prospect, force: bool = False) -> dict[str, dict[str, str]]:
    """Run the whole pipeline for one prospect now."""
    plan = steps_to_run(prospect, force=force)
    return full_store(prospect, full_probe(prospect, plan))
