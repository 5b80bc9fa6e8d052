"""Contact scrape: e-mails, phones, address, social profiles and site features from a prospect's website."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from prospecting.core.events import prospects_changed_announce
from prospecting.core.fetch import FetchError, FetchResult
from prospecting.core.suppression import suppression_check
from prospecting.enrichment.extract import PageContacts, ParsedPage, candidate_pages, extract_contacts, site_features
from prospecting.enrichment.models import TechProfile
from prospecting.enrichment.services.http_check import read_page
from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.prospects.provenance import SCRAPE, field_sources_record, provenance
from prospecting.prospects.selectors import prospect_home_url

_GENERIC_MAILBOXES = {"info", "contact", "hello", "bonjour", "office", "mail", "kontakt", "accueil", "secretariat"}
_SOCIAL_TYPES = {"facebook": "facebook", "linkedin": "linkedin", "instagram": "instagram", "twitter": "twitter"}


@dataclass
class ScrapeResult:
    pages: list[str] = field(default_factory=list)
    skipped_by_robots: list[str] = field(default_factory=list)
    contacts: PageContacts = field(default_factory=PageContacts)
    sources: dict[tuple[str, str], str] = field(default_factory=dict)  # (type, value) -> page url
    features: dict[str, Any] = field(default_factory=dict)
    mx: dict[str, bool] = field(default_factory=dict)  # e-mail domain -> accepts mail
    suppressed: int = 0  # e-mails and phones found but left out: on the suppression list (set when stored)


def _robots(start_url: str) -> RobotFileParser:
    parser = RobotFileParser()
    try:
        result = read_page(urljoin(start_url, "/robots.txt"), max_bytes=256 * 1024)
        lines = result.text.splitlines() if result.status_code == 200 else []
    except FetchError:
        lines = []
    parser.parse(lines)
    return parser


def contacts_probe(
    prospect: Prospect,
    booking_tools: list[str] | None = None,
    home_page: FetchResult | None = None,
    home_parsed: ParsedPage | None = None,
) -> ScrapeResult:
    """Network only: crawl the home page and up to ENRICHMENT_CONTACT_PAGES likely pages, within robots.txt.

    `home_page`, the page the HTTP check just fetched, is used instead of downloading it again, and
    `home_parsed`, its tree as the tech scan parsed it, instead of parsing it again.
    """
    start = prospect_home_url(prospect)
    robots = _robots(start)
    agent = settings.ENRICHMENT_USER_AGENT
    result = ScrapeResult()
    pages: list[ParsedPage] = []  # each page parsed once
    queue = [start]
    seen: set[str] = set()
    while queue and len(pages) < 1 + settings.ENRICHMENT_CONTACT_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if not robots.can_fetch(agent, url):
            result.skipped_by_robots.append(url)
            continue
        try:
            page: FetchResult = home_page if home_page is not None and url == start else read_page(url)
        except FetchError:
            continue
        if page.status_code >= 400 or not page.is_html:
            continue
        reuse = home_parsed is not None and page is home_page and home_parsed.url == page.url
        parsed = home_parsed if reuse else ParsedPage(page.url, page.text)
        pages.append(parsed)
        result.pages.append(page.url)
        if len(pages) == 1:
            queue += candidate_pages(parsed, page.url, settings.ENRICHMENT_CONTACT_PAGES)
    region = (prospect.country or "LU").upper()
    merged = result.contacts
    for page in pages:
        url = page.url
        found = extract_contacts(page, url, region)
        for email, how in found.emails.items():
            merged.emails.setdefault(email, how)
            result.sources.setdefault(("email", email), url)
        for phone, kind in found.phones.items():
            merged.phones.setdefault(phone, kind)
            result.sources.setdefault(("phone", phone), url)
        for social, network in found.socials.items():
            merged.socials.setdefault(social, network)
            result.sources.setdefault(("social", social), url)
        for address in found.addresses:
            if address not in merged.addresses:
                merged.addresses.append(address)
                result.sources.setdefault(("address", _address_text(address)), url)
        merged.business_name = merged.business_name or found.business_name
        merged.opening_hours += [h for h in found.opening_hours if h not in merged.opening_hours]
    if booking_tools is None:
        profile = TechProfile.objects.filter(prospect=prospect).values_list("tech_stack_json", flat=True).first() or {}
        booking_tools = list(profile.get("booking_tools", []))
    result.features = site_features(pages, merged, booking_tools)
    if settings.ENRICHMENT_MX_CHECK:
        from prospecting.enrichment.dns import resolve_records

        for domain in {email.rpartition("@")[2] for email in merged.emails}:
            result.mx[domain] = bool(resolve_records(domain, "MX") or resolve_records(domain, "A"))
    return result


def _address_text(address: dict[str, str]) -> str:
    city = " ".join(part for part in (address.get("postal_code", ""), address.get("city", "")) if part)
    return ", ".join(part for part in (address.get("street", ""), city) if part)[:500]


def contacts_store(*, prospect: Prospect, result: ScrapeResult) -> int:
    """Merge the findings into the prospect's contacts (never deleting any), leaving out the e-mails and phones
    on the suppression list (counted in `result.suppressed`); returns how many were new."""
    own_domain = (prospect.domain_name or "").lower()
    rows: list[ProspectContact] = []
    check = suppression_check(
        emails=result.contacts.emails, phones=result.contacts.phones, region=(prospect.country or "LU").upper()
    )
    suppressed_emails = {email for email in result.contacts.emails if check.email(email)}
    suppressed_phones = {phone for phone in result.contacts.phones if check.phone(phone)}
    result.suppressed = len(suppressed_emails) + len(suppressed_phones)
    emails = sorted(
        set(result.contacts.emails) - suppressed_emails,
        key=lambda e: (not e.endswith("@" + own_domain), e.partition("@")[0] not in _GENERIC_MAILBOXES, e),
    )
    for email in emails:
        domain = email.rpartition("@")[2]
        verification = ProspectContact.Verification.UNVERIFIED
        if domain in result.mx:
            verification = (
                ProspectContact.Verification.VERIFIED if result.mx[domain] else ProspectContact.Verification.INVALID
            )
        rows.append(
            ProspectContact(
                prospect=prospect,
                contact_type="email",
                value=email,
                source=SCRAPE,
                source_url=result.sources.get(("email", email), ""),
                verification_status=verification,
            )
        )
    for phone, kind in result.contacts.phones.items():
        if phone in suppressed_phones:
            continue
        rows.append(
            ProspectContact(
                prospect=prospect,
                contact_type="phone",
                value=phone,
                label=kind,
                source=SCRAPE,
                source_url=result.sources.get(("phone", phone), ""),
            )
        )
    for url, network in result.contacts.socials.items():
        contact_type = _SOCIAL_TYPES.get(network, "other")
        rows.append(
            ProspectContact(
                prospect=prospect,
                contact_type=contact_type,
                value=url[:500],
                label=""
                if contact_type != "other"
                else network.capitalize().replace("Youtube", "YouTube").replace("Tiktok", "TikTok"),
                source=SCRAPE,
                source_url=result.sources.get(("social", url), ""),
            )
        )
    for address in result.contacts.addresses:
        text = _address_text(address)
        if text:
            rows.append(
                ProspectContact(
                    prospect=prospect,
                    contact_type="address",
                    value=text,
                    source=SCRAPE,
                    source_url=result.sources.get(("address", text), ""),
                )
            )
    now = timezone.now()
    with transaction.atomic():
        before = ProspectContact.objects.filter(prospect=prospect).count()
        ProspectContact.objects.bulk_create(rows, ignore_conflicts=True)
        _choose_primaries(prospect, emails)
        updates: dict[str, Any] = {"last_contact_scrape_at": now}
        first_address = result.contacts.addresses[0] if result.contacts.addresses else {}
        if first_address and not prospect.address and not prospect.postal_code:
            updates.update(
                address=first_address.get("street", "")[:500],
                postal_code=first_address.get("postal_code", "")[:10],
                city=prospect.city or first_address.get("city", "")[:100],
            )
        if result.contacts.business_name and not prospect.business_name:
            updates["business_name"] = result.contacts.business_name[:255]
        if len(updates) > 1:
            page = result.pages[0] if result.pages else ""
            if first_address:
                page = result.sources.get(("address", _address_text(first_address)), page)
            updates["field_sources"] = field_sources_record(
                prospect.field_sources,
                {k: v for k, v in updates.items() if k != "last_contact_scrape_at"},
                provenance(SCRAPE, page, at=now),
            )
        Prospect.objects.filter(pk=prospect.pk).update(**updates)
        profile, _ = TechProfile.objects.select_for_update().get_or_create(prospect=prospect)
        profile.tech_stack_json = {
            **(profile.tech_stack_json or {}),
            "site_features": result.features,
            "business": {"name": result.contacts.business_name, "opening_hours": result.contacts.opening_hours},
            "contact_pages": result.pages,
        }
        profile.save(update_fields=["tech_stack_json"])
        prospects_changed_announce(prospect_ids=[prospect.pk])
        added = ProspectContact.objects.filter(prospect=prospect).count() - before
    for name, value in updates.items():
        setattr(prospect, name, value)
    return added


def _choose_primaries(prospect: Prospect, emails_by_preference: list[str]) -> None:
    """Give each contact type a primary when it has none: an address on the prospect's own domain first."""
    has_primary = set(
        ProspectContact.objects.filter(prospect=prospect, is_primary=True).values_list("contact_type", flat=True)
    )
    for contact_type in (
        ProspectContact.objects.filter(prospect=prospect).values_list("contact_type", flat=True).distinct()
    ):
        if contact_type in has_primary:
            continue
        candidates = ProspectContact.objects.filter(prospect=prospect, contact_type=contact_type)
        best = None
        if contact_type == "email" and emails_by_preference:
            best = candidates.filter(value=emails_by_preference[0]).first()
        if contact_type == "phone":
            best = candidates.filter(~Q(label="fax")).order_by("id").first()
        best = best or candidates.order_by("id").first()
        if best:
            ProspectContact.objects.filter(pk=best.pk).update(is_primary=True)


@dataclass
class ContactsOutcome:
    scraped: bool
    reason: str = ""
    added: int = 0
    result: ScrapeResult | None = None

    @property
    def suppressed(self) -> int:
        return self.result.suppressed if self.result else 0


def contacts_run(*, prospect: Prospect) -> ContactsOutcome:
    if not prospect.domain_name or not prospect.has_website:
        return ContactsOutcome(scraped=False, reason="no live website (run the HTTP check first)")
    result = contacts_probe(prospect)
    if not result.pages:
        return ContactsOutcome(scraped=False, reason="no page could be read", result=result)
    added = contacts_store(prospect=prospect, result=result)
    return ContactsOutcome(scraped=True, added=added, result=result)
