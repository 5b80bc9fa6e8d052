"""Tech scan against the farm: each platform is recognised, with versions, and stored."""

import pytest

from prospecting.enrichment.fingerprints import PageSignals, _prefilter_literals, _required_literal, fingerprint_set
from prospecting.enrichment.models import TechProfile
from prospecting.enrichment.services import http_check_run, tech_scan_run
from tests.factories import ProspectFactory
from tests.farm import SITES

pytestmark = pytest.mark.django_db

FIELDS = {
    "cms": "cms",
    "cms_version": "cms_version",
    "server": "server",
    "cdn": "cdn",
    "ecommerce": "ecommerce_platform",
    "js_framework": "js_framework",
    "analytics": "analytics",
}
SCANNED = {
    host: site.expected
    for host, site in SITES.items()
    if site.expected.get("status") == "active" and (set(site.expected) & set(FIELDS) or "techs" in site.expected)
}


@pytest.mark.parametrize("host", sorted(SCANNED))
def test_tech_scan_on_farm_site(farm, host):
    expected = SCANNED[host]
    prospect = ProspectFactory(domain_name=host)
    http_check_run(prospect=prospect)
    outcome = tech_scan_run(prospect=prospect)
    assert outcome.scanned, outcome.reason
    profile = TechProfile.objects.get(prospect=prospect)
    for key, column in FIELDS.items():
        if key in expected:
            assert getattr(profile, column) == expected[key], (column, profile.tech_stack_json["technologies"])
    names = {item["name"] for item in profile.tech_stack_json["technologies"]}
    assert expected.get("techs", set()) <= names
    assert profile.scanned_at is not None
    prospect.refresh_from_db()
    assert prospect.last_tech_scan_at is not None
    assert "http_check" in profile.tech_stack_json  # the HTTP check's details are kept


def test_tech_scan_skips_prospects_without_a_live_site(farm):
    prospect = ProspectFactory(domain_name="parked-domain.lu")
    http_check_run(prospect=prospect)
    outcome = tech_scan_run(prospect=prospect)
    assert not outcome.scanned
    assert "no live website" in outcome.reason


def test_detections_carry_categories_versions_confidence_and_implications():
    page = PageSignals.from_page(
        url="https://example.lu/",
        headers={"Server": "nginx/1.18.0", "X-Powered-By": "PHP/8.1.2"},
        cookies={},
        html='<meta name="generator" content="WordPress 6.1.1">'
        '<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.6.1">',
    )
    found = {d.name: d for d in fingerprint_set().detect(page)}
    assert found["WordPress"].version == "6.1.1"
    assert "CMS" in found["WordPress"].categories
    assert found["jQuery"].version == "3.6.1"
    assert found["MySQL"].implied_by == ["WordPress"]
    assert found["PHP"].version == "8.1.2"
    assert found["Nginx"].version == "1.18.0"
    assert all(d.confidence > 0 for d in found.values())


def test_requires_and_excludes_are_honoured():
    fs = fingerprint_set()
    requiring = next(t for t in fs.technologies.values() if t.requires and t.patterns.get("scriptSrc"))
    assert requiring.requires  # a technology that only counts alongside another
    page = PageSignals.from_page(url="https://x.lu/", headers={}, cookies={}, html="<p>nothing</p>")
    assert fs.detect(page) == []


def test_booking_tools_are_detected(farm):
    page = PageSignals.from_page(
        url="https://salon.lu/",
        headers={},
        cookies={},
        html='<script src="https://assets.calendly.com/assets/external/widget.js"></script>'
        '<a href="https://www.doctolib.fr/dentiste/luxembourg/dr-x">Prendre rendez-vous</a>',
    )
    names = {d.name for d in fingerprint_set().detect(page)}
    assert {"Calendly", "Doctolib"} <= names


def test_certificate_issuer_is_a_signal():
    page = PageSignals.from_page(url="https://x.lu/", headers={}, cookies={}, html="", cert_issuer="Let's Encrypt")
    assert "Let's Encrypt" in {d.name for d in fingerprint_set().detect(page)}


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (r"cdn\.shopify\.com", "cdn.shopify.com"),
        (r"/wp-(?:content|includes)/", "/wp-"),
        (r"^WordPress(?: ([\d.]+))?", "wordpress"),
        (r"jquery|zepto", ""),
        (r"ab?c", ""),
        (r"x+yz", "yz"),
        (r"wix\.com.*static", "wix.com"),
    ],
)
def test_required_literal_is_safe(pattern, literal):
    assert _required_literal(pattern) == literal


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"(?:<!--GrandNode |Powered by: <a[^>]+nopcommerce)", ("<!--grandnode ", "powered by: <a")),
        (r"^(?:jquery|zepto)$", ("jquery", "zepto")),
        (r"(?:jquery|zepto)\.js", (".js",)),
        (r"foo|b?ar", ("foo", "ar")),
        (r"foo|b?a", ()),
        (r"cdn\.shopify\.com", ("cdn.shopify.com",)),
    ],
)
def test_prefilter_literals_cover_every_alternative(pattern, literals):
    assert _prefilter_literals(pattern) == literals


def test_hosting_provider_from_dns_records_with_a_fake_resolver(farm, settings, monkeypatch):
    from prospecting.enrichment import dns as dns_module

    settings.ENRICHMENT_DNS_LOOKUPS = True
    fake_zone = {
        ("static-lentz.lu", "NS"): ["ns1.dreamhost.com", "ns2.dreamhost.com"],
        ("static-lentz.lu", "TXT"): ["v=spf1 include:_spf.google.com ~all"],
    }
    asked = []

    def fake_resolve(domain, record_type):
        asked.append((domain, record_type))
        return fake_zone.get((domain, record_type), [])

    monkeypatch.setattr(dns_module, "resolve_records", fake_resolve)
    prospect = ProspectFactory(domain_name="static-lentz.lu")
    http_check_run(prospect=prospect)
    tech_scan_run(prospect=prospect)
    profile = TechProfile.objects.get(prospect=prospect)
    assert profile.hosting_provider == "DreamHost"
    assert profile.tech_stack_json["dns"]["NS"] == ["ns1.dreamhost.com", "ns2.dreamhost.com"]
    assert ("static-lentz.lu", "SOA") in asked


def test_dns_lookups_are_off_by_default(farm, monkeypatch):
    from prospecting.enrichment import dns as dns_module

    monkeypatch.setattr(dns_module, "resolve_records", lambda *a: pytest.fail("DNS must not be queried"))
    prospect = ProspectFactory(domain_name="static-lentz.lu")
    http_check_run(prospect=prospect)
    assert tech_scan_run(prospect=prospect).scanned
