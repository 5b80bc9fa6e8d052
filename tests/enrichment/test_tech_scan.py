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
    assert profile.scan_mode == "static"
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
        (r"(?:jquery|zepto)\.js", ("jquery", "zepto")),  # rarer than ".js"
        (r"foo|b?ar", ("foo", "ar")),
        (r"foo|b?a", ()),
        (r"cdn\.shopify\.com", ("cdn.shopify.com",)),
        # no literal outside groups: a group every match goes through, the one with the rarest literals
        (r"<[^>]+(?:assets|images)\.(?:ct?fassets\.net|contentful\.com)", ("fassets.net", "contentful.com")),
        (r"(?:abc|de)x", ()),  # "de" is too short to rule pages out
        (r"<(?:foo|bar)?[^>]+(?:qux|quux)", ("qux", "quux")),  # the optional group cannot be required
        (r"<(?=abc)[^>]+", ()),  # a lookahead is not a group of alternatives
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


def detect(html, url="https://example.lu/"):
    found = fingerprint_set().detect(PageSignals.from_page(url=url, headers={}, cookies={}, html=html))
    return {d.name: d for d in found}


def test_a_global_named_in_inline_code_counts_at_half_confidence():
    found = detect("<script>(function(i){i['GoogleAnalyticsObject']='ga';})(window);</script>")
    assert found["Google Analytics"].confidence == 50


def test_a_script_url_built_in_inline_code_counts_at_three_quarters():
    code = "var u = ('https:' == p ? 'https://ssl' : 'http://www') + '.google-analytics.com/ga.js';"
    found = detect(f"<script>{code}</script>")
    assert found["Google Analytics"].confidence == 75


def test_a_script_tag_written_by_inline_code_is_a_script_url():
    found = detect("""<script>document.write('<script src="/js/jquery-1.8.3.min.js"><\\/script>')</script>""")
    assert found["jQuery"].version == "1.8.3"


def test_a_version_is_read_only_from_a_string_literal_assigned_to_the_global():
    assert detect('<script>d3.version = "7.8.5";</script>')["D3"].version == "7.8.5"
    assert detect("<script>d3.version = computeVersion();</script>")["D3"].version == ""


@pytest.mark.parametrize(
    "html",
    [
        "<p>GoogleAnalyticsObject is explained in this article.</p>",  # prose, not code
        "<script>var myGoogleAnalyticsObjectCopy = 1;</script>",  # part of a longer name
        "<script>config.GoogleAnalyticsObject = 1;</script>",  # another object's member
    ],
)
def test_a_name_that_is_not_the_global_is_not_taken_for_it(html):
    assert "Google Analytics" not in detect(html)


def test_dom_selector_with_an_attribute_check_reads_the_version():
    html = '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/daisyui@4.12.10/dist/full.min.css">'
    assert detect(html)["daisyUI"].version == "4.12.10"


def test_dom_selector_with_a_text_check():
    html = (
        '<link rel="stylesheet" href="/wp-content/themes/Divi/style.css">'  # Divi requires WordPress
        '<style id="divi-style-parent-inline-inline-css">/* Theme Name: Divi Version: 4.27.4 */</style>'
    )
    assert detect(html)["Divi"].version == "4.27.4"


def test_dom_selector_on_a_tree_parsed_by_the_caller():
    from prospecting.enrichment.extract import ParsedPage

    html = '<div data-drupal-selector="edit-search">x</div>'
    parsed = ParsedPage("https://example.lu/", html)
    signals = PageSignals.from_page(url="https://example.lu/", headers={}, cookies={}, html=html, root=parsed.root)
    assert "Drupal" in {d.name for d in fingerprint_set().detect(signals)}
    assert signals.root is parsed.root  # not parsed again
