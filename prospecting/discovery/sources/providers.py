"""Key-based data providers: Google Places (text search) and a Hunter-style e-mail finder.

Both are plain HTTPS JSON APIs; their base URLs are settings (or the source's own), so tests point them at
fake servers on 127.0.0.1. Keys are read from the source (stored encrypted) and never logged or shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from prospecting.discovery.sources.base import Listing, Page, Search, SourceStopped

PRICE_LEVELS = {
    "PRICE_LEVEL_FREE": 0,
    "PRICE_LEVEL_INEXPENSIVE": 1,
    "PRICE_LEVEL_MODERATE": 2,
    "PRICE_LEVEL_EXPENSIVE": 3,
    "PRICE_LEVEL_VERY_EXPENSIVE": 4,
}
PLACES_FIELDS = ",".join(
    [
        "places.id",
        "places.displayName",
        "places.formattedAddress",
        "places.addressComponents",
        "places.nationalPhoneNumber",
        "places.internationalPhoneNumber",
        "places.websiteUri",
        "places.rating",
        "places.userRatingCount",
        "places.priceLevel",
        "places.primaryType",
        "places.googleMapsUri",
        "nextPageToken",
    ]
)


def _component(place: dict[str, Any], kind: str, *, short: bool = False) -> str:
    for component in place.get("addressComponents") or []:
        if kind in (component.get("types") or []):
            first, second = ("shortText", "longText") if short else ("longText", "shortText")
            return component.get(first) or component.get(second) or ""
    return ""


def listing_from_place(place: dict[str, Any]) -> Listing:
    street = " ".join(part for part in (_component(place, "street_number"), _component(place, "route")) if part)
    return Listing(
        external_id=place.get("id", ""),
        name=(place.get("displayName") or {}).get("text", ""),
        category=place.get("primaryType", ""),
        street=street or (place.get("formattedAddress") or "").split(",")[0],
        postal_code=_component(place, "postal_code"),
        city=_component(place, "locality"),
        country=_component(place, "country", short=True),
        phone=place.get("internationalPhoneNumber") or place.get("nationalPhoneNumber") or "",
        website=place.get("websiteUri", ""),
        rating=place.get("rating"),
        review_count=place.get("userRatingCount"),
        price_level=PRICE_LEVELS.get(place.get("priceLevel", "")),
        source_url=place.get("googleMapsUri", ""),
        raw=place,
    )


def _provider_error(response: requests.Response, provider: str) -> SourceStopped:
    try:
        message = response.json().get("error", {}).get("message", "")
    except ValueError:
        message = ""
    return SourceStopped(f"{provider} answered {response.status_code}{': ' + message if message else ''}.")


class GooglePlacesSource:
    def __init__(self, url: str, api_key: str) -> None:
        if not api_key:
            raise SourceStopped("Google Places needs an API key: set it on the source in the admin.")
        self.url = (url or settings.DISCOVERY_PLACES_URL).rstrip("/") + "/v1/places:searchText"
        self.api_key = api_key

    def pages(self, search: Search, cursor: Any) -> Iterator[Page]:
        token = cursor
        found = 0
        while True:
            body: dict[str, Any] = {
                "textQuery": f"{search.query} in {search.city or ''} {search.country}".replace("  ", " "),
                "pageSize": min(20, max(1, search.max_results - found)),
            }
            if token:
                body["pageToken"] = token
            response = requests.post(
                self.url,
                json=body,
                headers={"X-Goog-Api-Key": self.api_key, "X-Goog-FieldMask": PLACES_FIELDS},
                timeout=30,
            )
            if response.status_code != 200:
                raise _provider_error(response, "Google Places")
            data = response.json()
            listings = [listing_from_place(place) for place in data.get("places", [])]
            found += len(listings)
            token = data.get("nextPageToken")
            more = bool(token) and found < search.max_results and listings
            yield Page(listings=listings, cursor=token if more else None)
            if not more:
                return


@dataclass
class FoundEmail:
    value: str
    confidence: int | None
    kind: str  # personal or generic
    name: str
    position: str


def email_finder_search(*, url: str, api_key: str, domain: str) -> list[FoundEmail]:
    """The e-mail addresses a Hunter-style domain search knows for `domain`."""
    if not api_key:
        raise SourceStopped("The e-mail finder needs an API key: set it on the source in the admin.")
    response = requests.get(
        (url or settings.DISCOVERY_EMAIL_FINDER_URL).rstrip("/") + "/v2/domain-search",
        params={"domain": domain, "api_key": api_key, "limit": 10},
        timeout=30,
    )
    if response.status_code != 200:
        raise _provider_error(response, "The e-mail finder")
    emails = (response.json().get("data") or {}).get("emails") or []
    return [
        FoundEmail(
            value=item.get("value", ""),
            confidence=item.get("confidence"),
            kind=item.get("type", ""),
            name=" ".join(part for part in (item.get("first_name"), item.get("last_name")) if part),
            position=item.get("position") or "",
        )
        for item in emails
        if item.get("value")
    ]
