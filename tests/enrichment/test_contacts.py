"""Contact scrape on realistic pages: every extractor, the noise it must ignore, merging and primaries."""

import pytest

from prospecting.enrichment.extract import clean_email, cloudflare_decode, extract_contacts, parse_phone
from prospecting.enrichment.models import TechProfile
from prospecting.enrichment.services import http_check_run
from prospecting.enrichment.services.contacts import contacts_run
from prospecting.prospects.models import ProspectContact
from tests.factories import ProspectContactFactory, ProspectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scraped(farm):
    prospect = ProspectFactory(domain_name="contact-thill.lu", business_name="", address="", postal_code="", city="")
    http_check_run(prospect=prospect)
    outcome = contacts_run(prospect=prospect)
    assert outcome.scraped, outcome.reason
    prospect.refresh_from_db()
    return prospect, outcome


def values(prospect, contact_type):
    return set(prospect.contacts.filter(contact_type=contact_type).values_list("value", flat=True))


def test_emails_from_mailto_text_obfuscation_cloudflare_and_json_ld(scraped):
    prospect, _ = scraped
    assert values(prospect, "email") == {
        "info@contact-thill.lu",
        "marie@contact-thill.lu",
        "compta@contact-thill.lu",
        "hello@contact-thill.lu",
        "shop@contact-thill.lu",
        "contact.thill@gmail.com",
    }


def test_robots_txt_is_respected(scraped, farm):
    prospect, outcome = scraped
    assert "secret@contact-thill.lu" not in values(prospect, "email")
    assert any(url.endswith("/private/team") for url in outcome.result.skipped_by_robots)
    assert ("https", "contact-thill.lu", "/private/team") not in farm.hits("contact-thill.lu")


def test_primary_email_is_a_generic_mailbox_on_the_own_domain(scraped):
    prospect, _ = scraped
    primary = prospect.contacts.get(contact_type="email", is_primary=True)
    assert primary.value in {"info@contact-thill.lu", "hello@contact-thill.lu"}


def test_phones_normalized_to_e164_with_type_and_no_false_positives(scraped):
    prospect, _ = scraped
    phones = dict(prospect.contacts.filter(contact_type="phone").values_list("value", "label"))
    assert phones == {"+352951234": "fixed", "+352621123456": "mobile", "+352951235": "fax", "+35226123456": "fixed"}
    primary = prospect.contacts.get(contact_type="phone", is_primary=True)
    assert primary.label != "fax"


def test_address_business_name_and_opening_hours_from_json_ld(scraped):
    prospect, _ = scraped
    assert values(prospect, "address") == {"12, Rue de la Gare, L-9501 Wiltz"}
    assert (prospect.address, prospect.postal_code, prospect.city, prospect.business_name) == (
        "12, Rue de la Gare",
        "L-9501",
        "Wiltz",
        "Fleuriste Thill",
    )
    business = TechProfile.objects.get(prospect=prospect).tech_stack_json["business"]
    assert business["opening_hours"] == ["Mo-Fr 09:00-18:00", "Sa 09:00-12:00"]


def test_social_profiles_but_not_share_links(scraped):
    prospect, _ = scraped
    assert values(prospect, "facebook") == {"https://www.facebook.com/FleuristeThill"}
    assert values(prospect, "instagram") == {"https://www.instagram.com/fleuristethill"}
    assert values(prospect, "linkedin") == {"https://www.linkedin.com/company/fleuriste-thill"}
    assert values(prospect, "twitter") == set()
    youtube = prospect.contacts.get(contact_type="other")
    assert (youtube.value, youtube.label) == ("https://www.youtube.com/@fleuristethill", "YouTube")


def test_every_contact_keeps_its_source_page(scraped):
    prospect, _ = scraped
    assert prospect.contacts.get(value="marie@contact-thill.lu").source_url == "https://contact-thill.lu/contact"
    assert prospect.contacts.get(contact_type="address").source_url.startswith("https://contact-thill.lu/")


def test_site_features(scraped):
    prospect, _ = scraped
    features = TechProfile.objects.get(prospect=prospect).tech_stack_json["site_features"]
    assert features["has_booking_keywords"] and features["booking_keyword_score"] >= 1
    assert features["has_appointment_form"] and features["has_contact_form"]
    assert features["has_pricing"] and features["has_gallery"] and features["has_reviews"]
    assert features["has_phone_only"] is False
    assert features["services_count"] == 4
    assert set(features["languages"]) >= {"fr", "de"}


def test_rerun_merges_without_duplicates_and_keeps_hand_entered_contacts(scraped, farm):
    prospect, _ = scraped
    typed = ProspectContactFactory(prospect=prospect, contact_type="phone", value="+352 691 000 000", label="Owner")
    count = prospect.contacts.count()
    outcome = contacts_run(prospect=prospect)
    assert outcome.added == 0
    assert prospect.contacts.count() == count
    assert ProspectContact.objects.filter(pk=typed.pk).exists()
    assert prospect.last_contact_scrape_at is not None


def test_mx_check_marks_domains_that_cannot_receive_mail(farm, settings, monkeypatch):
    from prospecting.enrichment import dns as dns_module

    settings.ENRICHMENT_MX_CHECK = True
    monkeypatch.setattr(
        dns_module, "resolve_records", lambda domain, rtype: ["mx.gmail.com"] if domain == "gmail.com" else []
    )
    prospect = ProspectFactory(domain_name="contact-thill.lu")
    http_check_run(prospect=prospect)
    contacts_run(prospect=prospect)
    status = dict(prospect.contacts.filter(contact_type="email").values_list("value", "verification_status"))
    assert status["contact.thill@gmail.com"] == "verified"
    assert status["info@contact-thill.lu"] == "invalid"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Info@Shop.lu", "info@shop.lu"),
        ("mailto:sales@shop.lu?subject=Hi", "sales@shop.lu"),
        ("logo@2x.png", None),
        ("icon@3x.webp", None),
        ("name@example.com", None),
        ("john.doe@shop.lu", None),
        ("not-an-email@", None),
        ("x@sentry.io", None),
    ],
)
def test_clean_email(raw, expected):
    assert clean_email(raw) == expected


def test_cloudflare_decoding():
    assert cloudflare_decode("42" + "".join(f"{ord(c) ^ 0x42:02x}" for c in "a@b.lu")) == "a@b.lu"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tél. +352 26 12 34 56", {"+35226123456"}),
        ("Tel: 00352 621 12 34 56", {"+352621123456"}),
        ("GSM: 691 123 456", {"+352691123456"}),
        ("Téléphone : 44 55 66", {"+352445566"}),
        ("IBAN LU28 0019 4006 4475 0000", set()),
        ("TVA LU12345678 / RCS B 123456", set()),
        ("Ouvert depuis 1998 – 2024", set()),
        ("Appelez le 26 12 34 56", set()),  # no phone keyword: plain numbers are not trusted
    ],
)
def test_phones_in_text(text, expected):
    found = extract_contacts(f"<p>{text}</p>", "https://x.lu/", "LU")
    assert set(found.phones) == expected


def test_phone_region_follows_the_prospects_country():
    assert parse_phone("06 12 34 56 78", "FR")[0] == "+33612345678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Écrivez à marie [at] fleurs-thill [dot] lu.", ["marie@fleurs-thill.lu"]),
        ("contact(at)garage.lu ou info {at} garage {dot} lu", ["contact@garage.lu", "info@garage.lu"]),
        ("sales at shop dot lu", ["sales@shop.lu"]),
        ("We are open at weekends", []),  # "at" between words is not an address without a domain
        ("We are open at weekends. Call us", []),  # a sentence's full stop does not make a domain
    ],
)
def test_obfuscated_emails(text, expected):
    from prospecting.enrichment.extract import obfuscated_emails

    assert obfuscated_emails(text.lower()) == expected


def test_footer_address_is_found_around_the_postal_code():
    from prospecting.enrichment.extract import footer_address

    text = "© 2024 Boulangerie Weber · Tél. 26 12 34 56 · 3, rue du Marché L-9250 Diekirch · Mentions légales"
    match = footer_address(text)
    assert match and (match.group(2), match.group(3).split()[0]) == ("L-9250", "Diekirch")
    assert footer_address("Depuis 1987, 25 ans de service au Luxembourg") is None


def test_odd_pages_do_not_break_the_extractors():
    """Empty pages, an XML declaration, NUL bytes and malformed links: facts where there are some, no crash."""
    from prospecting.enrichment.extract import ParsedPage, candidate_pages, site_features

    assert extract_contacts("", "https://x.lu/").emails == {}
    assert extract_contacts("   \n ", "https://x.lu/").emails == {}
    page = (
        '<?xml version="1.0" encoding="iso-8859-1"?><html lang="fr"><body>\x00'
        '<a href="http://[broken">x</a><a href="https://www.facebook.com/Weber.Diekirch/">fb</a>'
        '<a href="/fr/contact">Contact</a><p>Tél. 26 12 34 56 – mail: info@weber.lu</p></body></html>'
    )
    found = extract_contacts(page, "https://weber.lu/")
    assert set(found.emails) == {"info@weber.lu"}
    assert set(found.phones) == {"+35226123456"}
    assert found.socials == {"https://www.facebook.com/Weber.Diekirch": "facebook"}
    assert candidate_pages(page, "https://weber.lu/", 5) == ["https://weber.lu/fr/contact"]
    features = site_features([ParsedPage("https://weber.lu/", page)], found, [])
    assert features["languages"] == ["fr"]
