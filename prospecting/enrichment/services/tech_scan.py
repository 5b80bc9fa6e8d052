"""Tech scan: which CMS, server, CDN, frameworks, analytics, shop and booking tools a website uses.

Two modes (TechProfile.scan_mode): `static` reads the fetched page (headers, cookies, HTML, inline scripts);
`browser` also has Chromium render it (`browser_scan.py`: real globals, cookies set by scripts, the rendered
DOM, the scripts it loaded). TECH_SCAN_MODE sets the default, a run may ask for either. A browser run that
cannot happen (Chromium missing, a page over its time box) falls back to static and says why in `scan_note`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from prospecting.core.events import prospects_changed_announce
from prospecting.core.fetch import FetchError, FetchResult
from prospecting.enrichment.dns import dns_records
from prospecting.enrichment.extract import ParsedPage
from prospecting.enrichment.fingerprints import Detection, PageSignals, fingerprint_set
from prospecting.enrichment.models import ScanMode, TechProfile
from prospecting.enrichment.services.browser_scan import (
    BrowserEvidence,
    BrowserScanError,
    BrowserScanner,
    BrowserUnavailableError,
)
from prospecting.enrichment.services.http_check import read_page
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospect_home_url

# TechProfile column -> fingerprint categories, most specific first.
PRIMARY_CATEGORIES: dict[str, list[str]] = {
    "cms": ["CMS", "Blogs", "Page builders", "Static site generator"],
    "server": ["Web servers"],
    "cdn": ["CDN"],
    "js_framework": ["JavaScript frameworks", "JavaScript libraries"],
    "analytics": ["Analytics"],
    "ecommerce_platform": ["Ecommerce"],
    "hosting_provider": ["Hosting", "PaaS", "IaaS"],
}
BOOKING_CATEGORIES = {"Appointment scheduling", "Reservations & delivery", "Ticket booking"}
_FIELD_LENGTHS = {"analytics": 200}


@dataclass
class TechScanOutcome:
    scanned: bool
    reason: str = ""
    detections: list[Detection] | None = None
    fields: dict[str, str] | None = None
    mode: str = ""  # the mode the scan ran in
    note: str = ""  # why it ran in another mode than asked


@dataclass
class TechProbe:
    """What a tech scan found on one page (network done, nothing stored yet)."""

    page: FetchResult
    dns: dict[str, list[str]]
    detections: list[Detection]
    mode: str = ScanMode.STATIC
    note: str = ""
    browser: dict[str, Any] = field(default_factory=dict)  # the browser run's summary (BrowserEvidence.summary)

    def without_body(self) -> TechProbe:
        return TechProbe(self.page.without_body(), self.dns, self.detections, self.mode, self.note, self.browser)


def primary_fields(detections: list[Detection]) -> dict[str, str]:
    """The seed's one-value-per-category columns, from the full detection list."""
    fields: dict[str, str] = {}
    for column, categories in PRIMARY_CATEGORIES.items():
        candidates = []
        for rank, category in enumerate(categories):
            for detection in detections:
                if category in detection.categories:
                    candidates.append((rank, bool(detection.implied_by), -detection.confidence, detection))
        candidates.sort(key=lambda item: item[:3])
        names = list(dict.fromkeys(item[3].name for item in candidates))
        if column == "analytics":
            fields[column] = ", ".join(names[:4])[: _FIELD_LENGTHS["analytics"]]
        else:
            fields[column] = names[0][:100] if names else ""
        if column == "cms":
            fields["cms_version"] = candidates[0][3].version[:50] if candidates else ""
    return fields


def tech_scan_mode(requested: str | None = None) -> str:
    """The mode a run uses: the one it asks for, else TECH_SCAN_MODE. ValueError for an unknown name."""
    mode = requested or settings.TECH_SCAN_MODE
    if mode not in ScanMode.values:
        raise ValueError(f"Unknown tech scan mode {mode!r}: use one of {', '.join(ScanMode.values)}.")
    return mode


@dataclass
class TechScanSession:
    """The browser a run of many scans shares (None in static mode), or why there is none."""

    mode: str
    scanner: BrowserScanner | None = None
    unavailable: str = ""  # browser mode was asked and Chromium could not be started: the reason


@contextmanager
def tech_scan_session(mode: str | None = None, **browser_options: Any) -> Iterator[TechScanSession]:
    """Open what a run of scans in `mode` needs (one Chromium for browser mode) and close it afterwards.
    When Chromium cannot start, the session says why and its scans run statically."""
    mode = tech_scan_mode(mode)
    if mode != ScanMode.BROWSER:
        yield TechScanSession(mode=mode)
        return
    try:
        scanner = BrowserScanner(**browser_options).start()
    except BrowserUnavailableError as exc:
        yield TechScanSession(mode=mode, unavailable=f"Browser scan not possible: {exc}. Static scan used.")
        return
    try:
        yield TechScanSession(mode=mode, scanner=scanner)
    finally:
        scanner.close()


def tech_scan_detect(
    page: FetchResult,
    dns: dict[str, list[str]] | None = None,
    parsed: ParsedPage | None = None,
    evidence: BrowserEvidence | None = None,
) -> list[Detection]:
    """What the page shows. `parsed`: the page already parsed (the full pipeline parses it once for the tech
    scan, the performance audit and the contact scrape); else it is parsed only if a `dom` selector may match.
    `evidence`: what the rendered page showed (browser mode): its DOM, loaded scripts, cookies and globals
    are read instead of the fetched HTML's; headers and the certificate are the fetched page's."""
    issuer = (page.certificate or {}).get("issuer", "")
    if evidence is None:
        signals = PageSignals.from_page(
            url=page.url,
            headers=page.headers,
            cookies=page.cookies,
            html=page.text,
            cert_issuer=issuer,
            dns=dns,
            root=parsed.root if parsed is not None else None,
        )
    else:
        signals = PageSignals.from_page(
            url=evidence.url,
            headers=page.headers,
            cookies={**page.cookies, **evidence.cookies},
            html=evidence.html,
            cert_issuer=issuer,
            dns=dns,
        )
        signals.script_srcs = list(dict.fromkeys([*signals.script_srcs, *evidence.script_urls]))
        signals.js_values = evidence.globals
    return fingerprint_set().detect(signals)


def tech_scan_probe(
    page: FetchResult,
    dns: dict[str, list[str]],
    *,
    parsed: ParsedPage | None = None,
    session: TechScanSession | None = None,
) -> TechProbe:
    """Network and CPU only (a batch runs it in its pool): detect on `page`, rendered in the session's browser
    when it has one. A page the browser cannot render is scanned statically, with the reason in `note`."""
    session = session or TechScanSession(mode=ScanMode.STATIC)
    note = session.unavailable
    if session.scanner is not None:
        if page.is_html:
            try:
                evidence = session.scanner.scan(page.url, page)
            except BrowserScanError as exc:
                note = f"Browser scan failed: {exc}. Static scan used."
            else:
                detections = tech_scan_detect(page, dns, evidence=evidence)
                note = "The page had not finished loading within its time box." if evidence.partial else ""
                return TechProbe(page, dns, detections, ScanMode.BROWSER, note, evidence.summary())
        else:
            note = f"Not an HTML page ({page.content_type}): static scan used."
    return TechProbe(page, dns, tech_scan_detect(page, dns, parsed), ScanMode.STATIC, note)


def tech_scan_run(*, prospect: Prospect, probe: TechProbe | None = None, mode: str | None = None) -> TechScanOutcome:
    """Detect the technologies of a prospect's live website and store them. Skips prospects without one.

    `probe`: what a batch's pool found already. Else the page is fetched now and scanned in `mode` (default
    TECH_SCAN_MODE; browser mode starts a Chromium for this one page)."""
    if not prospect.domain_name or not prospect.has_website:
        return TechScanOutcome(scanned=False, reason="no live website (run the HTTP check first)")
    if probe is None:
        url = prospect_home_url(prospect)
        try:
            page = read_page(url)
        except FetchError as exc:
            return TechScanOutcome(scanned=False, reason=f"{exc.kind}: {exc}")
        dns = dns_records(prospect.domain_name)
        with tech_scan_session(mode, concurrency=1) as session:
            probe = tech_scan_probe(page, dns, session=session)
    return tech_scan_store(prospect=prospect, probe=probe)


def tech_scan_store(*, prospect: Prospect, probe: TechProbe) -> TechScanOutcome:
    """Write what a scan found on the prospect's tech profile (database only)."""
    detections = probe.detections
    fields = primary_fields(detections)
    booking = [d.name for d in detections if BOOKING_CATEGORIES.intersection(d.categories)]
    now = timezone.now()
    with transaction.atomic():
        profile, _ = TechProfile.objects.select_for_update().get_or_create(prospect=prospect)
        for name, value in fields.items():
            setattr(profile, name, value)
        stack = {
            **(profile.tech_stack_json or {}),
            "technologies": [d.as_dict() for d in detections],
            "booking_tools": booking,
            "scanned_url": probe.page.url,
            "dns": probe.dns,
        }
        stack.pop("browser", None)
        if probe.browser:
            stack["browser"] = probe.browser
        profile.tech_stack_json = stack
        profile.scanned_at = now
        profile.scan_mode = probe.mode
        profile.scan_note = probe.note[:300]
        profile.save()
        Prospect.objects.filter(pk=prospect.pk).update(last_tech_scan_at=now)
        prospects_changed_announce(prospect_ids=[prospect.pk])
    prospect.last_tech_scan_at = now
    return TechScanOutcome(scanned=True, detections=detections, fields=fields, mode=probe.mode, note=probe.note)
