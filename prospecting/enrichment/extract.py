"""Pure extractors for the contact scrape and the site-feature analysis: text in, facts out.

Luxembourg numbers have a variable length, so a bare number matcher "finds" IBANs, VAT and RCS numbers
and year ranges: those are blanked out of the text before phone numbers are looked for, and numbers in
plain text only count next to a phone keyword.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import phonenumbers
from bs4 import BeautifulSoup
from email_validator import EmailNotValidError, validate_email

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])([a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24})(?![\w-])", re.I
)
_OBFUSCATED_RE = re.compile(
    r"([a-z0-9][a-z0-9._%+-]{0,63})\s*(?:\[at\]|\(at\)|\{at\}|\s+at\s+|\[@\]|\(@\))\s*"
    r"([a-z0-9-]+(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\s+dot\s+|\.)\s*[a-z0-9-]+)+)",
    re.I,
)
_DOT_RE = re.compile(r"\s*(?:\[dot\]|\(dot\)|\{dot\}|\s+dot\s+)\s*", re.I)
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico", ".bmp", ".css", ".js")
_PLACEHOLDER_DOMAINS = {
    "example.com",
    "example.org",
    "example.net",
    "domain.com",
    "email.com",
    "yourdomain.com",
    "sentry.io",
    "wixpress.com",
    "sentry-next.wixpress.com",
    "test.com",
    "mail.com.invalid",
}
_PLACEHOLDER_LOCALS = {
    "name",
    "nom",
    "email",
    "e-mail",
    "user",
    "username",
    "yourname",
    "votre.nom",
    "prenom.nom",
    "john.doe",
    "jane.doe",
    "max.mustermann",
    "vorname.nachname",
    "firstname.lastname",
}
_PHONE_KEYWORDS = r"(?:t[ée]l(?:[ée]phone)?\.?|tel\.?|gsm|phone|mobile?|handy|portable|fax|t\b)"
_PHONE_NEAR_KEYWORD_RE = re.compile(_PHONE_KEYWORDS + r"\s*[:.]?\s*(\(?(?:\+|00)?\d[\d\s./()\-]{5,22}\d)", re.I)
_NOISE_RES = [
    re.compile(r"\bLU\s?\d{2}(?:\s?[\dA-Z]{4}){3,4}(?:\s?[\dA-Z]{1,4})?\b", re.I),  # IBAN
    re.compile(r"\b(?:TVA|VAT|USt-?IdNr\.?|N°\s*TVA)\s*[:.]?\s*LU\s?\d{8}\b", re.I),  # VAT
    re.compile(r"\bLU\s?\d{8}\b"),
    re.compile(r"\bR\.?\s?C\.?\s?S\.?(?:\s+Luxembourg)?\s*[:.]?\s*[AB]\s?\d{3,7}\b", re.I),  # RCS
    re.compile(r"\b(?:19|20)\d{2}\s*[-–/]\s*(?:19|20)\d{2}\b"),  # year ranges
    re.compile(r"\bmatricule\s*[:.]?\s*[\d\s]{8,16}\b", re.I),
]
SOCIAL_PATTERNS = {
    "facebook": re.compile(
        r"^https?://(?:www\.|m\.|[a-z]{2}-[a-z]{2}\.)?facebook\.com/(?!sharer|share|dialog|plugins|tr\b|login)[\w.\-/]+",
        re.I,
    ),
    "linkedin": re.compile(r"^https?://(?:[a-z]{2,3}\.)?linkedin\.com/(?:company|in|school)/[\w\-%]+", re.I),
    "instagram": re.compile(r"^https?://(?:www\.)?instagram\.com/(?!p/|explore|accounts)[\w.]+", re.I),
    "twitter": re.compile(r"^https?://(?:www\.)?(?:twitter|x)\.com/(?!intent|share|home|hashtag)[\w]+", re.I),
    "youtube": re.compile(r"^https?://(?:www\.)?youtube\.com/(?:channel/|c/|user/|@)[\w\-.]+", re.I),
    "tiktok": re.compile(r"^https?://(?:www\.)?tiktok\.com/@[\w.]+", re.I),
}
_SHARE_RE = re.compile(r"share|sharer|intent/tweet|shareArticle|/dialog/|addtoany|pin/create", re.I)
CONTACT_PAGE_WORDS = re.compile(
    r"contact|kontakt|impressum|mentions[-_ ]?l[ée]gales|legal|about|a[-_ ]?propos|à[-_ ]propos|qui[-_ ]sommes|"
    r"[ée]quipe|team|ueber[-_ ]uns|über[-_ ]uns|iwwer[-_ ]eis|contactez",
    re.I,
)


@dataclass
class PageContacts:
    emails: dict[str, str] = field(default_factory=dict)  # email -> how it was found
    phones: dict[str, str] = field(default_factory=dict)  # E.164 -> type (mobile, fixed, fax, unknown)
    socials: dict[str, str] = field(default_factory=dict)  # url -> network
    addresses: list[dict[str, str]] = field(default_factory=list)
    business_name: str = ""
    opening_hours: list[str] = field(default_factory=list)


def json_ld_objects(soup: BeautifulSoup) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page (graphs and lists flattened)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            found.append(node)
            for key in ("@graph", "mainEntity", "address", "location", "department"):
                if key in node:
                    walk(node[key])

    for script in soup.find_all("script", type=re.compile("ld\\+json", re.I)):
        try:
            walk(json.loads(script.string or script.get_text() or ""))
        except (ValueError, TypeError):
            continue
    return found


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type", [])
    return {str(v) for v in (value if isinstance(value, list) else [value])}


def clean_email(candidate: str) -> str | None:
    """A syntactically valid, real-looking address in lower case, or None."""
    email = unquote(candidate).strip().strip(".").lower()
    email = email.removeprefix("mailto:").split("?")[0]
    if not email or email.endswith(_IMAGE_SUFFIXES) or re.search(r"@\d+x\.", email):
        return None
    local, _, domain = email.rpartition("@")
    if domain in _PLACEHOLDER_DOMAINS or local in _PLACEHOLDER_LOCALS or domain.endswith(".invalid"):
        return None
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def cloudflare_decode(hex_string: str) -> str:
    """Cloudflare e-mail protection: the first byte is the XOR key for the rest."""
    data = bytes.fromhex(hex_string)
    return bytes(b ^ data[0] for b in data[1:]).decode("utf-8", "replace")


def strip_number_noise(text: str) -> str:
    for pattern in _NOISE_RES:
        text = pattern.sub(" ", text)
    return text


def parse_phone(raw: str, region: str) -> tuple[str, str] | None:
    """(E.164, type) for a real-looking number, else None."""
    digits = re.sub(r"[^\d+]", "", raw)
    if len(re.sub(r"\D", "", digits)) < 6:
        return None
    try:
        number = phonenumbers.parse(raw, region or "LU")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    label = {
        phonenumbers.PhoneNumberType.MOBILE: "mobile",
        phonenumbers.PhoneNumberType.FIXED_LINE: "fixed",
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed",
        phonenumbers.PhoneNumberType.VOIP: "voip",
        phonenumbers.PhoneNumberType.TOLL_FREE: "toll_free",
    }.get(kind, "unknown")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), label


def parse_html(html: str) -> BeautifulSoup:
    """One parse per page, shared by every extractor (lxml: the fastest parser BeautifulSoup drives)."""
    return BeautifulSoup(html, "lxml")


def extract_contacts(page: str | BeautifulSoup, page_url: str, region: str = "LU") -> PageContacts:
    """Contacts of one page. A parsed page is used as is, and its scripts and styles are removed."""
    soup = parse_html(page) if isinstance(page, str) else page
    found = PageContacts()

    def add_email(candidate: str, how: str) -> None:
        email = clean_email(candidate)
        if email:
            found.emails.setdefault(email, how)

    def add_phone(candidate: str, kind_hint: str = "") -> None:
        parsed = parse_phone(candidate, region)
        if parsed:
            number, kind = parsed
            found.phones.setdefault(number, "fax" if kind_hint == "fax" else kind)

    for link in soup.find_all("a", href=True):
        href = link["href"].strip()
        lowered = href.lower()
        if lowered.startswith("mailto:"):
            add_email(href[7:], "mailto")
        elif lowered.startswith(("tel:", "callto:")):
            add_phone(unquote(href.split(":", 1)[1]), "fax" if "fax" in link.get_text(" ").lower() else "")
        elif "/cdn-cgi/l/email-protection#" in lowered:
            add_email(cloudflare_decode(href.split("#", 1)[1]), "cloudflare")
        else:
            absolute = urljoin(page_url, href)
            if not _SHARE_RE.search(absolute):
                for network, pattern in SOCIAL_PATTERNS.items():
                    match = pattern.match(absolute)
                    if match:
                        found.socials.setdefault(match.group(0).rstrip("/"), network)
    for tag in soup.find_all(attrs={"data-cfemail": True}):
        add_email(cloudflare_decode(tag["data-cfemail"]), "cloudflare")

    for obj in json_ld_objects(soup):
        types = _types(obj)
        if obj.get("email"):
            add_email(str(obj["email"]), "json-ld")
        if obj.get("telephone"):
            add_phone(str(obj["telephone"]))
        if obj.get("faxNumber"):
            add_phone(str(obj["faxNumber"]), "fax")
        if "PostalAddress" in types:
            found.addresses.append(
                {
                    "street": str(obj.get("streetAddress", "")).strip(),
                    "postal_code": str(obj.get("postalCode", "")).strip(),
                    "city": str(obj.get("addressLocality", "")).strip(),
                    "country": str(
                        obj.get("addressCountry", "")
                        if not isinstance(obj.get("addressCountry"), dict)
                        else obj["addressCountry"].get("name", "")
                    ).strip(),
                }
            )
        # Organization, LocalBusiness and their many subtypes (Florist, Dentist, AutoRepair ...): anything
        # with a name and an address or telephone that is not a page or a person.
        is_business = types & {"Organization", "LocalBusiness", "Store", "Restaurant"} or (
            (obj.get("address") or obj.get("telephone"))
            and not types & {"Person", "WebPage", "WebSite", "PostalAddress"}
        )
        if is_business:
            if obj.get("name") and not found.business_name:
                found.business_name = str(obj["name"]).strip()
            hours = obj.get("openingHours")
            if hours:
                found.opening_hours += [str(h) for h in (hours if isinstance(hours, list) else [hours])]
            for spec in obj.get("openingHoursSpecification", []) or []:
                if isinstance(spec, dict):
                    days = spec.get("dayOfWeek", "")
                    days = ",".join(d.rsplit("/", 1)[-1] for d in (days if isinstance(days, list) else [days]))
                    found.opening_hours.append(f"{days} {spec.get('opens', '')}-{spec.get('closes', '')}".strip())
            if obj.get("sameAs"):
                for url in obj["sameAs"] if isinstance(obj["sameAs"], list) else [obj["sameAs"]]:
                    for network, pattern in SOCIAL_PATTERNS.items():
                        if pattern.match(str(url)):
                            found.socials.setdefault(str(url).rstrip("/"), network)

    if not found.addresses:
        street = soup.find(attrs={"itemprop": "streetAddress"})
        postal = soup.find(attrs={"itemprop": "postalCode"})
        city = soup.find(attrs={"itemprop": "addressLocality"})
        if street or postal:
            found.addresses.append(
                {
                    "street": street.get_text(" ", strip=True) if street else "",
                    "postal_code": postal.get_text(" ", strip=True) if postal else "",
                    "city": city.get_text(" ", strip=True) if city else "",
                    "country": "",
                }
            )

    for script in soup(["script", "style", "noscript", "template"]):
        script.decompose()
    text = soup.get_text(" ")
    for match in _EMAIL_RE.finditer(text):
        add_email(match.group(1), "text")
    for match in _OBFUSCATED_RE.finditer(text):
        domain = _DOT_RE.sub(".", match.group(2))
        if "." in domain:
            add_email(f"{match.group(1)}@{domain}", "obfuscated")
    clean_text = strip_number_noise(text)
    for match in _PHONE_NEAR_KEYWORD_RE.finditer(clean_text):
        keyword = match.group(0)[: match.start(1) - match.start(0)].lower()
        add_phone(match.group(1), "fax" if "fax" in keyword else "")

    if not found.addresses:
        footer = soup.find("footer") or soup
        footer_text = footer.get_text(" ", strip=True)
        address = re.search(
            r"(\d{1,4}[a-z]?,?\s+[^,\n]{3,60}?),?\s+(L-\d{4})\s+([A-ZÉ][\w\-éèëäöü' ]{2,40})", footer_text
        )
        if address:
            found.addresses.append(
                {
                    "street": address.group(1).strip(),
                    "postal_code": address.group(2),
                    "city": address.group(3).strip(),
                    "country": "LU",
                }
            )
    return found


def candidate_pages(page: str | BeautifulSoup, page_url: str, limit: int) -> list[str]:
    """Same-site links that probably lead to contact details (contact, impressum, about, team ...)."""
    soup = parse_html(page) if isinstance(page, str) else page
    host = urlsplit(page_url).hostname or ""
    apex = host.removeprefix("www.")
    scored: dict[str, int] = {}
    for link in soup.find_all("a", href=True):
        url = urljoin(page_url, link["href"]).split("#")[0]
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or (parts.hostname or "").removeprefix("www.") != apex:
            continue
        label = f"{parts.path} {link.get_text(' ', strip=True)}"
        if CONTACT_PAGE_WORDS.search(label) and url.rstrip("/") != page_url.rstrip("/"):
            priority = 0 if re.search(r"contact|kontakt|impressum|mentions", label, re.I) else 1
            scored[url] = min(scored.get(url, priority), priority)
    return [url for url, _ in sorted(scored.items(), key=lambda item: item[1])][:limit]


# --- site features (seed 003's website analysis) --------------------------------------------------------------

_BOOKING_WORDS = re.compile(
    r"rendez-vous|prendre rdv|r[ée]server|r[ée]servation|book(?:ing| now| online| an appointment)|appointment|"
    r"termin(?:vereinbarung| buchen)?|online buchen|reserv[ée]ieren|agenda en ligne",
    re.I,
)
_PRICE_RE = re.compile(r"(?:€\s?\d|\d[\d.,]*\s?(?:€|eur\b)|\btarifs?\b|\bprix\b|\bpricing\b|\bpreise\b)", re.I)
_GALLERY_RE = re.compile(r"galerie|gallery|portfolio|r[ée]alisations|fotos|photos", re.I)
_REVIEWS_RE = re.compile(r"avis clients|\bavis\b|reviews?|t[ée]moignages|bewertungen|testimonials|★", re.I)
_LOCATIONS_RE = re.compile(
    r"nos (?:magasins|agences|points de vente|salons)|our (?:stores|locations|branches)|filialen|standorte", re.I
)
_LANGUAGE_PATH_RE = re.compile(r"^/(fr|de|en|lb|lu|pt|nl|it)(?:/|$)", re.I)


def site_features(
    pages: list[tuple[str, str | BeautifulSoup]], contacts: PageContacts, booking_tools: list[str]
) -> dict[str, Any]:
    """Website-analysis facts from the crawled pages (url, html or parsed page)."""
    texts, languages = [], set()
    has_appointment_form = has_contact_form = False
    services = 0
    for url, page in pages:
        soup = parse_html(page) if isinstance(page, str) else page
        root = soup.find("html")
        if root and root.get("lang"):
            languages.add(root["lang"].split("-")[0].lower())
        for link in soup.find_all("link", hreflang=True):
            languages.add(link["hreflang"].split("-")[0].lower())
        for link in soup.find_all("a", href=True):
            match = _LANGUAGE_PATH_RE.match(urlsplit(urljoin(url, link["href"])).path)
            if match:
                languages.add(match.group(1).lower().replace("lu", "lb"))
        for form in soup.find_all("form"):
            fields = " ".join(
                f"{i.get('type', '')} {i.get('name', '')}" for i in form.find_all(["input", "textarea", "select"])
            )
            if re.search(r"\bdate\b|\btime\b|datetime|rendez|appointment|termin", fields + form.get_text(" "), re.I):
                has_appointment_form = True
            if form.find("textarea") or re.search(r"email|mail", fields, re.I):
                has_contact_form = True
        service_headings = [
            heading
            for heading in soup.find_all(re.compile(r"^h[1-4]$"))
            if re.search(r"services|prestations|leistungen|nos soins|offres", heading.get_text(" "), re.I)
        ]
        for heading in service_headings[:3]:  # a page repeating the heading need not be searched 600 times
            listing = heading.find_next(["ul", "ol"])
            if listing:
                services = max(services, len(listing.find_all("li")))
        texts.append(soup.get_text(" "))
    text = " ".join(texts)
    booking_hits = len(_BOOKING_WORDS.findall(text))
    return {
        "has_booking_keywords": booking_hits > 0,
        "booking_keyword_score": min(10, booking_hits),
        "current_booking_tool": booking_tools[0] if booking_tools else "",
        "has_appointment_form": has_appointment_form,
        "has_contact_form": has_contact_form,
        "has_pricing": bool(_PRICE_RE.search(text)),
        "has_gallery": bool(_GALLERY_RE.search(text)),
        "has_reviews": bool(_REVIEWS_RE.search(text)),
        "has_phone_only": bool(contacts.phones) and not contacts.emails and not has_contact_form,
        "multi_location": len({a.get("postal_code") for a in contacts.addresses if a.get("postal_code")}) > 1
        or bool(_LOCATIONS_RE.search(text)),
        "services_count": services,
        "languages": sorted(languages),
    }
