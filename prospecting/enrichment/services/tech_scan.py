"""Tech scan: which CMS, server, CDN, frameworks, analytics, shop and booking tools a website uses."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from prospecting.core.events import prospects_changed_announce
from prospecting.core.fetch import FetchError, FetchResult
from prospecting.enrichment.dns import dns_records
from prospecting.enrichment.extract import ParsedPage
from prospecting.enrichment.fingerprints import Detection, PageSignals, fingerprint_set
from prospecting.enrichment.models import ScanMode, TechProfile
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


def tech_scan_detect(
    page: FetchResult, dns: dict[str, list[str]] | None = None, parsed: ParsedPage | None = None
) -> list[Detection]:
    """What the page shows. `parsed`: the page already parsed (the full pipeline parses it once for the tech
    scan, the performance audit and the contact scrape); else it is parsed only if a `dom` selector may match."""
    issuer = (page.certificate or {}).get("issuer", "")
    signals = PageSignals.from_page(
        url=page.url,
        headers=page.headers,
        cookies=page.cookies,
        html=page.text,
        cert_issuer=issuer,
        dns=dns,
        root=parsed.root if parsed is not None else None,
    )
    return fingerprint_set().detect(signals)


def tech_scan_run(
    *,
    prospect: Prospect,
    page: FetchResult | None = None,
    dns: dict[str, list[str]] | None = None,
    detections: list[Detection] | None = None,
) -> TechScanOutcome:
    """Detect the technologies of a prospect's live website and store them. Skips prospects without one.

    `page` and `dns` may be given by a caller that fetched them already (a batch fetches in its pool)."""
    if not prospect.domain_name or not prospect.has_website:
        return TechScanOutcome(scanned=False, reason="no live website (run the HTTP check first)")
    if page is None:
        url = prospect_home_url(prospect)
        try:
            page = read_page(url)
        except FetchError as exc:
            return TechScanOutcome(scanned=False, reason=f"{exc.kind}: {exc}")
    if dns is None:
        dns = dns_records(prospect.domain_name)
    if detections is None:
        detections = tech_scan_detect(page, dns)
    fields = primary_fields(detections)
    booking = [d.name for d in detections if BOOKING_CATEGORIES.intersection(d.categories)]
    now = timezone.now()
    with transaction.atomic():
        profile, _ = TechProfile.objects.select_for_update().get_or_create(prospect=prospect)
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.tech_stack_json = {
            **(profile.tech_stack_json or {}),
            "technologies": [d.as_dict() for d in detections],
            "booking_tools": booking,
            "scanned_url": page.url,
            "dns": dns,
        }
        profile.scanned_at = now
        profile.scan_mode = ScanMode.STATIC
        profile.save()
        Prospect.objects.filter(pk=prospect.pk).update(last_tech_scan_at=now)
        prospects_changed_announce(prospect_ids=[prospect.pk])
    prospect.last_tech_scan_at = now
    return TechScanOutcome(scanned=True, detections=detections, fields=fields)
