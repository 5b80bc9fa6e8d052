"""OpenStreetMap through the Overpass API: shops, crafts, offices and amenities of an area (no key; ODbL).

The query names a business category in French, German or English ("boulangerie", "Bäckerei", "bakery"),
or OSM tags directly ("shop=bakery", "craft"). Addresses, phones, websites, e-mails and opening hours come
from the elements' tags (`addr:*`, `phone` / `contact:phone`, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import requests
from django.conf import settings

from prospecting.discovery.sources.base import Listing, Page, Search

ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)"

# Common trades, as sales staff type them, to OSM tags.
CATEGORY_TAGS: dict[str, str] = {}
for tag, names in {
    "shop=bakery": ["boulangerie", "bakery", "bäckerei", "baeckerei", "patisserie", "pâtisserie"],
    "shop=butcher": ["boucherie", "butcher", "metzgerei"],
    "shop=hairdresser": ["coiffeur", "coiffure", "hairdresser", "friseur", "salon de coiffure"],
    "shop=florist": ["fleuriste", "florist", "blumen", "blumengeschäft"],
    "shop=car_repair": ["garage", "car repair", "autowerkstatt"],
    "shop=beauty": ["institut de beauté", "beauty", "kosmetik"],
    "shop=books": ["librairie", "bookshop", "buchhandlung"],
    "amenity=restaurant": ["restaurant"],
    "amenity=cafe": ["café", "cafe"],
    "amenity=bar": ["bar", "brasserie", "kneipe"],
    "amenity=pharmacy": ["pharmacie", "pharmacy", "apotheke"],
    "amenity=dentist": ["dentiste", "dentist", "zahnarzt", "cabinet dentaire"],
    "amenity=driving_school": ["auto-école", "auto-ecole", "driving school", "fahrschule"],
    "tourism=hotel": ["hôtel", "hotel"],
    "office=lawyer": ["avocat", "cabinet d'avocats", "lawyer", "rechtsanwalt"],
    "office=accountant": ["fiduciaire", "comptable", "accountant", "steuerberater"],
    "office=estate_agent": ["agence immobilière", "immobilier", "estate agent", "immobilien"],
    "craft=carpenter": ["menuiserie", "menuisier", "carpenter", "schreiner", "tischler"],
    "craft=plumber": ["plombier", "plomberie", "plumber", "installateur"],
    "craft=electrician": ["électricien", "electricien", "electrician", "elektriker"],
    "craft=roofer": ["toiture", "couvreur", "roofer", "dachdecker"],
}.items():
    for name in names:
        CATEGORY_TAGS[name] = tag

_TAG = re.compile(r"^(shop|craft|office|amenity|tourism|healthcare|leisure)(?:=([\w:;-]+))?$")


def category_filter(query: str) -> str:
    """The Overpass tag filter for a query: `["shop"="bakery"]`, `["craft"]`, ..."""
    text = query.strip().lower()
    tag = CATEGORY_TAGS.get(text, text)
    match = _TAG.match(tag)
    if not match:
        known = ", ".join(sorted({name for name in CATEGORY_TAGS if name.isascii()})[:12])
        raise ValueError(f"Unknown category {query!r}: use a trade ({known}, ...) or OSM tags such as shop=bakery.")
    key, value = match.groups()
    return f'["{key}"="{value}"]' if value else f'["{key}"]'


def overpass_query(search: Search) -> str:
    """Named businesses of the category in the city (or the whole country), with their centre point."""
    country = f'area["ISO3166-1"="{search.country.upper()}"][admin_level=2]->.country;'
    city = search.city.replace('"', "")
    area = f'area["name"="{city}"](area.country)->.search;' if city else "(.country;)->.search;"
    tags = category_filter(search.query)
    return (
        f"[out:json][timeout:{settings.DISCOVERY_OVERPASS_TIMEOUT}];{country}{area}"
        f'(nwr{tags}["name"](area.search););out center tags {int(search.max_results)};'
    )


def _first(tags: dict[str, str], *names: str) -> str:
    return next((tags[name].strip() for name in names if tags.get(name, "").strip()), "")


def listing_from_element(element: dict[str, Any]) -> Listing:
    tags = element.get("tags") or {}
    street = " ".join(part for part in (_first(tags, "addr:housenumber"), _first(tags, "addr:street")) if part)
    kind = element.get("type", "node")
    category = next(
        (f"{key}={tags[key]}" for key in ("shop", "craft", "office", "amenity", "tourism") if key in tags), ""
    )
    return Listing(
        external_id=f"{kind}/{element.get('id')}",
        name=_first(tags, "name"),
        category=category,
        street=street,
        postal_code=_first(tags, "addr:postcode"),
        city=_first(tags, "addr:city"),
        country=_first(tags, "addr:country"),
        phone=_first(tags, "phone", "contact:phone", "contact:mobile"),
        website=_first(tags, "website", "contact:website", "url"),
        email=_first(tags, "email", "contact:email"),
        opening_hours=_first(tags, "opening_hours"),
        source_url=f"https://www.openstreetmap.org/{kind}/{element.get('id')}",
        raw=element,
    )


class OverpassSource:
    def __init__(self, url: str) -> None:
        self.url = url or settings.DISCOVERY_OVERPASS_URL

    def pages(self, search: Search, cursor: Any) -> Iterator[Page]:
        if cursor == "done":
            return
        response = requests.post(
            self.url,
            data={"data": overpass_query(search)},
            headers={"User-Agent": settings.ENRICHMENT_USER_AGENT},
            timeout=settings.DISCOVERY_OVERPASS_TIMEOUT + 10,
        )
        response.raise_for_status()
        elements = response.json().get("elements", [])
        listings = [listing_from_element(element) for element in elements]
        if search.postal_codes:
            wanted = {code.replace(" ", "").upper().removeprefix("L-") for code in search.postal_codes}
            listings = [
                item for item in listings if item.postal_code.replace(" ", "").upper().removeprefix("L-") in wanted
            ]
        yield Page(listings=listings, cursor=None)
