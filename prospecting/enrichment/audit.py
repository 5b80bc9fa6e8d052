"""The builtin performance audit's engine: metric estimates, Lighthouse's scoring curves and the page checks.

Pure: a fetched page, its parsed tree and its measured resources in, scores out. No database, no network,
no settings: the provider plumbing (fetching the resources through the safe fetcher, PageSpeed Insights,
the Lighthouse CLI, storing the profile) is `prospecting.enrichment.services.performance`. Kept apart so
the estimates and checks are testable without a database or a web server, beside the other pure engines
(`extract`, `fingerprints`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from prospecting.enrichment.extract import PageUrlJoiner, element_text

if TYPE_CHECKING:
    from prospecting.core.fetch import FetchResult

# Lighthouse 13 mobile scoring: metric -> (weight, p10, median). Source: Lighthouse scoring docs and
# lighthouse-core/audits/* (see docs/performance.md).
LIGHTHOUSE_CURVES = {
    "first_contentful_paint_ms": (10, 1800, 3000),
    "speed_index_ms": (10, 3387, 5800),
    "largest_contentful_paint_ms": (25, 2500, 4000),
    "total_blocking_time_ms": (30, 200, 600),
    "cumulative_layout_shift": (25, 0.1, 0.25),
}
# Lighthouse's simulated mobile network (slow 4G): 150 ms round trip, 1.6 Mbit/s down.
SIMULATED_RTT_MS = 150
SIMULATED_BYTES_PER_MS = 1.6e6 / 8 / 1000
MAX_RESOURCES = 12


def metric_score(value: float, p10: float, median: float) -> float:
    """Lighthouse's log-normal score: 0.5 * (1 - erf(ln(v/median) * 0.9061938 / -ln(p10/median)))."""
    if value <= 0:
        return 1.0
    return max(0.0, min(1.0, 0.5 * (1 - math.erf(math.log(value / median) * 0.9061938 / -math.log(p10 / median)))))


def performance_score(metrics: dict[str, float]) -> int:
    total_weight = sum(weight for weight, _, _ in LIGHTHOUSE_CURVES.values())
    score = sum(
        weight * metric_score(metrics[name], p10, median) for name, (weight, p10, median) in LIGHTHOUSE_CURVES.items()
    )
    return round(100 * score / total_weight)


@dataclass
class AuditResult:
    provider: str
    performance_score: int | None = None
    accessibility_score: int | None = None
    seo_score: int | None = None
    best_practices_score: int | None = None
    first_contentful_paint_ms: int | None = None
    largest_contentful_paint_ms: int | None = None
    total_blocking_time_ms: int | None = None
    cumulative_layout_shift: float | None = None
    speed_index_ms: int | None = None
    time_to_first_byte_ms: int | None = None
    page_weight_bytes: int | None = None
    is_mobile_friendly: bool | None = None
    raw: dict[str, Any] = field(default_factory=dict)


# --- builtin --------------------------------------------------------------------------------------------------


@dataclass
class Resource:
    url: str
    kind: str  # css, js, img
    blocking: bool
    bytes: int = 0
    ms: int = 0
    error: str = ""


_KIND_ORDER = {"css": 0, "js": 1, "img": 2}


def _in_head(element: HtmlElement) -> bool:
    return next(element.iterancestors("head"), None) is not None


def page_resources(root: HtmlElement, base_url: str) -> list[Resource]:
    """The resources of a page to download and measure: render-blocking first, at most MAX_RESOURCES."""
    found: list[Resource] = []
    join = PageUrlJoiner(base_url)
    for element in root.iter("link", "script", "img"):
        url = element.get("src" if element.tag != "link" else "href")
        if url is None or url.startswith("data:"):
            continue
        url = join(url.strip())
        if url is None:  # a malformed address is not downloaded
            continue
        if element.tag == "link" and "stylesheet" in (element.get("rel") or "").lower().split():
            found.append(Resource(url, "css", blocking=_in_head(element)))
        elif element.tag == "script":
            deferred = element.get("async") is not None or element.get("defer") is not None
            found.append(Resource(url, "js", blocking=not deferred and _in_head(element)))
        elif element.tag == "img":
            found.append(Resource(url, "img", blocking=False))
    found.sort(key=lambda resource: _KIND_ORDER[resource.kind])  # stylesheets, then scripts, then images
    unique: dict[str, Resource] = {}
    for resource in found:  # a page referencing one image ten times downloads it once
        if resource.url in unique:
            unique[resource.url].blocking |= resource.blocking
        else:
            unique[resource.url] = resource
    http = [r for r in unique.values() if urlsplit(r.url).scheme in {"http", "https"}]
    blocking = [r for r in http if r.blocking]
    others = [r for r in http if not r.blocking]
    return (blocking + others)[:MAX_RESOURCES]


def _accessibility(root: HtmlElement) -> tuple[int, dict[str, bool]]:
    inputs = [
        i for i in root.iter("input", "select", "textarea") if i.get("type") not in {"hidden", "submit", "button"}
    ]
    labelled_ids = {label.get("for") for label in root.iter("label") if label.get("for")}
    links = [a for a in root.iter("a") if a.get("href") is not None]
    levels = [int(h.tag[1]) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    checks = {
        "html_lang": bool(root.get("lang")),
        "img_alt": all(img.get("alt") is not None for img in root.iter("img")),
        "form_labels": all(
            i.get("id") in labelled_ids or i.get("aria-label") or next(i.iterancestors("label"), None) is not None
            for i in inputs
        ),
        "link_names": all(element_text(a) or a.get("aria-label") or a.find(".//img[@alt]") is not None for a in links),
        "heading_order": all(b - a <= 1 for a, b in pairwise(levels)),
    }
    return _weighted(checks), checks


_VAGUE_LINK_TEXT = {
    "click here",
    "here",
    "cliquez ici",
    "ici",
    "hier klicken",
    "hier",
    "more",
    "plus",
    "read more",
    "lire la suite",
}


def _meta_named(root: HtmlElement, name: str) -> list[HtmlElement]:
    return [meta for meta in root.iter("meta") if (meta.get("name") or "").strip().lower() == name]


def _seo(root: HtmlElement, page: FetchResult) -> tuple[int, dict[str, bool]]:
    robots = " ".join(meta.get("content", "") for meta in _meta_named(root, "robots"))
    languages = {link.get("hreflang") for link in root.iter("link") if link.get("hreflang")}
    title = root.find(".//title")
    checks = {
        "title": title is not None and bool(element_text(title)),
        "meta_description": any(meta.get("content") is not None for meta in _meta_named(root, "description")),
        "viewport": bool(_meta_named(root, "viewport")),
        "canonical": any("canonical" in (link.get("rel") or "").lower().split() for link in root.iter("link")),
        "indexable": "noindex" not in robots.lower() and "noindex" not in page.headers.get("x-robots-tag", "").lower(),
        "h1": root.find(".//h1") is not None,
        "hreflang": len(languages) != 1,  # declared for every language, or not at all
        "descriptive_links": not any(element_text(a).lower() in _VAGUE_LINK_TEXT for a in root.iter("a")),
        "http_status": page.status_code < 400,
    }
    return _weighted(checks), checks


def _best_practices(root: HtmlElement, page: FetchResult, resources: list[Resource]) -> tuple[int, dict[str, bool]]:
    https = page.url.startswith("https://")
    old_jquery = any(
        (m := re.search(r"jquery[.-]?(\d+)\.\d+", r.url, re.I)) and int(m.group(1)) < 3
        for r in resources
        if r.kind == "js"
    ) or bool(re.search(r"jquery(?:\.min)?\.js\?ver=[12]\.", page.text[:200_000], re.I))
    checks = {
        "https": https,
        "no_mixed_content": not (https and any(r.url.startswith("http://") for r in resources)),
        "doctype": page.text.lstrip()[:15].lower().startswith("<!doctype html"),
        "charset": "charset" in page.headers.get("content-type", "").lower()
        or any(
            meta.get("charset") is not None or "content-type" in (meta.get("http-equiv") or "").lower()
            for meta in root.iter("meta")
        ),
        "no_outdated_libraries": not old_jquery,
        "no_broken_resources": not any(r.error for r in resources),
    }
    return _weighted(checks), checks


def _weighted(checks: dict[str, bool]) -> int:
    return round(100 * sum(checks.values()) / len(checks)) if checks else 0


# A fixed layout 800 px or wider, as an HTML attribute or in CSS (lower-cased markup; "max-width" does not count).
_FIXED_WIDTH_ATTRIBUTE_RE = re.compile(
    r"<(?:table|div|body)(?:\s[^>]*?)?\swidth\s*=\s*[\"']?(?:[89]\d\d|\d{4,})(?:px)?[\"'\s>]"
)
_FIXED_WIDTH_CSS_RE = re.compile(r"width\s*:\s*(?:[89]\d\d|\d{4,})px")


def _starts_css_declaration(css: str, start: int) -> bool:
    """`width` or `min-width` at `start` begins a declaration (not `max-width`, not `data-width`)."""
    if css[max(0, start - 4) : start] == "min-":
        start -= 4
    return start == 0 or css[start - 1] in ";{ \t\r\n\f\v"


def _mobile_friendly(root: HtmlElement, html: str) -> bool:
    viewports = _meta_named(root, "viewport")
    responsive_viewport = bool(
        viewports and "width=device-width" in viewports[0].get("content", "").replace(" ", "").lower()
    )
    lowered = html.lower()
    fixed_layout = bool(_FIXED_WIDTH_ATTRIBUTE_RE.search(lowered)) or any(
        _starts_css_declaration(lowered, match.start()) for match in _FIXED_WIDTH_CSS_RE.finditer(lowered)
    )
    return responsive_viewport and not fixed_layout


def audit_from_measurements(page: FetchResult, root: HtmlElement, resources: list[Resource]) -> AuditResult:
    """Estimate paint metrics on a simulated mobile network from the measured page and resources (`root` is
    the parsed page, `resources` come from `page_resources` once downloaded), and run the page checks."""
    html_bytes = len(page.body)
    blocking = [r for r in resources if r.blocking and not r.error]
    scripts = [r for r in resources if r.kind == "js" and not r.error]
    images = [r for r in resources if r.kind == "img" and not r.error]
    blocking_bytes = sum(r.bytes for r in blocking)
    ttfb = page.elapsed_ms
    # Estimates (documented in docs/performance.md): server time as measured, transfers on slow 4G.
    fcp = ttfb + SIMULATED_RTT_MS * (2 + min(len(blocking), 6)) + (html_bytes + blocking_bytes) / SIMULATED_BYTES_PER_MS
    largest_image = max((r.bytes for r in images), default=0)
    lcp = max(fcp, fcp + (SIMULATED_RTT_MS + largest_image / SIMULATED_BYTES_PER_MS if largest_image else 0))
    script_kb = sum(r.bytes for r in scripts) / 1024
    tbt = max(0.0, (script_kb - 50) * 3.0)  # ~3 ms of main-thread work per KB of JS beyond 50 KB
    unsized = sum(1 for img in root.iter("img") if not (img.get("width") and img.get("height")))
    cls = min(0.5, 0.04 * unsized)
    speed_index = (fcp + lcp) / 2 + tbt / 4
    metrics = {
        "first_contentful_paint_ms": fcp,
        "speed_index_ms": speed_index,
        "largest_contentful_paint_ms": lcp,
        "total_blocking_time_ms": tbt,
        "cumulative_layout_shift": cls,
    }
    accessibility, a11y_checks = _accessibility(root)
    seo, seo_checks = _seo(root, page)
    best, best_checks = _best_practices(root, page, resources)
    return AuditResult(
        provider="builtin",
        performance_score=performance_score(metrics),
        accessibility_score=accessibility,
        seo_score=seo,
        best_practices_score=best,
        first_contentful_paint_ms=round(fcp),
        largest_contentful_paint_ms=round(lcp),
        total_blocking_time_ms=round(tbt),
        cumulative_layout_shift=round(cls, 3),
        speed_index_ms=round(speed_index),
        time_to_first_byte_ms=ttfb,
        page_weight_bytes=html_bytes + sum(r.bytes for r in resources),
        is_mobile_friendly=_mobile_friendly(root, page.text[:300_000]),
        raw={
            "estimated": True,
            "request_count": 1 + len(resources),
            "resources": [r.__dict__ for r in resources],
            "checks": {"accessibility": a11y_checks, "seo": seo_checks, "best_practices": best_checks},
        },
    )
