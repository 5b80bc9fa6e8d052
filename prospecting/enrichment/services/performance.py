"""Performance audit: Lighthouse-style scores for a prospect's home page, from one of three providers.

* `builtin` (default): measures the page and its render-blocking resources through the safe fetcher and
  *estimates* paint metrics from those measurements (no browser: see docs/performance.md for what is
  estimated and how), then scores them with Lighthouse's mobile curves and weights. The estimates, curves
  and checks are the pure engine in `prospecting.enrichment.audit`; this module does the fetching.
* `pagespeed`: Google PageSpeed Insights API v5 (all four categories, mobile).
* `lighthouse`: a locally installed Lighthouse CLI with Debian's Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from prospecting.core.events import prospects_changed_announce
from prospecting.core.fetch import FetchError, FetchResult
from prospecting.enrichment.audit import AuditResult, Resource, audit_from_measurements, page_resources
from prospecting.enrichment.extract import parse_html
from prospecting.enrichment.models import PerformanceProfile
from prospecting.enrichment.services.http_check import read_page
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospect_home_url

# --- builtin --------------------------------------------------------------------------------------------------


def _fetch_resource(resource: Resource) -> Resource:
    try:
        result = read_page(resource.url)
        resource.bytes = len(result.body)
        resource.ms = result.total_ms
        if result.status_code >= 400:
            resource.error = f"HTTP {result.status_code}"
    except FetchError as exc:
        resource.error = exc.kind
    return resource


def builtin_audit(page: FetchResult, root: Any = None) -> AuditResult:
    """Measure the page and its resources; estimate paint metrics on a simulated mobile network. `root`: the
    page's tree when another step parsed it already."""
    root = root if root is not None else parse_html(page.text)
    resources = page_resources(root, page.url)
    with ThreadPoolExecutor(max_workers=6) as pool:
        resources = list(pool.map(_fetch_resource, resources))
    return audit_from_measurements(page, root, resources)


# --- Lighthouse results (PageSpeed Insights and the Lighthouse CLI) -------------------------------------------


def audit_from_lighthouse_result(lhr: dict[str, Any], provider: str) -> AuditResult:
    """Map a Lighthouse result (`lighthouseResult` in a PSI answer, or the CLI's JSON) onto our fields."""
    categories = lhr.get("categories", {})
    audits = lhr.get("audits", {})

    def category(name: str) -> int | None:
        score = (categories.get(name) or {}).get("score")
        return round(score * 100) if score is not None else None

    def numeric(audit: str) -> float | None:
        return (audits.get(audit) or {}).get("numericValue")

    def rounded(audit: str) -> int | None:
        value = numeric(audit)
        return round(value) if value is not None else None

    # The viewport audit is "viewport" up to Lighthouse 11, "meta-viewport" and "viewport-insight" since.
    viewport = next(
        (audits[name].get("score") for name in ("viewport-insight", "meta-viewport", "viewport") if name in audits),
        None,
    )
    cls = numeric("cumulative-layout-shift")
    return AuditResult(
        provider=provider,
        performance_score=category("performance"),
        accessibility_score=category("accessibility"),
        seo_score=category("seo"),
        best_practices_score=category("best-practices"),
        first_contentful_paint_ms=rounded("first-contentful-paint"),
        largest_contentful_paint_ms=rounded("largest-contentful-paint"),
        total_blocking_time_ms=rounded("total-blocking-time"),
        cumulative_layout_shift=round(cls, 3) if cls is not None else None,
        speed_index_ms=rounded("speed-index"),
        time_to_first_byte_ms=rounded("server-response-time"),
        page_weight_bytes=rounded("total-byte-weight"),
        is_mobile_friendly=bool(viewport) if viewport is not None else None,
        raw={"lighthouse_version": lhr.get("lighthouseVersion"), "final_url": lhr.get("finalDisplayedUrl", "")},
    )


class AuditError(Exception):
    pass


def pagespeed_audit(url: str) -> AuditResult:
    params = [("url", url), ("strategy", "mobile")]
    params += [("category", c) for c in ("PERFORMANCE", "ACCESSIBILITY", "BEST_PRACTICES", "SEO")]
    if settings.PAGESPEED_API_KEY:
        params.append(("key", settings.PAGESPEED_API_KEY))
    try:
        response = requests.get(settings.PAGESPEED_API_URL, params=params, timeout=90)
        response.raise_for_status()
        lhr = response.json()["lighthouseResult"]
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise AuditError(f"PageSpeed Insights failed: {exc}") from exc
    return audit_from_lighthouse_result(lhr, "pagespeed")


# A Lighthouse run is a whole Chromium for ~13 s: a batch's 32 fetch threads must not start 32 of them.
_lighthouse_runs = threading.BoundedSemaphore(max(1, settings.LIGHTHOUSE_CONCURRENCY))


def lighthouse_audit(url: str) -> AuditResult:
    """Audit `url` with the Lighthouse CLI (one run at a time per process, LIGHTHOUSE_CONCURRENCY)."""
    with _lighthouse_runs:
        return _lighthouse_run(url)


def _lighthouse_run(url: str) -> AuditResult:
    binary = shutil.which(settings.LIGHTHOUSE_BINARY)
    if not binary:
        raise AuditError(f"Lighthouse CLI not found ({settings.LIGHTHOUSE_BINARY}); install it with npm")
    command = [
        binary,
        url,
        "--output=json",
        "--quiet",
        "--only-categories=performance,accessibility,best-practices,seo",
        f"--chrome-flags=--headless=new --no-sandbox {settings.LIGHTHOUSE_CHROME_FLAGS}".strip(),
    ]
    env = {"CHROME_PATH": settings.CHROME_PATH, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)  # noqa: S603
    except subprocess.SubprocessError as exc:
        raise AuditError(f"Lighthouse failed: {exc}") from exc
    try:
        lhr = json.loads(done.stdout)
    except ValueError:
        lhr = {}
    problem = (lhr.get("runtimeError") or {}).get("message") or (done.stderr.strip().splitlines() or [""])[-1]
    if done.returncode != 0 or not lhr or lhr.get("runtimeError"):
        raise AuditError(f"Lighthouse failed (exit {done.returncode}): {problem[:300]}")
    return audit_from_lighthouse_result(lhr, "lighthouse")


# --- the step ----------------------------------------------------------------------------------------------------


@dataclass
class PerformanceOutcome:
    audited: bool
    reason: str = ""
    result: AuditResult | None = None


def performance_probe(prospect: Prospect, home_page: FetchResult | None = None, home_parsed: Any = None) -> AuditResult:
    """Network only (runs in a batch's pool): audit the prospect's home page with the configured provider.

    `home_page`, the page the HTTP check just fetched, saves the builtin audit a second download, and
    `home_parsed` (a ParsedPage of it) a second parse.
    """
    url = prospect_home_url(prospect)
    provider = settings.PERFORMANCE_PROVIDER
    if provider == "pagespeed":
        return pagespeed_audit(url)
    if provider == "lighthouse":
        return lighthouse_audit(url)
    if home_page is not None and home_page.status_code < 400:
        return builtin_audit(home_page, home_parsed.root if home_parsed is not None else None)
    try:
        page = read_page(url)
    except FetchError as exc:
        raise AuditError(f"{exc.kind}: {exc}") from exc
    return builtin_audit(page)


def performance_store(*, prospect: Prospect, result: AuditResult) -> PerformanceProfile:
    now = timezone.now()
    fields = {name: getattr(result, name) for name in AuditResult.__dataclass_fields__ if name not in {"raw"}}
    with transaction.atomic():
        profile, _ = PerformanceProfile.objects.update_or_create(
            prospect=prospect, defaults={**fields, "raw_json": result.raw, "scanned_at": now}
        )
        Prospect.objects.filter(pk=prospect.pk).update(last_performance_scan_at=now)
        prospects_changed_announce(prospect_ids=[prospect.pk])
    prospect.last_performance_scan_at = now
    return profile


def performance_run(*, prospect: Prospect) -> PerformanceOutcome:
    """Audit a prospect's live website and store the profile. Skips prospects without one."""
    if not prospect.domain_name or not prospect.has_website:
        return PerformanceOutcome(audited=False, reason="no live website (run the HTTP check first)")
    try:
        result = performance_probe(prospect)
    except AuditError as exc:
        return PerformanceOutcome(audited=False, reason=str(exc))
    performance_store(prospect=prospect, result=result)
    return PerformanceOutcome(audited=True, result=result)
