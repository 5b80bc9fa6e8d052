"""Domain-name normalization: the single definition of what a prospect's domain looks like when stored.

`HTTPS://WWW.Example.LU:443/path?q` and `example.lu` are the same prospect, so everything that writes or
looks up a domain goes through `normalize_domain`.
"""

from __future__ import annotations

import functools
import re
from functools import lru_cache
from urllib.parse import urlsplit

import idna
import tldextract

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_WWW_PREFIX_RE = re.compile(r"^www\d?\.")


class InvalidDomainError(ValueError):
    """The value cannot be turned into a registrable-looking domain name."""


@lru_cache(maxsize=16384)  # imports normalize each domain several times (parse, save, lookup)
def normalize_domain(value: str) -> str:
    """Return the canonical form of a domain or URL: lowercase, punycode, no scheme/www/port/path.

    Raises InvalidDomainError with a human-readable reason when the value is not a domain name.
    """
    raw = (value or "").strip()
    if not raw:
        raise InvalidDomainError("Domain name is empty.")
    if any(ch.isspace() for ch in raw):
        raise InvalidDomainError(f"“{raw}” contains spaces.")
    if "@" in raw and "://" not in raw:
        raise InvalidDomainError(f"“{raw}” looks like an e-mail address, not a domain name.")
    candidate = raw if "://" in raw or raw.startswith("//") else f"//{raw}"
    try:
        host = urlsplit(candidate).hostname or ""
    except ValueError as exc:
        raise InvalidDomainError(f"“{raw}” is not a valid domain or URL ({exc}).") from exc
    host = host.rstrip(".")
    if not host:
        raise InvalidDomainError(f"“{raw}” has no host name.")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise InvalidDomainError(f"“{raw}” is not a valid internationalized domain name ({exc}).") from exc
    host = host.lower()
    stripped = _WWW_PREFIX_RE.sub("", host, count=1)
    if "." in stripped:
        host = stripped
    if len(host) > 253:
        raise InvalidDomainError(f"“{raw}” is longer than 253 characters.")
    labels = host.split(".")
    if len(labels) < 2:
        raise InvalidDomainError(f"“{raw}” has no top-level domain (expected something like example.lu).")
    if any(not _LABEL_RE.match(label) for label in labels):
        raise InvalidDomainError(
            f"“{raw}” contains an invalid label (letters, digits and inner hyphens only, 1-63 characters)."
        )
    for label in labels:
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError) as exc:
                raise InvalidDomainError(f"“{raw}” contains an invalid label (bad punycode: {exc}).") from exc
    if labels[-1].isdigit():
        raise InvalidDomainError(f"“{raw}” is an IP address, not a domain name.")
    return host


def domain_for_display(domain: str) -> str:
    """Unicode form of a stored (punycode) domain, for people."""
    try:
        return idna.decode(domain)
    except idna.IDNAError:
        return domain


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # No suffix list URLs and no cache directory: the snapshot bundled with the package, offline, always.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


@lru_cache(maxsize=16384)
def registrable_domain(domain: str) -> str:
    """`shop.example.lu` → `example.lu`, `www.bbc.co.uk` → `bbc.co.uk` (the domain itself when unknown)."""
    parts = _extractor()(domain)
    return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else domain
