"""Evaluating one prospect's facts against the rules: score, breakdown, lead type, intent, channel, summary.

Pure: `ProspectFacts` and a `RuleSet` in, a `ScoreResult` out; no database and no models (the stored values
are the plain strings of `ProspectScore`'s choices). `services` loads the facts in bulk and stores the
results; keeping the evaluation apart makes it testable without a database, and it is the one function that
the single (`score_compute`) and the batch (`scores_compute_batch`) computations share.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from prospecting.scoring.rules import COMPONENT_MAXIMA, ProspectFacts, RuleSet, tier_for

# ProspectScore.LeadTier's labels, for the summary (this module does not import models).
_TIER_LABELS = {
    "top_priority": "Top priority",
    "quick_win": "Quick win",
    "strategic": "Strategic",
    "low_priority": "Low priority",
}


@dataclass
class ScoreResult:
    score: int
    components: dict[str, int]
    reason_flags: list[str]
    breakdown: dict[str, dict[str, Any]]
    lead_tier: str
    lead_type: str
    intent_level: str
    buying_signal: bool
    recommended_channel: str
    summary: str


def score_evaluate(
    facts: ProspectFacts, rule_set: RuleSet, *, name: str = "", primary_contact: str = ""
) -> ScoreResult:
    """Apply every rule; each component is capped at its maximum, and the breakdown records the points each
    rule actually added, so the breakdown always sums to the score."""
    components = dict.fromkeys(COMPONENT_MAXIMA, 0)
    breakdown: dict[str, dict[str, Any]] = {}
    for rule in rule_set.rules:
        if rule.points <= 0 or not rule.condition(facts):
            continue
        room = COMPONENT_MAXIMA[rule.component] - components[rule.component]
        applied = max(0, min(rule.points, room))
        components[rule.component] += applied
        breakdown[rule.key] = {
            "component": rule.component,
            "points": applied,
            "rule_points": rule.points,
            "label": rule.label,
        }
    score = sum(components.values())
    lead_tier = tier_for(score, rule_set.tiers)
    flags = list(breakdown)
    lead_type = _lead_type(facts, set(flags))
    intent, buying = _intent(facts, score, rule_set)
    channel = _recommended_channel(facts)
    summary = _summary(
        name=name,
        score=score,
        tier=lead_tier,
        breakdown=breakdown,
        channel=channel,
        contact=primary_contact,
        facts=facts,
    )
    return ScoreResult(
        score=score,
        components=components,
        reason_flags=flags,
        breakdown=breakdown,
        lead_tier=lead_tier,
        lead_type=lead_type,
        intent_level=intent,
        buying_signal=buying,
        recommended_channel=channel,
        summary=summary,
    )


def _lead_type(facts: ProspectFacts, flags: set[str]) -> str:
    if facts.status == "parked" or "parked_domain" in flags:
        return "parked"
    if facts.without_website:
        return "no_website"
    if not facts.live_site:
        return ""  # not checked yet
    if "http_error" in flags or (facts.performance_score is not None and facts.performance_score < 30):
        return "bad_website"
    if "outdated_cms" in flags:
        return "outdated_cms"
    if "no_https" in flags:
        return "no_https"
    if flags & {"slow_lcp", "poor_performance"}:
        return "slow_site"
    if "not_mobile_friendly" in flags:
        return "not_mobile_friendly"
    return "good_website"


def _intent(facts: ProspectFacts, score: int, rule_set: RuleSet) -> tuple[str, bool]:
    now = facts.now or timezone.now()
    recent_positive = bool(
        facts.last_positive_interaction and now - facts.last_positive_interaction <= datetime.timedelta(days=30)
    )
    buying_signal = recent_positive or facts.status == "converted"
    if buying_signal or (score >= rule_set.tiers["top_priority"] and (facts.has_email or facts.has_phone)):
        return "high", buying_signal
    if score >= rule_set.tiers["quick_win"] or facts.last_interaction:
        return "medium", buying_signal
    return "low", buying_signal


def _recommended_channel(facts: ProspectFacts) -> str:
    has_place = bool(facts.address.strip() or facts.city.strip())
    if facts.channel == "offline":
        if has_place:
            return "visit"
        if facts.has_phone:
            return "phone"
        return "email" if facts.has_email else "visit"
    if facts.has_email:
        return "email"
    if facts.has_phone:
        return "phone"
    return "letter" if has_place else "email"


def _summary(
    *, name: str, score: int, tier: str, breakdown: dict, channel: str, contact: str, facts: ProspectFacts
) -> str:
    reasons = sorted(breakdown.values(), key=lambda item: -item["points"])
    website_reasons = [item["label"] for item in reasons if item["component"] in {"technical_health", "modernity"}]
    main = "; ".join(website_reasons[:4]) + ("; …" if len(website_reasons) > 4 else "")
    parts = [f"{name or 'This prospect'} is a {_TIER_LABELS[tier].lower()} lead ({score}/100)."]
    if not facts.has_domain:
        parts.append("No website is known.")
    elif facts.has_website is None:
        parts.append("The website has not been checked yet.")
    if main:
        parts.append(f"Website opportunity: {main}.")
    elif facts.live_site:
        parts.append("The website looks healthy; sell on services rather than a rebuild.")
    how = {"email": "by e-mail", "phone": "by phone", "visit": "with a visit", "letter": "by letter"}[channel]
    parts.append(f"Best reached {how}" + (f" ({contact})." if contact else "."))
    if facts.last_interaction:
        parts.append(f"Last interaction on {facts.last_interaction:%Y-%m-%d}.")
    return " ".join(parts)
