"""Every rule fires on the data that should fire it, and not otherwise; caps, tiers and the breakdown."""

import datetime
import random
from dataclasses import replace

import pytest

from prospecting.scoring.evaluation import score_evaluate
from prospecting.scoring.rules import COMPONENT_MAXIMA, DEFAULT_RULES, ProspectFacts, active_rule_set, tier_for

NOW = datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.UTC)

# A healthy, modern, live website of a foreign business with no known contact: fires no rule at all.
CLEAN = ProspectFacts(
    channel="digital",
    status="active",
    has_domain=True,
    has_website=True,
    uses_https=True,
    http_status_code=200,
    country="BE",
    postal_code="",
    address="",
    city="",
    cms="WordPress",
    cms_version="6.6.2",
    analytics="Matomo",
    ecommerce_platform="",
    tech_stack={"technologies": [{"name": "jQuery", "version": "3.7.1"}]},
    tech_scanned=True,
    performance_score=95,
    accessibility_score=95,
    seo_score=95,
    lcp_ms=1200,
    is_mobile_friendly=True,
    now=NOW,
)


def flags(facts):
    return score_evaluate(facts, active_rule_set()).reason_flags


def test_clean_site_fires_nothing():
    assert flags(CLEAN) == []
    assert score_evaluate(CLEAN, active_rule_set()).lead_type == "good_website"


# (rule key, facts that must fire it, facts just on the other side that must not)
CASES = [
    ("no_website", replace(CLEAN, has_website=False), replace(CLEAN, has_website=None)),
    ("parked_domain", replace(CLEAN, status="parked"), CLEAN),
    ("http_error", replace(CLEAN, http_status_code=500), replace(CLEAN, http_status_code=399)),
    ("no_https", replace(CLEAN, uses_https=False), replace(CLEAN, uses_https=None)),
    ("certificate_invalid", replace(CLEAN, certificate_valid=False), replace(CLEAN, certificate_valid=None)),
    ("slow_lcp", replace(CLEAN, lcp_ms=4001), replace(CLEAN, lcp_ms=4000)),
    ("poor_performance", replace(CLEAN, performance_score=49), replace(CLEAN, performance_score=50)),
    ("not_mobile_friendly", replace(CLEAN, is_mobile_friendly=False), replace(CLEAN, is_mobile_friendly=None)),
    ("poor_seo", replace(CLEAN, seo_score=59), replace(CLEAN, seo_score=60)),
    ("poor_accessibility", replace(CLEAN, accessibility_score=59), replace(CLEAN, accessibility_score=60)),
    ("outdated_cms", replace(CLEAN, cms_version="5.9.3"), replace(CLEAN, cms_version="6.0")),
    ("outdated_cms", replace(CLEAN, cms="Joomla", cms_version="3.10"), replace(CLEAN, cms="Joomla", cms_version="")),
    (
        "old_jquery",
        replace(CLEAN, tech_stack={"technologies": [{"name": "jQuery", "version": "1.12.4"}]}),
        replace(CLEAN, tech_stack={"technologies": [{"name": "jQuery", "version": None}]}),
    ),
    ("site_builder", replace(CLEAN, cms="Wix", cms_version=""), CLEAN),
    ("no_cms", replace(CLEAN, cms="", cms_version=""), replace(CLEAN, cms="", cms_version="", tech_scanned=False)),
    ("no_analytics", replace(CLEAN, analytics=""), replace(CLEAN, analytics="", tech_scanned=False)),
    ("local_business", replace(CLEAN, country="LU"), CLEAN),
    ("local_business", replace(CLEAN, has_lu_phone=True), replace(CLEAN, has_phone=True)),
    ("ecommerce", replace(CLEAN, ecommerce_platform="WooCommerce"), CLEAN),
    ("has_address", replace(CLEAN, address="12, Grand-Rue"), replace(CLEAN, city="Wiltz")),
    ("met_in_person", replace(CLEAN, channel="offline"), CLEAN),
    ("has_email", replace(CLEAN, has_email=True), CLEAN),
    ("has_phone", replace(CLEAN, has_phone=True), CLEAN),
    (
        "recent_positive_interaction",
        replace(CLEAN, last_positive_interaction=NOW - datetime.timedelta(days=89)),
        replace(CLEAN, last_positive_interaction=NOW - datetime.timedelta(days=91)),
    ),
]


def test_every_rule_has_a_case():
    assert {key for key, *_ in CASES} == {rule.key for rule in DEFAULT_RULES}


@pytest.mark.parametrize(("key", "fires", "does_not"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_only_when_it_should(key, fires, does_not):
    assert key in flags(fires)
    assert key not in flags(does_not)


def test_site_rules_do_not_fire_without_a_live_site():
    dead = replace(CLEAN, has_website=False, uses_https=False, lcp_ms=9000, cms_version="4.0", is_mobile_friendly=False)
    assert set(flags(dead)) == {"no_website"}


def test_offline_prospect_without_website_scores_from_business_value_and_engagement_only():
    offline = replace(
        CLEAN,
        channel="offline",
        has_domain=False,
        has_website=None,
        uses_https=None,
        country="LU",
        address="1, Rue du Marché",
        has_phone=True,
        last_positive_interaction=NOW,
    )
    result = score_evaluate(offline, active_rule_set())
    assert result.components["technical_health"] == 0
    assert result.components["modernity"] == 0
    assert result.components["business_value"] == 10 + 4 + 3
    assert result.components["engagement"] == 3 + 4
    assert result.score == 24
    assert result.lead_type == "no_website"
    assert result.recommended_channel == "visit"


def test_components_are_capped_and_breakdown_records_applied_points():
    terrible = replace(
        CLEAN,
        uses_https=False,
        http_status_code=503,
        lcp_ms=9000,
        performance_score=5,
        is_mobile_friendly=False,
        seo_score=10,
        accessibility_score=10,
    )
    result = score_evaluate(terrible, active_rule_set())
    assert result.components["technical_health"] == COMPONENT_MAXIMA["technical_health"] == 40
    assert sum(item["points"] for item in result.breakdown.values()) == result.score
    capped = [item for item in result.breakdown.values() if item["points"] < item["rule_points"]]
    assert capped, "at least one rule was cut by the cap"


@pytest.mark.parametrize(
    ("score", "tier"),
    [
        (100, "top_priority"),
        (70, "top_priority"),
        (69, "quick_win"),
        (50, "quick_win"),
        (49, "strategic"),
        (30, "strategic"),
        (29, "low_priority"),
        (0, "low_priority"),
    ],
)
def test_tier_boundaries(score, tier):
    assert tier_for(score, active_rule_set().tiers) == tier


def _random_facts(rng):
    return ProspectFacts(
        channel=rng.choice(["digital", "offline"]),
        status=rng.choice(["pending", "active", "parked", "error", "contacted", "converted", "inactive"]),
        has_domain=rng.random() < 0.8,
        has_website=rng.choice([True, False, None]),
        uses_https=rng.choice([True, False, None]),
        http_status_code=rng.choice([None, 200, 301, 404, 500]),
        country=rng.choice(["LU", "BE", "FR", ""]),
        postal_code=rng.choice(["", "L-1118"]),
        address=rng.choice(["", "1, Grand-Rue"]),
        city=rng.choice(["", "Wiltz"]),
        cms=rng.choice(["", "WordPress", "Joomla", "Wix", "Drupal"]),
        cms_version=rng.choice(["", "3.9", "5.8", "6.6", "10.1"]),
        analytics=rng.choice(["", "Google Analytics"]),
        ecommerce_platform=rng.choice(["", "WooCommerce"]),
        tech_stack={"technologies": [{"name": "jQuery", "version": rng.choice(["1.12.4", "3.7.1", None])}]},
        tech_scanned=rng.random() < 0.5,
        performance_score=rng.choice([None, *range(0, 101, 7)]),
        accessibility_score=rng.choice([None, 30, 70]),
        seo_score=rng.choice([None, 30, 70]),
        lcp_ms=rng.choice([None, 1000, 4500, 12000]),
        is_mobile_friendly=rng.choice([True, False, None]),
        has_email=rng.random() < 0.5,
        has_phone=rng.random() < 0.5,
        has_lu_phone=rng.random() < 0.3,
        last_positive_interaction=rng.choice([None, NOW - datetime.timedelta(days=rng.randint(0, 200))]),
        last_interaction=rng.choice([None, NOW]),
        now=NOW,
    )


def test_breakdown_always_sums_to_score_on_many_generated_prospects():
    rng = random.Random(7)
    rule_set = active_rule_set()
    for _ in range(5000):
        result = score_evaluate(_random_facts(rng), rule_set)
        assert sum(item["points"] for item in result.breakdown.values()) == result.score
        assert 0 <= result.score <= 100
        for component, maximum in COMPONENT_MAXIMA.items():
            assert 0 <= result.components[component] <= maximum
        assert sum(result.components.values()) == result.score
        assert result.lead_tier == tier_for(result.score, rule_set.tiers)
        assert set(result.reason_flags) == set(result.breakdown)


def test_settings_override_points_and_tiers_and_bump_the_version(settings):
    before = active_rule_set()
    settings.SCORING = {"points": {"no_https": 25}, "tiers": {"top_priority": 60}}
    after = active_rule_set()
    assert after.version != before.version
    assert next(r for r in after.rules if r.key == "no_https").points == 25
    assert tier_for(61, after.tiers) == "top_priority"
    result = score_evaluate(replace(CLEAN, uses_https=False), after)
    assert result.breakdown["no_https"]["points"] == 25


def test_settings_naming_an_unknown_rule_is_an_error(settings):
    settings.SCORING = {"points": {"no_such_rule": 5}}
    with pytest.raises(ValueError, match="no_such_rule"):
        active_rule_set()


@pytest.mark.parametrize(
    ("facts", "lead_type"),
    [
        (replace(CLEAN, has_website=False), "no_website"),
        (replace(CLEAN, status="parked"), "parked"),
        (replace(CLEAN, http_status_code=500), "bad_website"),
        (replace(CLEAN, performance_score=20), "bad_website"),
        (replace(CLEAN, cms_version="5.0"), "outdated_cms"),
        (replace(CLEAN, uses_https=False), "no_https"),
        (replace(CLEAN, lcp_ms=5000), "slow_site"),
        (replace(CLEAN, is_mobile_friendly=False), "not_mobile_friendly"),
        (CLEAN, "good_website"),
        (replace(CLEAN, has_website=None), ""),
    ],
)
def test_lead_type(facts, lead_type):
    assert score_evaluate(facts, active_rule_set()).lead_type == lead_type


def test_insights():
    rule_set = active_rule_set()
    engaged = replace(CLEAN, has_email=True, last_positive_interaction=NOW - datetime.timedelta(days=3))
    result = score_evaluate(engaged, rule_set, name="Garage Weber", primary_contact="info@weber.lu")
    assert (result.intent_level, result.buying_signal, result.recommended_channel) == ("high", True, "email")
    assert result.summary.startswith("Garage Weber is a")
    assert "info@weber.lu" in result.summary
    cold = score_evaluate(CLEAN, rule_set)
    assert (cold.intent_level, cold.buying_signal) == ("low", False)
    phone_only = score_evaluate(replace(CLEAN, has_phone=True), rule_set)
    assert phone_only.recommended_channel == "phone"
    letter = score_evaluate(replace(CLEAN, address="1, Rue X"), rule_set)
    assert letter.recommended_channel == "letter"
    bad = score_evaluate(replace(CLEAN, uses_https=False, cms_version="4.9"), rule_set)
    assert "Site not served over HTTPS" in bad.summary
