"""Web directories defined in the admin, not in code: a search URL, pagination and CSS selectors.

Selectors are written by users, so they are applied with beautifulsoup4's selector engine (soupsieve: the
fullest CSS selector support in Python), over the lxml parser. Pages are fetched through the safe fetcher
(SSRF guard, timeouts, size limit), one at a time with a politeness delay, and only where robots.txt allows.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus, urljoin
from urllib.robotparser import RobotFileParser

from bs4 import BeautifulSoup, Tag
from django.conf import settings

from prospecting.core.fetch import FetchError, default_fetcher
from prospecting.discovery.sources.base import Listing, Page, Search, SourceStopped

LISTING_FIELDS = [
    "external_id",
    "name",
    "category",
    "street",
    "postal_code",
    "city",
    "phone",
    "website",
    "email",
    "opening_hours",
    "source_url",
]


class DirectoryConfigError(ValueError):
    """The source's definition cannot be used; the message names what to fix."""


def directory_config_check(config: dict[str, Any]) -> None:
    """Refuse a definition that cannot work, naming the field (admin form and API)."""
    if "{query}" not in str(config.get("search_url", "")):
        raise DirectoryConfigError("search_url must contain {query} (and may contain {city} and {page}).")
    if not config.get("listing"):
        raise DirectoryConfigError("listing: give the CSS selector of one listing.")
    fields = config.get("fields") or {}
    if not isinstance(fields, dict) or "name" not in fields:
        raise DirectoryConfigError("fields must map at least name to a CSS selector.")
    unknown = set(fields) - set(LISTING_FIELDS)
    if unknown:
        raise DirectoryConfigError(f"Unknown fields {', '.join(sorted(unknown))}; use {', '.join(LISTING_FIELDS)}.")
    soup = BeautifulSoup("<div></div>", "lxml")
    for name, selector in [("listing", config["listing"]), *fields.items(), ("next_page", config.get("next_page"))]:
        css = (selector or "").partition("@")[0].strip()
        if css:
            try:
                soup.select(css)
            except Exception as exc:  # soupsieve raises SelectorSyntaxError with the position
                raise DirectoryConfigError(f"{name}: {css!r} is not a valid CSS selector ({exc}).") from exc


def _value(item: Tag, spec: str, base_url: str) -> str:
    """`selector` (its text), `selector@attribute`, or `@attribute` of the listing itself."""
    css, _, attribute = spec.partition("@")
    target = item.select_one(css.strip()) if css.strip() else item
    if target is None:
        return ""
    if attribute:
        value = str(target.get(attribute.strip()) or "").strip()
        if attribute.strip() in {"href", "src"} and value:
            value = value.removeprefix("mailto:").removeprefix("tel:")
            if "@" not in value and not value.startswith("+"):
                value = urljoin(base_url, value)
        return value
    return " ".join(target.get_text(" ").split())


def listings_from_page(html: str, config: dict[str, Any], page_url: str) -> tuple[list[Listing], str | None]:
    """The listings of one directory page and the URL of the next page (when the definition says how)."""
    soup = BeautifulSoup(html, "lxml")
    listings = []
    for item in soup.select(config["listing"]):
        values = {name: _value(item, spec, page_url) for name, spec in config["fields"].items()}
        if not values.get("name"):
            continue
        raw = {"html": str(item)[:20_000], "fields": values, "page": page_url}
        listings.append(Listing(**{name: values.get(name, "") for name in LISTING_FIELDS}, raw=raw))
    next_url = None
    if config.get("next_page"):
        link = _value(soup, config["next_page"], page_url) if "@" in config["next_page"] else None
        next_url = link or None
    return listings, next_url


class DirectorySource:
    def __init__(self, config: dict[str, Any]) -> None:
        directory_config_check(config)
        self.config = config
        self.fetcher = default_fetcher()
        self.robots: dict[str, RobotFileParser] = {}

    def _allowed(self, url: str) -> bool:
        root = urljoin(url, "/")
        if root not in self.robots:
            parser = RobotFileParser()
            try:
                result = self.fetcher.fetch(urljoin(root, "robots.txt"))
                parser.parse(result.text.splitlines() if result.status_code == 200 else [])
            except FetchError:
                parser.parse([])
            self.robots[root] = parser
        return self.robots[root].can_fetch(settings.ENRICHMENT_USER_AGENT, url)

    def _url(self, search: Search, page: int) -> str:
        return self.config["search_url"].format(query=quote_plus(search.query), city=quote_plus(search.city), page=page)

    def pages(self, search: Search, cursor: Any) -> Iterator[Page]:
        first = int(self.config.get("first_page", 1))
        last = first + int(self.config.get("max_pages", 20)) - 1
        page_number, url = (first, self._url(search, first)) if cursor is None else cursor
        while url and page_number <= last:
            if not self._allowed(url):
                raise SourceStopped(f"robots.txt of {urljoin(url, '/')} does not allow {url}.")
            try:
                result = self.fetcher.fetch(url)
            except FetchError as exc:
                raise SourceStopped(f"{url} could not be read ({exc.kind}: {exc}).") from exc
            if result.status_code >= 400:
                raise SourceStopped(f"{url} answered {result.status_code}.")
            listings, next_url = listings_from_page(result.text, self.config, result.url)
            if not next_url and "{page}" in self.config["search_url"] and listings:
                next_url = self._url(search, page_number + 1)
            following = (page_number + 1, next_url) if next_url and listings and page_number < last else None
            yield Page(listings=listings, cursor=following)
            if following is None:
                return
            page_number, url = following
            time.sleep(settings.DISCOVERY_DIRECTORY_DELAY_SECONDS)
