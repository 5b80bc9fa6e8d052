"""What every discovery source gives back: listings, one page at a time, with a cursor to go on from."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass
class Listing:
    """One business as a source describes it (fields it lacks stay empty)."""

    external_id: str = ""
    name: str = ""
    category: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    phone: str = ""
    website: str = ""
    email: str = ""
    opening_hours: str = ""
    rating: float | None = None
    review_count: int | None = None
    price_level: int | None = None
    source_url: str = ""
    raw: dict[str, Any] = field(default_factory=dict)  # the source's own record, kept as found

    def data_hash(self) -> str:
        """Identity of the listing within its source: its id there, else its name, place and website."""
        identity = self.external_id or "|".join(
            value.strip().casefold() for value in (self.name, self.postal_code, self.city, self.website)
        )
        return hashlib.sha256(identity.encode()).hexdigest()

    def fields(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if key != "raw"}


@dataclass(frozen=True)
class Search:
    query: str
    city: str = ""
    country: str = "LU"
    postal_codes: tuple[str, ...] = ()
    max_results: int = 100


@dataclass
class Page:
    listings: list[Listing]
    cursor: Any = None  # where the next page starts; None: this was the last one
    calls: int = 1  # provider calls it cost


class SourceStopped(Exception):
    """The source cannot go on now; the message says why and what to do."""


class SourceAdapter(Protocol):
    def pages(self, search: Search, cursor: Any) -> Iterator[Page]: ...


def compact_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
