"""What a prospect reads, in the template's language: the website problems behind the score, tier names, the
unsubscribe footer. Luxembourgish falls back to German where no wording is given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Only the rules a prospect can be told about: problems of the website (not "has an e-mail address").
ISSUE_LABELS: dict[str, dict[str, str]] = {
    "no_website": {
        "fr": "vous n'avez pas encore de site web",
        "de": "Sie haben noch keine eigene Website",
        "en": "you do not have a website yet",
    },
    "parked_domain": {
        "fr": "votre nom de domaine n'affiche qu'une page d'attente",
        "de": "Ihre Domain zeigt nur eine Platzhalterseite",
        "en": "your domain only shows a parking page",
    },
    "http_error": {
        "fr": "votre site affiche une erreur",
        "de": "Ihre Website zeigt eine Fehlermeldung",
        "en": "your website answers with an error",
    },
    "no_https": {
        "fr": "votre site n'est pas sécurisé (pas de HTTPS)",
        "de": "Ihre Website ist nicht verschlüsselt (kein HTTPS)",
        "en": "your website is not secure (no HTTPS)",
    },
    "certificate_invalid": {
        "fr": "votre site affiche un avertissement de sécurité (certificat invalide)",
        "de": "Ihre Website zeigt eine Sicherheitswarnung (ungültiges Zertifikat)",
        "en": "your website shows a security warning (invalid certificate)",
    },
    "slow_lcp": {
        "fr": "votre page d'accueil met plus de 4 secondes à s'afficher",
        "de": "Ihre Startseite braucht über 4 Sekunden zum Laden",
        "en": "your home page takes more than 4 seconds to appear",
    },
    "poor_performance": {
        "fr": "votre site est lent",
        "de": "Ihre Website ist langsam",
        "en": "your website is slow",
    },
    "not_mobile_friendly": {
        "fr": "votre site n'est pas adapté aux smartphones",
        "de": "Ihre Website ist nicht für Smartphones optimiert",
        "en": "your website does not work well on phones",
    },
    "poor_seo": {
        "fr": "votre site est mal référencé sur Google",
        "de": "Ihre Website wird bei Google schlecht gefunden",
        "en": "your website is hard to find on Google",
    },
    "poor_accessibility": {
        "fr": "votre site est difficile à utiliser pour certains visiteurs",
        "de": "Ihre Website ist für manche Besucher schwer zu bedienen",
        "en": "your website is hard to use for some visitors",
    },
    "outdated_cms": {
        "fr": "votre site tourne sur une version dépassée de son CMS",
        "de": "Ihre Website läuft auf einer veralteten CMS-Version",
        "en": "your website runs on an outdated CMS version",
    },
    "old_jquery": {
        "fr": "votre site utilise des composants JavaScript anciens",
        "de": "Ihre Website verwendet veraltete JavaScript-Bausteine",
        "en": "your website uses old JavaScript components",
    },
    "site_builder": {
        "fr": "votre site est fait avec un outil de création limité",
        "de": "Ihre Website ist mit einem eingeschränkten Baukasten erstellt",
        "en": "your website is built with a limited DIY site builder",
    },
    "no_cms": {
        "fr": "votre site ne peut pas être mis à jour facilement",
        "de": "Ihre Website lässt sich nicht selbst aktualisieren",
        "en": "your website cannot be updated easily",
    },
    "no_analytics": {
        "fr": "vous ne mesurez pas les visites de votre site",
        "de": "Sie messen die Besuche auf Ihrer Website nicht",
        "en": "you do not measure your website's visits",
    },
}

TIER_LABELS: dict[str, dict[str, str]] = {
    "top_priority": {"fr": "prioritaire", "de": "vorrangig", "en": "top priority"},
    "quick_win": {"fr": "gain rapide", "de": "schneller Erfolg", "en": "quick win"},
    "strategic": {"fr": "stratégique", "de": "strategisch", "en": "strategic"},
    "low_priority": {"fr": "faible priorité", "de": "niedrige Priorität", "en": "low priority"},
}

UNSUBSCRIBE_FOOTER = {
    "fr": "Vous ne souhaitez plus recevoir nos messages ? Désinscription : {url}",
    "de": "Sie möchten keine Nachrichten mehr von uns erhalten? Abmelden: {url}",
    "en": "Prefer not to hear from us again? Unsubscribe: {url}",
}
UNSUBSCRIBE_FOOTER["lb"] = UNSUBSCRIBE_FOOTER["de"]

# Fits after a greeting: "Bonjour Madame, Monsieur", "Guten Tag zusammen", "Hello there".
GENERIC_CONTACT = {"fr": "Madame, Monsieur", "de": "zusammen", "en": "there", "lb": "zesummen"}


def _in(language: str, texts: Mapping[str, str]) -> str:
    return texts.get(language) or texts.get("de" if language == "lb" else "en") or texts["en"]


def issues_text(breakdown: Mapping[str, Any] | None, language: str, limit: int = 3) -> str:
    """The main website problems (most points first), as a sentence fragment in `language`."""
    items = sorted((breakdown or {}).items(), key=lambda item: -(item[1] or {}).get("points", 0))
    labels = [_in(language, ISSUE_LABELS[key]) for key, item in items if key in ISSUE_LABELS and item.get("points")]
    labels = labels[:limit]
    if not labels:
        return ""
    if len(labels) == 1:
        return labels[0]
    joiner = {"fr": " et ", "de": " und ", "en": " and ", "lb": " an "}.get(language, " and ")
    return ", ".join(labels[:-1]) + joiner + labels[-1]


def tier_text(tier: str, language: str) -> str:
    return _in(language, TIER_LABELS[tier]) if tier in TIER_LABELS else ""


def unsubscribe_footer(url: str, language: str) -> str:
    return _in(language, UNSUBSCRIBE_FOOTER).format(url=url)


def generic_contact(language: str) -> str:
    return _in(language, GENERIC_CONTACT)
