"""HTTP check: does the domain serve a website, over HTTPS with a valid certificate, or is it parked?"""

from __future__ import annotations

import datetime
import re
import socket
import ssl
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from urllib3.exceptions import InsecureRequestWarning

from prospecting.core.events import prospects_changed_announce
from prospecting.core.fetch import FetchError, FetchResult, default_fetcher, resolve_checked
from prospecting.enrichment.models import CheckResult, TechProfile
from prospecting.prospects.models import Prospect
from prospecting.prospects.services.status import LIVE_STATUSES, prospects_status_set_automatic

# A certificate that fails verification is read anyway, on purpose (reading only): no warning for each such site.
warnings.filterwarnings("ignore", category=InsecureRequestWarning)

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


# Failure kinds (core/fetch.py) that say nothing about the site, only that we could not reach it now.
COULD_NOT_CHECK_KINDS = {"resolver", "timeout", "connect", "tls"}
DNS_KINDS = {"dns", "resolver"}


def result_for_error(kind: str) -> str:
    """The check result a failure of this kind means."""
    if kind == "dns":
        return CheckResult.NO_WEBSITE
    if kind in COULD_NOT_CHECK_KINDS:
        return CheckResult.COULD_NOT_CHECK
    return CheckResult.ERROR


def error_message(kind: str, message: str, host: str) -> str:
    """A failure as a person reads it: "example.lu does not resolve", "timed out after 10 s"."""
    lowered = message.lower()
    if kind == "dns":
        return f"{host} does not resolve (no address for this name)"
    if kind == "resolver":
        return f"the DNS lookup of {host} failed (the resolver did not answer)"
    if kind == "timeout":
        seconds = settings.ENRICHMENT_CONNECT_TIMEOUT if "connect" in lowered else settings.ENRICHMENT_READ_TIMEOUT
        return f"timed out after {seconds:g} s"
    if kind == "connect":
        if "refused" in lowered:
            return f"{host} refused the connection"
        if "reset" in lowered or "aborted" in lowered or "closed" in lowered:
            return f"{host} closed the connection without answering"
        return f"could not connect to {host}"
    if kind == "tls":
        return f"the secure connection to {host} failed ({message.removeprefix('TLS error: ')[:150]})"
    if kind == "too_many_redirects":
        return f"more than {settings.ENRICHMENT_MAX_REDIRECTS} redirects (a redirect loop)"
    if kind == "blocked":
        return f"{host} points to a private or reserved address"
    return message[:200]


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
    result: str = ""  # a CheckResult value
    message: str = ""  # what happened, in words
    retry_at: str | None = None  # ISO time after which a check that could not be made is worth retrying
    redirect_chain: list[str] = field(default_factory=list)  # every URL from the first request to the page
    certificate_problem: dict[str, Any] | None = None  # certificate_inspect() of the hop whose certificate failed


def read_page(url: str, **options: Any) -> FetchResult:
    """Fetch a page for reading (tech scan, contacts, performance): a certificate that fails verification does
    not stop the read, the HTTP check has recorded it as a finding. Raises FetchError like the fetcher."""
    try:
        return default_fetcher().fetch(url, **options)
    except FetchError as exc:
        if exc.kind != "tls":
            raise
    return default_fetcher().fetch(url, verify=False, **options)


def http_check_probe(domain: str) -> HttpCheckOutcome:
    """Try https then http; on each, the apex, and www. only when the apex name does not resolve.
    The first answer wins. A certificate that fails verification on the site or a redirect hop is a finding:
    the page is read without verification (reading only). No database access."""
    fetcher = default_fetcher()
    attempts: list[dict[str, Any]] = []
    errors: list[FetchError] = []
    for scheme in ("https", "http"):
        for host in (domain, f"www.{domain}"):
            url = f"{scheme}://{host}/"
            try:
                result = fetcher.fetch(url)
            except FetchError as exc:
                attempts.append({"url": url, "error_class": exc.kind, "error": str(exc)})
                if exc.kind == "tls":
                    unverified = _read_despite_certificate(fetcher, url, exc, attempts)
                    if unverified is not None:
                        return unverified
                if exc.kind in {"too_many_redirects", "blocked"}:
                    return _failed(exc, attempts, domain)
                errors.append(exc)
                if exc.kind not in DNS_KINDS:
                    break  # the apex resolves: www. is very likely the same server
                continue
            attempts.append({"url": url, "status": result.status_code, "final_url": result.url})
            return _answered(result, attempts)
    return _failed(_most_telling(errors), attempts, domain)


def _most_telling(errors: list[FetchError]) -> FetchError:
    """A timeout or refused connection says more than a missing www. name; a failing resolver more than both
    (the names were never looked up); "no address" only when every name had none."""
    for kinds in ({"resolver"}, {"timeout", "connect"}, {"tls"}):
        found = next((e for e in errors if e.kind in kinds), None)
        if found is not None:
            return found
    return next((e for e in errors if e.kind != "dns"), errors[0])


def _read_despite_certificate(
    fetcher: Any, url: str, error: FetchError, attempts: list[dict[str, Any]]
) -> HttpCheckOutcome | None:
    """The certificate of `error.url` (the site or a redirect hop) failed verification: describe it, and read
    the page without verification. None when even that read fails."""
    failing = urlsplit(error.url or url)
    problem = certificate_inspect(failing.hostname or "", failing.port or 443)
    problem["error"] = _verification_error(str(error))
    problem["url"] = error.url or url
    problem["label"] = certificate_label(problem)
    try:
        result = fetcher.fetch(url, verify=False)
    except FetchError as exc:
        attempts.append({"url": url, "verify": False, "error_class": exc.kind, "error": str(exc)})
        return None
    attempts.append({"url": url, "verify": False, "status": result.status_code, "final_url": result.url})
    outcome = _answered(result, attempts)
    outcome.certificate_valid = False
    outcome.certificate_problem = problem
    outcome.certificate = {key: problem.get(key, "") for key in ("issuer", "issuer_cn", "subject", "not_after")}
    if outcome.result == CheckResult.ACTIVE:
        outcome.message = f"the site answers, but browsers show a security warning: {problem['label']}"
    return outcome


_VERIFY_ERROR = re.compile(r"certificate verify failed: ([^(]+)|(Hostname mismatch[^']*'[^']*')", re.IGNORECASE)


def _verification_error(message: str) -> str:
    match = _VERIFY_ERROR.search(message)
    if match:
        return (match.group(1) or match.group(2)).strip().rstrip(".")
    return message.removeprefix("TLS error: ")[:200]


def certificate_inspect(host: str, port: int = 443) -> dict[str, Any]:
    """The certificate `host:port` presents, read without verifying it: issuer, names, validity. Connects to the
    address the safe fetcher checked (never a second lookup). {} when it cannot be read."""
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID, NameOID

    try:
        address = resolve_checked(host, port)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with (
            socket.create_connection(address, timeout=settings.ENRICHMENT_CONNECT_TIMEOUT) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
        cert = x509.load_der_x509_certificate(der)
    except (OSError, ValueError, FetchError):
        return {"host": host}

    def name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
        values = name.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    try:
        names = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value.get_values_for_type(
            x509.DNSName
        )
    except x509.ExtensionNotFound:
        names = []
    subject_cn = name_part(cert.subject, NameOID.COMMON_NAME)
    issuer_org = name_part(cert.issuer, NameOID.ORGANIZATION_NAME)
    issuer_cn = name_part(cert.issuer, NameOID.COMMON_NAME)
    not_after = cert.not_valid_after_utc
    return {
        "host": host,
        "issuer": issuer_org or issuer_cn,
        "issuer_cn": issuer_cn,
        "subject": subject_cn,
        "names": list(names)[:20] or ([subject_cn] if subject_cn else []),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": not_after.isoformat(),
        "expired": not_after < timezone.now(),
        "self_signed": cert.issuer == cert.subject,
    }


def certificate_label(problem: dict[str, Any]) -> str:
    """The certificate problem in a few words, for the prospect page, the score and campaign texts."""
    host = problem.get("host", "")
    error = (problem.get("error") or "").lower()
    if problem.get("expired") or "expired" in error:
        day = (problem.get("not_after") or "")[:10]
        return f"the certificate of {host} expired" + (f" on {day}" if day else "")
    if "mismatch" in error or "not valid for" in error:
        names = ", ".join(problem.get("names") or []) or "another name"
        return f"the certificate of {host} is for {names}, not for {host}"
    if problem.get("self_signed") or "self-signed" in error or "self signed" in error:
        return f"the certificate of {host} is self-signed"
    if "unable to get local issuer" in error or "untrusted" in error:
        issuer = problem.get("issuer") or "an unknown authority"
        return f"the certificate of {host} is issued by an untrusted authority ({issuer})"
    return f"the certificate of {host} is not valid ({problem.get('error') or 'verification failed'})"


def _answered(result: FetchResult, attempts: list) -> HttpCheckOutcome:
    final_https = result.url.startswith("https://")
    parked = result.status_code < 400 and is_parked_page(result)
    http_error = result.status_code >= 400
    if parked:
        status, check, message = Prospect.Status.PARKED, CheckResult.PARKED, "the domain shows a parking page"
    elif http_error:
        status, check = Prospect.Status.ERROR, CheckResult.ERROR
        message = f"the site answers with an error (HTTP {result.status_code})"
    else:
        status, check, message = Prospect.Status.ACTIVE, CheckResult.ACTIVE, "the site answers"
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
        certificate_valid=True if final_https else None,
        attempts=attempts,
        page=result,
        result=check,
        message=message,
        redirect_chain=[*result.redirects, result.url],
    )


def _failed(error: FetchError, attempts: list, domain: str) -> HttpCheckOutcome:
    check = result_for_error(error.kind)
    host = urlsplit(error.url).hostname if error.url else None
    retry_at = None
    if check == CheckResult.COULD_NOT_CHECK:
        retry_at = (timezone.now() + datetime.timedelta(hours=settings.ENRICHMENT_RETRY_AFTER_HOURS)).isoformat()
    return HttpCheckOutcome(
        has_website=False,
        uses_https=False,
        status=Prospect.Status.ERROR,
        error_class=error.kind,
        error=str(error),
        attempts=attempts,
        result=check,
        message=error_message(error.kind, str(error), host or domain),
        retry_at=retry_at,
    )


def http_check_run(*, prospect: Prospect) -> HttpCheckOutcome:
    """Check the prospect's domain and store the result (fields, status flow, details in the tech profile)."""
    if not prospect.domain_name:
        outcome = HttpCheckOutcome(
            has_website=False,
            uses_https=False,
            status=prospect.status,
            error_class="no_domain",
            result=CheckResult.NO_WEBSITE,
            message="no domain name is known",
        )
    else:
        outcome = http_check_probe(prospect.domain_name)
    http_check_store(prospect=prospect, outcome=outcome)
    return outcome


def http_check_store(*, prospect: Prospect, outcome: HttpCheckOutcome) -> None:
    http_check_store_many(results=[(prospect, outcome)])


_STORED_FIELDS = ["has_website", "uses_https", "http_status_code", "redirect_url", "last_http_check_at", "status"]
_PROFILE_FIELDS = [
    "tech_stack_json",
    "check_result",
    "check_message",
    "check_retry_at",
    "certificate_valid",
    "certificate_problem",
]


def http_check_store_many(*, results: list[tuple[Prospect, HttpCheckOutcome]]) -> None:
    """Store many checks in a few statements: one bulk update of prospects, one of their tech profiles.

    A check that could not be made (timeout, refused, resolver failing) changes none of the prospect's website
    facts and does not count as a check: it says what happened and when to retry. A pending prospect shows it
    as status error; "no website" points are never given for it (has_website stays unknown)."""
    now = timezone.now()
    prospects = []
    outcomes_by_id: dict[int, HttpCheckOutcome] = {}
    status_changes: list[tuple[Prospect, str, str]] = []
    for prospect, outcome in results:
        if outcome.result == CheckResult.COULD_NOT_CHECK:
            if prospect.status == Prospect.Status.PENDING:
                status_changes.append((prospect, prospect.status, Prospect.Status.ERROR))
        else:
            prospect.has_website = outcome.has_website
            prospect.uses_https = outcome.uses_https
            prospect.http_status_code = outcome.http_status_code
            prospect.redirect_url = outcome.final_url[:2000] if outcome.final_url else ""
            prospect.last_http_check_at = now
            if prospect.status in _AUTOMATIC_STATUSES and outcome.error_class != "no_domain":
                status_changes.append((prospect, prospect.status, outcome.status))
        prospect.updated_at = now
        prospects.append(prospect)
        outcomes_by_id[prospect.pk] = outcome
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
            for profile in TechProfile.objects.select_for_update().filter(prospect_id__in=outcomes_by_id)
        }
        missing = [TechProfile(prospect_id=pk, tech_stack_json={}) for pk in outcomes_by_id if pk not in profiles]
        for profile in missing:
            profiles[profile.prospect_id] = profile
        for prospect_id, outcome in outcomes_by_id.items():
            _profile_update(profiles[prospect_id], outcome, now)
        existing = [profile for profile in profiles.values() if profile.pk]
        TechProfile.objects.bulk_update(existing, _PROFILE_FIELDS, batch_size=500)
        TechProfile.objects.bulk_create(missing, batch_size=500)
        prospects_changed_announce(prospect_ids=list(outcomes_by_id))


def _profile_update(profile: TechProfile, outcome: HttpCheckOutcome, now: datetime.datetime) -> None:
    details = {key: value for key, value in asdict(outcome).items() if key != "page"}
    details["checked_at"] = now.isoformat()
    profile.tech_stack_json = {**(profile.tech_stack_json or {}), "http_check": details}
    profile.check_result = outcome.result
    profile.check_message = outcome.message[:300]
    profile.check_retry_at = datetime.datetime.fromisoformat(outcome.retry_at) if outcome.retry_at else None
    if outcome.result != CheckResult.COULD_NOT_CHECK:  # what we knew of the certificate stays until a real check
        profile.certificate_valid = outcome.certificate_valid
        problem = outcome.certificate_problem
        profile.certificate_problem = (
            (problem or {}).get("label", "")[:300] if outcome.certificate_valid is False else ""
        )
