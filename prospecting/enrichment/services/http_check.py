"""HTTP check: does the domain serve a website, over HTTPS with a valid certificate, or is it parked?"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from prospecting.core.events import prospects_changed_announce
from prospecting.core.fetch import FetchError, FetchResult, default_fetcher
from prospecting.enrichment.models import TechProfile
from prospecting.prospects.models import Prospect
from prospecting.prospects.services.status import LIVE_STATUSES, prospects_status_set_automatic

# Statuses the HTTP check may change (the live ones); contacted/converted/inactive are sales decisions it never
# undoes.
_AUTOMATIC_STATUSES = LIVE_STATUSES

# Parking providers and "for sale" pages (markup, scripts and phrases seen on parked domains).
_PARKED_PATTERNS = re.compile(
    "|".join(
        [
            r"sedoparking",
            r"sedo\.com/search/details",
            r"parkingcrew",
            r"bodis\.com",
            r"above\.com/marketplace",
            r"parklogic",
            r"dan\.com/buy-domain",
            r"afternic",
            r"hugedomains",
            r"domainmarket\.com",
            r"google\.com/adsense/domains/caf\.js",
            r"this domain (?:name )?(?:is|may be) for sale",
            r"buy this domain",
            r"domain (?:name )?is parked",
            r"ce domaine est (?:à vendre|en vente)",
            r"diese domain (?:steht zum verkauf|ist zu verkaufen)",
            r"domain parking",
            r"parked free, courtesy of",
            r"registered at namecheap\.com",
            r"future home of something quite cool",
        ]
    ),
)  # matched against lower-cased text: much faster than re.IGNORECASE over a 20 KB page


def is_parked_page(result: FetchResult) -> bool:
    """True for parking-provider pages, "domain for sale" pages and registrar placeholders."""
    # Parking pages are small and say so early; reading a real site's whole page here would only cost time.
    return bool(_PARKED_PATTERNS.search(result.text[:20_000].lower()))


@dataclass
class HttpCheckOutcome:
    has_website: bool
    uses_https: bool
    status: str
    http_status_code: int | None = None
    final_url: str = ""
    error_class: str = ""
    error: str = ""
    response_ms: int | None = None
    parked: bool = False
    certificate: dict[str, Any] | None = None
    certificate_valid: bool | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    page: FetchResult | None = None  # the home page, for the tech scan to reuse


def http_check_probe(domain: str) -> HttpCheckOutcome:
    """Try https then http; on each, the apex, and www. only when the apex name does not resolve.
    The first answer wins. No database access."""
    fetcher = default_fetcher()
    attempts: list[dict[str, Any]] = []
    errors: list[FetchError] = []
    certificate_error: FetchError | None = None
    for scheme in ("https", "http"):
        for host in (domain, f"www.{domain}"):
            url = f"{scheme}://{host}/"
            try:
                result = fetcher.fetch(url)
            except FetchError as exc:
                attempts.append({"url": url, "error_class": exc.kind, "error": str(exc)})
                if exc.kind == "tls" and certificate_error is None:
                    certificate_error = exc
                if exc.kind in {"too_many_redirects", "blocked"}:
                    return _failed(exc, attempts, certificate_error)
                errors.append(exc)
                if exc.kind != "dns":
                    break  # the apex resolves: www. is very likely the same server
                continue
            attempts.append({"url": url, "status": result.status_code, "final_url": result.url})
            return _answered(result, attempts, certificate_error)
    # Report the most telling failure: a timeout or refused connection says more than a missing www. name.
    primary = next((e for e in errors if e.kind not in {"dns", "tls"}), None)
    primary = primary or next((e for e in errors if e.kind == "tls"), None) or errors[0]
    return _failed(primary, attempts, certificate_error)


def _answered(result: FetchResult, attempts: list, certificate_error: FetchError | None) -> HttpCheckOutcome:
    final_https = result.url.startswith("https://")
    parked = result.status_code < 400 and is_parked_page(result)
    http_error = result.status_code >= 400
    if parked:
        status = Prospect.Status.PARKED
    elif http_error:
        status = Prospect.Status.ERROR
    else:
        status = Prospect.Status.ACTIVE
    return HttpCheckOutcome(
        has_website=not parked,
        uses_https=final_https,
        status=status,
        http_status_code=result.status_code,
        final_url=result.url,
        error_class="http_error" if http_error else "",
        error=f"HTTP {result.status_code}" if http_error else "",
        response_ms=result.elapsed_ms,
        parked=parked,
        certificate=result.certificate,
        certificate_valid=True if final_https else (False if certificate_error else None),
        attempts=attempts,
        page=result,
    )


def _failed(error: FetchError, attempts: list, certificate_error: FetchError | None) -> HttpCheckOutcome:
    return HttpCheckOutcome(
        has_website=False,
        uses_https=False,
        status=Prospect.Status.ERROR,
        error_class=error.kind,
        error=str(error),
        certificate_valid=False if certificate_error else None,
        attempts=attempts,
    )


def http_check_run(*, prospect: Prospect) -> HttpCheckOutcome:
    """Check the prospect's domain and store the result (fields, status flow, details in the tech profile)."""
    if not prospect.domain_name:
        outcome = HttpCheckOutcome(has_website=False, uses_https=False, status=prospect.status, error_class="no_domain")
    else:
        outcome = http_check_probe(prospect.domain_name)
    http_check_store(prospect=prospect, outcome=outcome)
    return outcome


def http_check_store(*, prospect: Prospect, outcome: HttpCheckOutcome) -> None:
    http_check_store_many(results=[(prospect, outcome)])


_STORED_FIELDS = ["has_website", "uses_https", "http_status_code", "redirect_url", "last_http_check_at", "status"]


def http_check_store_many(*, results: list[tuple[Prospect, HttpCheckOutcome]]) -> None:
    """Store many checks in a few statements: one bulk update of prospects, one of their tech profiles."""
    now = timezone.now()
    prospects = []
    details_by_id = {}
    status_changes: list[tuple[Prospect, str, str]] = []
    for prospect, outcome in results:
        prospect.has_website = outcome.has_website
        prospect.uses_https = outcome.uses_https
        prospect.http_status_code = outcome.http_status_code
        prospect.redirect_url = outcome.final_url[:2000] if outcome.final_url else ""
        prospect.last_http_check_at = now
        if prospect.status in _AUTOMATIC_STATUSES and outcome.error_class != "no_domain":
            status_changes.append((prospect, prospect.status, outcome.status))
        prospect.updated_at = now
        prospects.append(prospect)
        details = {key: value for key, value in asdict(outcome).items() if key != "page"}
        details["checked_at"] = now.isoformat()
        details_by_id[prospect.pk] = details
    with transaction.atomic():
        # The status pipeline decides which of the check's statuses stand (and logs each change).
        allowed = set(
            prospects_status_set_automatic(
                changes=[(prospect.pk, old, new) for prospect, old, new in status_changes], reason="HTTP check"
            )
        )
        for prospect, _, new in status_changes:
            if prospect.pk in allowed:
                prospect.status = new
        Prospect.objects.bulk_update(prospects, [*_STORED_FIELDS, "updated_at"], batch_size=500)
        profiles = {
            profile.prospect_id: profile
            for profile in TechProfile.objects.select_for_update().filter(prospect_id__in=details_by_id)
        }
        missing = [TechProfile(prospect_id=pk, tech_stack_json={}) for pk in details_by_id if pk not in profiles]
        for profile in missing:
            profiles[profile.prospect_id] = profile
        for prospect_id, details in details_by_id.items():
            profile = profiles[prospect_id]
            profile.tech_stack_json = {**(profile.tech_stack_json or {}), "http_check": details}
        existing = [profile for profile in profiles.values() if profile.pk]
        TechProfile.objects.bulk_update(existing, ["tech_stack_json"], batch_size=500)
        TechProfile.objects.bulk_create(missing, batch_size=500)
        prospects_changed_announce(prospect_ids=list(details_by_id))
