"""Performance audits: Lighthouse's curves, the builtin estimates on a good and a bad page, PSI mapping."""

import shutil

import pytest

from prospecting.enrichment.audit import LIGHTHOUSE_CURVES, metric_score, performance_score
from prospecting.enrichment.models import PerformanceProfile
from prospecting.enrichment.services import http_check_run
from prospecting.enrichment.services.performance import performance_run
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(LIGHTHOUSE_CURVES))
def test_lighthouse_curve_gives_090_at_p10_and_050_at_median(name):
    _, p10, median = LIGHTHOUSE_CURVES[name]
    assert metric_score(p10, p10, median) == pytest.approx(0.9, abs=0.001)
    assert metric_score(median, p10, median) == pytest.approx(0.5, abs=0.001)
    assert metric_score(median * 4, p10, median) < 0.1


def test_performance_score_weights():
    perfect = {name: p10 / 10 for name, (_, p10, _) in LIGHTHOUSE_CURVES.items()}
    assert performance_score(perfect) == 100
    at_median = {name: median for name, (_, _, median) in LIGHTHOUSE_CURVES.items()}
    assert performance_score(at_median) == 50
    only_tbt_bad = {**perfect, "total_blocking_time_ms": 5000}
    assert performance_score(only_tbt_bad) == 70  # TBT weighs 30 of 100


def audit(domain):
    prospect = ProspectFactory(domain_name=domain)
    http_check_run(prospect=prospect)
    outcome = performance_run(prospect=prospect)
    assert outcome.audited, outcome.reason
    prospect.refresh_from_db()
    assert prospect.last_performance_scan_at is not None
    return PerformanceProfile.objects.get(prospect=prospect)


def test_builtin_scores_move_in_the_right_direction_between_a_good_and_a_bad_page(farm):
    good, bad = audit("fast-good.lu"), audit("bad-slow.lu")
    assert good.provider == bad.provider == "builtin"
    for field in ["performance_score", "accessibility_score", "seo_score", "best_practices_score"]:
        assert getattr(good, field) > getattr(bad, field), field
    assert good.largest_contentful_paint_ms < bad.largest_contentful_paint_ms
    assert good.total_blocking_time_ms < bad.total_blocking_time_ms
    assert good.cumulative_layout_shift < bad.cumulative_layout_shift
    assert good.page_weight_bytes < bad.page_weight_bytes
    assert (good.is_mobile_friendly, bad.is_mobile_friendly) == (True, False)
    assert bad.time_to_first_byte_ms >= 300  # the farm's injected latency
    checks = bad.raw_json["checks"]
    assert checks["accessibility"]["html_lang"] is False
    assert checks["accessibility"]["img_alt"] is False
    assert checks["accessibility"]["heading_order"] is False
    assert checks["seo"]["meta_description"] is False
    assert checks["seo"]["descriptive_links"] is False
    assert checks["best_practices"]["no_outdated_libraries"] is False
    assert checks["best_practices"]["https"] is False
    assert all(good.raw_json["checks"]["accessibility"].values())
    assert good.raw_json["estimated"] is True
    assert good.raw_json["request_count"] == 4


def test_pagespeed_provider_maps_the_psi_response(farm, settings):
    settings.PERFORMANCE_PROVIDER = "pagespeed"
    settings.PAGESPEED_API_URL = f"http://127.0.0.1:{farm.http_port}/pagespeedonline/v5/runPagespeed"
    profile = audit("wordpress-weber.lu")
    assert profile.provider == "pagespeed"
    assert (
        profile.performance_score,
        profile.accessibility_score,
        profile.best_practices_score,
        profile.seo_score,
    ) == (
        42,
        87,
        74,
        91,
    )
    assert profile.first_contentful_paint_ms == 3412
    assert profile.largest_contentful_paint_ms == 6890
    assert profile.total_blocking_time_ms == 410
    assert profile.cumulative_layout_shift == pytest.approx(0.071)
    assert profile.speed_index_ms == 5321
    assert profile.time_to_first_byte_ms == 182
    assert profile.page_weight_bytes == 2456789
    assert profile.is_mobile_friendly is True
    hits = [path for scheme, host, path in farm.requests if path.startswith("/pagespeedonline/")]
    assert "strategy=mobile" in hits[-1]
    for category in ("PERFORMANCE", "ACCESSIBILITY", "BEST_PRACTICES", "SEO"):
        assert f"category={category}" in hits[-1]


def test_pagespeed_failure_is_reported_not_raised(farm, settings):
    settings.PERFORMANCE_PROVIDER = "pagespeed"
    settings.PAGESPEED_API_URL = f"http://127.0.0.1:{farm.http_port}/no-such-api"
    prospect = ProspectFactory(domain_name="wordpress-weber.lu")
    http_check_run(prospect=prospect)
    outcome = performance_run(prospect=prospect)
    assert not outcome.audited
    assert "PageSpeed Insights failed" in outcome.reason


def test_no_audit_without_a_live_site(farm):
    prospect = ProspectFactory(domain_name="parked-domain.lu")
    http_check_run(prospect=prospect)
    assert not performance_run(prospect=prospect).audited


@pytest.mark.slow
def test_lighthouse_provider_on_a_farm_page(farm, settings):
    """A real Lighthouse run in Chromium (`.ci/lighthouse-up` installs both; CI sets LIGHTHOUSE_BINARY)."""
    if not shutil.which(settings.LIGHTHOUSE_BINARY) or not shutil.which(settings.CHROME_PATH):
        pytest.skip("Lighthouse CLI and Chromium are not installed here: run .ci/lighthouse-up")
    settings.PERFORMANCE_PROVIDER = "lighthouse"
    # Chromium resolves every name to the farm; a flag value with spaces is quoted inside --chrome-flags.
    settings.LIGHTHOUSE_CHROME_FLAGS = (
        f'--host-resolver-rules="MAP * 127.0.0.1:{farm.https_port}" --ignore-certificate-errors'
    )
    profile = audit("fast-good.lu")
    assert profile.provider == "lighthouse"
    assert profile.raw_json["final_url"] == "https://fast-good.lu/"
    assert 0 <= profile.performance_score <= 100 and profile.accessibility_score > 50
    assert profile.largest_contentful_paint_ms > 0 and profile.is_mobile_friendly is True


def _page(html: str):
    from prospecting.core.fetch import FetchResult

    return FetchResult(
        url="https://shop.lu/",
        status_code=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=html.encode(),
        text=html,
        encoding="utf-8",
        truncated=False,
        elapsed_ms=80,
        total_ms=90,
    )


@pytest.mark.parametrize(
    ("layout", "mobile_friendly"),
    [
        ("<style>.wrap{max-width: 1200px}</style>", True),
        ("<style>.wrap{width: 100%; min-height: 900px}</style>", True),
        ('<div data-width="1000px">x</div>', True),
        ("<style>.wrap{min-width: 1000px}</style>", False),
        ("<style>body{margin:0;width:960px}</style>", False),
        ('<table width="980"><tr><td>x</td></tr></table>', False),
    ],
)
def test_mobile_friendly_reads_the_viewport_and_fixed_widths(layout, mobile_friendly):
    from prospecting.enrichment.services.performance import builtin_audit

    head = '<meta name="Viewport" content="width=device-width, initial-scale=1">'
    result = builtin_audit(_page(f"<!doctype html><html lang=fr><head>{head}</head><body>{layout}</body></html>"))
    assert result.is_mobile_friendly is mobile_friendly
    without_viewport = builtin_audit(_page(f"<!doctype html><html><body>{layout}</body></html>"))
    assert without_viewport.is_mobile_friendly is False


def test_builtin_checks_on_a_page_without_resources():
    from prospecting.enrichment.services.performance import builtin_audit

    html = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width"><title>Bäckerei</title>'
        '<meta name="description" content="Brot"><link rel="canonical" href="/"></head><body><h1>Bäckerei</h1>'
        '<h2>Brot</h2><form><label for="q">Suche</label><input id="q"><input type="hidden" name="t"></form>'
        '<a href="/kontakt">Kontakt</a><a href="/x" aria-label="Start"><img src="data:," alt=""></a></body></html>'
    )
    checks = builtin_audit(_page(html)).raw["checks"]
    assert all(checks["accessibility"].values()), checks["accessibility"]
    assert all(checks["seo"].values()), checks["seo"]
    assert checks["best_practices"]["charset"] and checks["best_practices"]["doctype"]
    worse = html.replace('<label for="q">Suche</label>', "").replace("<h2>", "<h4>").replace("</h2>", "</h4>")
    worse = worse.replace(">Kontakt<", ">hier klicken<")
    worse_checks = builtin_audit(_page(worse)).raw["checks"]
    assert worse_checks["accessibility"]["form_labels"] is False
    assert worse_checks["accessibility"]["heading_order"] is False
    assert worse_checks["seo"]["descriptive_links"] is False
