"""The enrichment steps, described once: the full pipeline, batches, the API, the admin's actions and the
`enrich` command all read this registry.

Each step is split the same way (see `services/`): a **probe** does the network work and touches no database
(a batch runs it in a pool of threads or forked processes), a **store** writes what the probe found and
touches no network. `probe(prospect, shared)` receives a dict of what earlier steps of the same run found
(`home_page`: the page the HTTP check downloaded, `booking_tools`: what the tech scan detected) together with
the job's options (`force`) and what the run opened for its probes (`tech_session`: the browser, in the tech
scan's browser mode); results leave page bodies out (small to send between processes) unless
`shared["keep_pages"]` asks for them (the full pipeline, whose later steps read the page).
`store(prospect, result)` returns the one-line report a person reads.

Functions of the step modules are looked up when called (not bound here), so a test can replace one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prospecting.core.fetch import FetchResult
from prospecting.core.models import ScanJob
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospect_home_url

LIVE_SITE = Q(domain_name__isnull=False, has_website=True)


class NoPageReadError(RuntimeError):
    def __init__(self) -> None:
        super().__init__("no page could be read")


@dataclass(frozen=True)
class Step:
    """One enrichment step: what it is called, whom it applies to, and its probe, store and single run."""

    job_type: str  # also the step's name in reports and job rows
    done_field: str  # the prospect timestamp set when the step finished
    eligible: Q  # which prospects the step applies to
    probe: Callable[[Prospect, dict[str, Any]], Any]  # network only
    store: Callable[[Prospect, Any], str | None]  # database only; returns the report line
    store_many: Callable[[list[tuple[Prospect, Any]]], None] | None = None  # the same, for a whole chunk
    label: str = ""
    run: Callable[[Prospect], Any] | None = None  # probe + store of one prospect, now (the API's single run)
    result: Callable[[Any], dict[str, Any]] | None = None  # the single run's outcome as the API answers it

    @property
    def slug(self) -> str:
        """The step's name in URLs and on the command line: http-check."""
        return self.job_type.replace("_", "-")


def home_page_for(prospect: Prospect, shared: dict[str, Any]) -> FetchResult | None:
    """The page an earlier step downloaded, when it is the prospect's home page (it saves a download)."""
    page = shared.get("home_page")
    return page if page is not None and page.url == prospect_home_url(prospect) else None


def parsed_home_for(home_page: FetchResult | None, shared: dict[str, Any]) -> Any:
    """The tree the tech scan parsed `home_page` into, if it did (a ParsedPage)."""
    parsed = shared.get("parsed_home")
    return parsed if home_page is not None and parsed is not None and parsed.url == home_page.url else None


# --- HTTP check ---------------------------------------------------------------------------------------------


def _http_probe(prospect: Prospect, shared: dict[str, Any]) -> Any:
    from prospecting.enrichment.services import http_check

    outcome = http_check.http_check_probe(prospect.domain_name)
    if outcome.page is not None and not shared.get("keep_pages"):
        outcome.page = outcome.page.without_body()
    return outcome


def _http_store(prospect: Prospect, outcome: Any) -> str:
    from prospecting.enrichment.services import http_check

    http_check.http_check_store(prospect=prospect, outcome=outcome)
    return outcome.status + (f" ({outcome.error_class})" if outcome.error_class else "")


def _http_store_many(results: list[tuple[Prospect, Any]]) -> None:
    from prospecting.enrichment.services import http_check

    http_check.http_check_store_many(results=results)


def _http_run(prospect: Prospect) -> Any:
    from prospecting.enrichment.services import http_check

    return http_check.http_check_run(prospect=prospect)


def _http_result(outcome: Any) -> dict[str, Any]:
    return {key: value for key, value in asdict(outcome).items() if key != "page"}


# --- Tech scan ----------------------------------------------------------------------------------------------


def _tech_probe(prospect: Prospect, shared: dict[str, Any]) -> Any:
    """Fetch (unless the HTTP check did) and detect in the pool: detection is the CPU-heavy part. The run's
    browser, in browser mode, is `shared["tech_session"]` (a TechScanSession)."""
    from prospecting.enrichment.dns import dns_records
    from prospecting.enrichment.services import tech_scan
    from prospecting.enrichment.services.http_check import read_page

    page = shared.get("home_page") or read_page(prospect_home_url(prospect))  # FetchError: failed
    dns = dns_records(prospect.domain_name)
    parsed = None
    if shared.get("keep_pages") and page.is_html:  # the later steps of this run read the same tree
        from prospecting.enrichment.extract import ParsedPage

        parsed = shared["parsed_home"] = ParsedPage(page.url, page.text)
    probe = tech_scan.tech_scan_probe(page, dns, parsed=parsed, session=shared.get("tech_session"))
    return probe if shared.get("keep_pages") else probe.without_body()


def _tech_store(prospect: Prospect, result: Any) -> str:
    from prospecting.enrichment.services import tech_scan

    outcome = tech_scan.tech_scan_run(prospect=prospect, probe=result)
    if not outcome.fields:
        return outcome.reason
    return (outcome.fields.get("cms") or "no CMS") + (" (browser)" if outcome.mode == "browser" else "")


def _tech_run(prospect: Prospect) -> Any:
    from prospecting.enrichment.services import tech_scan

    return tech_scan.tech_scan_run(prospect=prospect)


def _tech_result(outcome: Any) -> dict[str, Any]:
    return {
        "scanned": outcome.scanned,
        "reason": outcome.reason,
        "mode": outcome.mode,
        "note": outcome.note,
        "fields": outcome.fields or {},
        "technologies": [d.as_dict() for d in outcome.detections or []],
    }


def booking_tools(detections: list[Any]) -> list[str]:
    from prospecting.enrichment.services.tech_scan import BOOKING_CATEGORIES

    return [d.name for d in detections if BOOKING_CATEGORIES.intersection(d.categories)]


# --- Performance audit --------------------------------------------------------------------------------------


def _performance_probe(prospect: Prospect, shared: dict[str, Any]) -> Any:
    from prospecting.enrichment.services import performance

    home_page = home_page_for(prospect, shared)
    return performance.performance_probe(prospect, home_page, parsed_home_for(home_page, shared))


def _performance_store(prospect: Prospect, result: Any) -> str:
    from prospecting.enrichment.services import performance

    performance.performance_store(prospect=prospect, result=result)
    return f"performance {result.performance_score}"


def _performance_run(prospect: Prospect) -> Any:
    from prospecting.enrichment.services import performance

    return performance.performance_run(prospect=prospect)


def _performance_result(outcome: Any) -> dict[str, Any]:
    result = {"audited": outcome.audited, "reason": outcome.reason}
    if outcome.result:
        result.update({key: value for key, value in asdict(outcome.result).items() if key != "raw"})
    return result


# --- Contact scrape -----------------------------------------------------------------------------------------


def _contacts_probe(prospect: Prospect, shared: dict[str, Any]) -> Any:
    from prospecting.enrichment.services import contacts

    home_page = home_page_for(prospect, shared)
    return contacts.contacts_probe(
        prospect, shared.get("booking_tools"), home_page=home_page, home_parsed=parsed_home_for(home_page, shared)
    )


def _contacts_store(prospect: Prospect, result: Any) -> str:
    from prospecting.enrichment.services import contacts

    if not result.pages:
        raise NoPageReadError
    added = contacts.contacts_store(prospect=prospect, result=result)
    return f"{added} new contacts" + (f", {result.suppressed} suppressed" if result.suppressed else "")


def _contacts_run(prospect: Prospect) -> Any:
    from prospecting.enrichment.services import contacts

    return contacts.contacts_run(prospect=prospect)


def _contacts_result(outcome: Any) -> dict[str, Any]:
    return {
        "scraped": outcome.scraped,
        "reason": outcome.reason,
        "added": outcome.added,
        "suppressed": outcome.suppressed,
        "pages": outcome.result.pages if outcome.result else [],
        "site_features": outcome.result.features if outcome.result else {},
    }


HTTP_CHECK = Step(
    ScanJob.JobType.HTTP_CHECK,
    "last_http_check_at",
    Q(domain_name__isnull=False),
    _http_probe,
    _http_store,
    _http_store_many,
    label=_("HTTP check"),
    run=_http_run,
    result=_http_result,
)
TECH_SCAN = Step(
    ScanJob.JobType.TECH_SCAN,
    "last_tech_scan_at",
    LIVE_SITE,
    _tech_probe,
    _tech_store,
    label=_("Tech scan"),
    run=_tech_run,
    result=_tech_result,
)
PERFORMANCE = Step(
    ScanJob.JobType.PERFORMANCE,
    "last_performance_scan_at",
    LIVE_SITE,
    _performance_probe,
    _performance_store,
    label=_("Performance audit"),
    run=_performance_run,
    result=_performance_result,
)
CONTACTS = Step(
    ScanJob.JobType.CONTACTS,
    "last_contact_scrape_at",
    LIVE_SITE,
    _contacts_probe,
    _contacts_store,
    label=_("Contact scrape"),
    run=_contacts_run,
    result=_contacts_result,
)
PIPELINE: list[Step] = [HTTP_CHECK, TECH_SCAN, PERFORMANCE, CONTACTS]  # the full pipeline's order
