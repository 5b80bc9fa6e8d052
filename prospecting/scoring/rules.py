"""The opportunity-score rules, as data.

Higher score = bigger sales opportunity for a web agency: a business with no website or a poor one is a
better lead than one with a modern, fast site. Each rule names the component it feeds, its points, the
condition on a prospect's data, and the label a person reads. Points and tier thresholds can be
overridden with the SCORING setting (see docs/scoring.md); the rules version changes with them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

BASE_RULES_VERSION = "2026.11"

COMPONENT_MAXIMA = {
    "technical_health": 40,
    "modernity": 25,
    "business_value": 25,
    "engagement": 10,
}

DEFAULT_TIERS = {"top_priority": 70, "quick_win": 50, "strategic": 30}

# Minimum current major versions: anything older is "outdated" (end of life or close to it in 2026).
OUTDATED_CMS_BELOW = {"wordpress": (6, 0), "joomla": (4, 0), "drupal": (10, 0), "prestashop": (8, 0), "typo3": (12, 0)}
SITE_BUILDERS = {"wix", "squarespace", "jimdo", "weebly", "webnode", "site123", "godaddy website builder"}
RECENT_DAYS = 90


@dataclass(slots=True)
class ProspectFacts:
    """What the rules may look at: a flat snapshot of a prospect and its profiles (None = unknown).

    Built a million times per recompute: slots, no freezing, and the derived flags computed once."""

    channel: str
    status: str
    has_domain: bool
    has_website: bool | None
    uses_https: bool | None
    http_status_code: int | None
    country: str
    postal_code: str
    address: str
    city: str
    cms: str = ""
    cms_version: str = ""
    analytics: str = ""
    ecommerce_platform: str = ""
    tech_stack: dict[str, Any] = field(default_factory=dict)
    tech_scanned: bool = False
    certificate_valid: bool | None = None
    performance_score: int | None = None
    accessibility_score: int | None = None
    seo_score: int | None = None
    lcp_ms: int | None = None
    is_mobile_friendly: bool | None = None
    has_email: bool = False
    has_phone: bool = False
    has_lu_phone: bool = False
    last_positive_interaction: datetime.datetime | None = None
    last_interaction: datetime.datetime | None = None
    now: datetime.datetime | None = None
    live_site: bool = field(init=False)
    without_website: bool = field(init=False)

    def __post_init__(self) -> None:
        self.live_site = bool(self.has_domain and self.has_website and self.status != "parked")
        self.without_website = not self.has_domain or self.has_website is False


def _version_tuple(text: str) -> tuple[int, ...] | None:
    numbers = re.findall(r"\d+", text or "")
    return tuple(int(n) for n in numbers[:3]) if numbers else None


def is_outdated_cms(cms: str, version: str) -> bool:
    minimum = OUTDATED_CMS_BELOW.get((cms or "").strip().lower())
    current = _version_tuple(version)
    return bool(minimum and current and current[: len(minimum)] < minimum)


def jquery_version(tech_stack: dict[str, Any]) -> tuple[int, ...] | None:
    for item in tech_stack.get("technologies", []) if isinstance(tech_stack, dict) else []:
        if isinstance(item, dict) and str(item.get("name", "")).lower() == "jquery":
            return _version_tuple(str(item.get("version") or ""))
    return None


def _recent(moment: datetime.datetime | None, now: datetime.datetime | None, days: int = RECENT_DAYS) -> bool:
    return bool(moment and now and now - moment <= datetime.timedelta(days=days))


@dataclass(frozen=True)
class Rule:
    key: str
    component: str
    points: int
    label: str
    condition: Callable[[ProspectFacts], bool]


DEFAULT_RULES: list[Rule] = [
    # Technical health (40): the worse the site, the bigger the opportunity.
    Rule(
        "no_website",
        "technical_health",
        30,
        gettext_noop("No website"),
        lambda f: f.has_domain and f.has_website is False and f.status != "parked",
    ),
    Rule(
        "parked_domain",
        "technical_health",
        30,
        gettext_noop("Domain is parked (no real site)"),
        lambda f: f.status == "parked",
    ),
    Rule(
        "http_error",
        "technical_health",
        15,
        gettext_noop("Website answers with an error"),
        lambda f: f.live_site and (f.http_status_code or 0) >= 400,
    ),
    Rule(
        "no_https",
        "technical_health",
        10,
        gettext_noop("Site not served over HTTPS"),
        lambda f: f.live_site and f.uses_https is False,
    ),
    Rule(
        "certificate_invalid",
        "technical_health",
        15,
        gettext_noop("Browsers show a security warning (invalid certificate)"),
        lambda f: f.live_site and f.certificate_valid is False,
    ),
    Rule(
        "slow_lcp",
        "technical_health",
        10,
        gettext_noop("Largest paint > 4 s"),
        lambda f: f.live_site and (f.lcp_ms or 0) > 4000,
    ),
    Rule(
        "poor_performance",
        "technical_health",
        8,
        gettext_noop("Performance score below 50"),
        lambda f: f.live_site and f.performance_score is not None and f.performance_score < 50,
    ),
    Rule(
        "not_mobile_friendly",
        "technical_health",
        10,
        gettext_noop("Not mobile friendly"),
        lambda f: f.live_site and f.is_mobile_friendly is False,
    ),
    Rule(
        "poor_seo",
        "technical_health",
        5,
        gettext_noop("SEO score below 60"),
        lambda f: f.live_site and f.seo_score is not None and f.seo_score < 60,
    ),
    Rule(
        "poor_accessibility",
        "technical_health",
        4,
        gettext_noop("Accessibility score below 60"),
        lambda f: f.live_site and f.accessibility_score is not None and f.accessibility_score < 60,
    ),
    # Modernity (25): old technology is work to sell.
    Rule(
        "outdated_cms",
        "modernity",
        15,
        gettext_noop("CMS version out of date (e.g. WordPress older than 6.0)"),
        lambda f: f.live_site and is_outdated_cms(f.cms, f.cms_version),
    ),
    Rule(
        "old_jquery",
        "modernity",
        5,
        gettext_noop("jQuery older than 3"),
        lambda f: f.live_site and (jquery_version(f.tech_stack) or (99,)) < (3,),
    ),
    Rule(
        "site_builder",
        "modernity",
        5,
        gettext_noop("Built with a DIY site builder"),
        lambda f: f.live_site and f.cms.strip().lower() in SITE_BUILDERS,
    ),
    Rule(
        "no_cms",
        "modernity",
        5,
        gettext_noop("No CMS: hand-made static site"),
        lambda f: f.live_site and f.tech_scanned and not f.cms,
    ),
    Rule(
        "no_analytics",
        "modernity",
        5,
        gettext_noop("No analytics installed"),
        lambda f: f.live_site and f.tech_scanned and not f.analytics,
    ),
    # Business value (25): a real, local business that can pay.
    Rule(
        "local_business",
        "business_value",
        10,
        gettext_noop("Local business (Luxembourg address or phone)"),
        lambda f: f.country.upper() == "LU" or f.has_lu_phone,
    ),
    Rule(
        "ecommerce",
        "business_value",
        8,
        gettext_noop("Sells online (e-commerce)"),
        lambda f: bool(f.ecommerce_platform),
    ),
    Rule(
        "has_address",
        "business_value",
        4,
        gettext_noop("Physical address known"),
        lambda f: bool(f.address.strip() or f.postal_code.strip()),
    ),
    Rule("met_in_person", "business_value", 3, gettext_noop("Met in person"), lambda f: f.channel == "offline"),
    # Engagement (10): we can reach them, and they answered.
    Rule("has_email", "engagement", 3, gettext_noop("E-mail address known"), lambda f: f.has_email),
    Rule("has_phone", "engagement", 3, gettext_noop("Phone number known"), lambda f: f.has_phone),
    Rule(
        "recent_positive_interaction",
        "engagement",
        4,
        gettext_noop("Positive interaction in the last 90 days"),
        lambda f: _recent(f.last_positive_interaction, f.now),
    ),
]


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    tiers: dict[str, int]
    version: str


@cache
def _rule_set_for(config_json: str) -> RuleSet:
    config = json.loads(config_json)
    points = config.get("points", {})
    unknown = set(points) - {rule.key for rule in DEFAULT_RULES}
    if unknown:
        raise ValueError(f"SCORING['points'] names unknown rules: {', '.join(sorted(unknown))}")
    rules = tuple(
        Rule(rule.key, rule.component, int(points.get(rule.key, rule.points)), rule.label, rule.condition)
        for rule in DEFAULT_RULES
    )
    tiers = {**DEFAULT_TIERS, **config.get("tiers", {})}
    fingerprint = json.dumps(
        {"rules": [(r.key, r.component, r.points) for r in rules], "tiers": tiers}, sort_keys=True
    ).encode()
    version = f"{BASE_RULES_VERSION}-{hashlib.sha256(fingerprint).hexdigest()[:8]}"
    return RuleSet(rules=rules, tiers=tiers, version=version)


def active_rule_set() -> RuleSet:
    """The rules with the SCORING setting's overrides applied: {"points": {key: n}, "tiers": {...}}."""
    config = getattr(settings, "SCORING", {}) or {}
    return _rule_set_for(json.dumps(config, sort_keys=True))


def tier_for(score: int, tiers: dict[str, int]) -> str:
    if score >= tiers["top_priority"]:
        return "top_priority"
    if score >= tiers["quick_win"]:
        return "quick_win"
    if score >= tiers["strategic"]:
        return "strategic"
    return "low_priority"
