"""Demo data: ~50 realistic (invented) Luxembourg prospects across both channels and every status.

Deterministic (fixed random seed) and idempotent: running it twice leaves the same rows.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from prospecting.enrichment.models import PerformanceProfile, TechProfile
from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect, ProspectContact

_TRADES = [
    ("Boulangerie", "boulangerie"),
    ("Garage", "garage"),
    ("Restaurant", "restaurant"),
    ("Salon de coiffure", "coiffure"),
    ("Cabinet dentaire", "dentiste"),
    ("Fiduciaire", "fiduciaire"),
    ("Menuiserie", "menuiserie"),
    ("Fleuriste", "fleurs"),
    ("Pharmacie", "pharmacie"),
    ("Auto-école", "autoecole"),
    ("Brasserie", "brasserie"),
    ("Institut de beauté", "beaute"),
    ("Plomberie", "plomberie"),
    ("Librairie", "librairie"),
    ("Agence immobilière", "immo"),
    ("Cabinet d'avocats", "avocats"),
    ("Épicerie fine", "epicerie"),
    ("Toiture", "toiture"),
]
_FAMILY_NAMES = [
    "Weber",
    "Schmit",
    "Muller",
    "Wagner",
    "Hoffmann",
    "Thill",
    "Kremer",
    "Schroeder",
    "Reuter",
    "Klein",
    "Hansen",
    "Faber",
    "Majerus",
    "Ries",
    "Kieffer",
    "Lentz",
    "Braun",
    "Steffen",
    "Pereira",
    "Da Silva",
]
_CITIES = [
    ("Luxembourg", "1118"),
    ("Esch-sur-Alzette", "4002"),
    ("Differdange", "4501"),
    ("Dudelange", "3401"),
    ("Ettelbruck", "9001"),
    ("Diekirch", "9201"),
    ("Wiltz", "9501"),
    ("Echternach", "6401"),
    ("Remich", "5501"),
    ("Mersch", "7501"),
    ("Grevenmacher", "6701"),
    ("Clervaux", "9701"),
    ("Bettembourg", "3201"),
    ("Strassen", "8011"),
]
_STREETS = ["Grand-Rue", "Avenue de la Liberté", "Rue de l'Alzette", "Route d'Arlon", "Rue du Marché", "Rue Principale"]
_CMS = [
    ("WordPress", "5.8.3"),
    ("WordPress", "6.6.2"),
    ("Joomla", "3.9"),
    ("Wix", ""),
    ("Drupal", "7.98"),
    ("", ""),
]
_STATUSES = [s.value for s in Prospect.Status]
_DEMO_SOURCE_DIGITAL = "demo_domain_scan"
_DEMO_SOURCE_OFFLINE = "demo_networking_event"
DIGITAL_COUNT = 36
OFFLINE_COUNT = 14


def _ascii_slug(text: str) -> str:
    table = str.maketrans("éèêàçôûü' ", "eeeacouu--")
    return text.lower().translate(table).replace("--", "-")


def _prospect_specs() -> list[dict]:
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    specs = []
    for index in range(DIGITAL_COUNT + OFFLINE_COUNT):
        trade, trade_slug = _TRADES[index % len(_TRADES)]
        family = _FAMILY_NAMES[(index * 7) % len(_FAMILY_NAMES)]
        city, postal = _CITIES[index % len(_CITIES)]
        digital = index < DIGITAL_COUNT
        spec = {
            "channel": Prospect.Channel.DIGITAL if digital else Prospect.Channel.OFFLINE,
            "business_name": f"{trade} {family}",
            "domain_name": f"{trade_slug}-{_ascii_slug(family)}.lu" if digital or index % 3 == 0 else None,
            "status": _STATUSES[index % len(_STATUSES)],
            "source": _DEMO_SOURCE_DIGITAL if digital else _DEMO_SOURCE_OFFLINE,
            "address": f"{rng.randint(1, 180)}, {rng.choice(_STREETS)}",
            "city": city,
            "postal_code": f"L-{postal}",
            "country": "LU",
            "tags": ["demo", trade_slug],
            "location_lat": None if digital else round(49.45 + rng.random() * 0.6, 5),
            "location_lng": None if digital else round(5.85 + rng.random() * 0.6, 5),
            "_phone": f"+352 {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            "_email_local": rng.choice(["info", "contact", "bonjour", "office"]),
            "_cms": rng.choice(_CMS),
            "_perf": rng.randint(15, 98),
            "_days_ago": rng.randint(0, 60),
        }
        specs.append(spec)
    return specs


@transaction.atomic
def demo_data_seed(*, user: AbstractBaseUser | None = None) -> int:
    """Create or refresh the demo prospects with contacts, profiles and interactions; returns how many."""
    now = timezone.now()
    count = 0
    for spec in _prospect_specs():
        fields = {key: value for key, value in spec.items() if not key.startswith("_")}
        lookup = (
            {"domain_name": fields["domain_name"]}
            if fields["domain_name"]
            else {"business_name": fields["business_name"], "postal_code": fields["postal_code"]}
        )
        prospect, _ = Prospect.objects.update_or_create(**lookup, defaults={**fields, "captured_by": user})
        count += 1
        has_site = bool(prospect.domain_name) and prospect.status not in {"parked", "error"}
        if prospect.domain_name:
            Prospect.objects.filter(pk=prospect.pk).update(
                has_website=has_site,
                uses_https=has_site and spec["_perf"] > 40,
                http_status_code=200 if has_site else None,
                last_http_check_at=now - timedelta(days=spec["_days_ago"]),
            )
        if prospect.domain_name:
            ProspectContact.objects.update_or_create(
                prospect=prospect,
                contact_type=ProspectContact.ContactType.EMAIL,
                value=f"{spec['_email_local']}@{prospect.domain_name}",
                defaults={"is_primary": True, "source_url": f"https://{prospect.domain_name}/contact"},
            )
        ProspectContact.objects.update_or_create(
            prospect=prospect,
            contact_type=ProspectContact.ContactType.PHONE,
            value=spec["_phone"],
            defaults={"is_primary": True},
        )
        if has_site:
            cms, version = spec["_cms"]
            TechProfile.objects.update_or_create(
                prospect=prospect,
                defaults={
                    "cms": cms,
                    "cms_version": version,
                    "server": "nginx" if spec["_perf"] % 2 else "Apache",
                    "analytics": "Google Analytics" if spec["_perf"] > 50 else "",
                    "js_framework": "jQuery",
                    "scanned_at": now - timedelta(days=spec["_days_ago"]),
                },
            )
            PerformanceProfile.objects.update_or_create(
                prospect=prospect,
                defaults={
                    "performance_score": spec["_perf"],
                    "accessibility_score": min(100, spec["_perf"] + 10),
                    "seo_score": min(100, spec["_perf"] + 5),
                    "best_practices_score": min(100, spec["_perf"] + 15),
                    "largest_contentful_paint_ms": int(9000 - spec["_perf"] * 80),
                    "is_mobile_friendly": spec["_perf"] > 45,
                    "provider": "builtin",
                    "scanned_at": now - timedelta(days=spec["_days_ago"]),
                },
            )
            scanned = now - timedelta(days=spec["_days_ago"])  # the steps' dates, as a real run leaves them
            Prospect.objects.filter(pk=prospect.pk).update(
                last_tech_scan_at=scanned, last_performance_scan_at=scanned, last_contact_scrape_at=scanned
            )
        if not prospect.interactions.exists() and prospect.status in {"contacted", "converted", "inactive"}:
            Interaction.objects.create(
                prospect=prospect,
                interaction_type=Interaction.InteractionType.CALL,
                subject="First call",
                notes="Spoke with the owner about their website.",
                outcome=Interaction.Outcome.POSITIVE if prospect.status == "converted" else Interaction.Outcome.NEUTRAL,
                next_action="Send a proposal",
                next_action_date=(now + timedelta(days=7)).date(),
                created_by=user,
            )
        if not prospect.interactions.exists() and prospect.channel == Prospect.Channel.OFFLINE:
            Interaction.objects.create(
                prospect=prospect,
                interaction_type=Interaction.InteractionType.VISIT,
                subject="Met at the shop",
                notes="Owner interested in a simple website with opening hours.",
                outcome=Interaction.Outcome.POSITIVE,
                next_action="Call back",
                next_action_date=(now + timedelta(days=3)).date(),
                created_by=user,
            )
    from prospecting.scoring.services import scores_compute_batch

    scores_compute_batch(queryset=Prospect.objects.filter(source__in=[_DEMO_SOURCE_DIGITAL, _DEMO_SOURCE_OFFLINE]))
    return count
