"""Rendering templates: placeholders in both spellings (`{business_name}`, `{{ business_name }}`), replaced by
plain values only. No expression language: a placeholder is a bare name from a known list, so there is no
attribute, index or method access to abuse (`{{ prospect.__class__ }}` is refused, naming it).

Pure: no database, no network.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

BUILTIN_PLACEHOLDERS = {
    "business_name": "The business name (else the domain)",
    "domain": "The domain name",
    "city": "The city",
    "score": "The opportunity score, 0-100",
    "lead_tier": "The lead tier, in the template's language",
    "issues": "The main problems found on the website, in the template's language",
    "contact_name": "The contact person's name (else a word that fits after a greeting)",
    "sender_name": "The name of the person or account sending",
    "unsubscribe_url": "The link that unsubscribes the recipient",
}

# {{ anything }} first, then {anything}: the inside must be a bare known name.
_PLACEHOLDER = re.compile(r"\{\{(?P<double>[^{}]*)\}\}|\{(?P<single>[^{}]*)\}")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


class TemplateError(ValueError):
    """A template that cannot be rendered safely; the message names the bad placeholder."""

    def __init__(self, message: str, placeholders: list[str]) -> None:
        super().__init__(message)
        self.placeholders = placeholders


def placeholders_in(text: str) -> list[tuple[str, str]]:
    """(as written, name inside) for every placeholder in `text`, in order."""
    found = []
    for match in _PLACEHOLDER.finditer(text or ""):
        inner = match.group("double") if match.group("double") is not None else match.group("single")
        found.append((match.group(0), inner.strip()))
    return found


def template_check(texts: Iterable[str], allowed: Iterable[str]) -> None:
    """Raise TemplateError naming every placeholder that is not a bare, known name."""
    known = set(allowed)
    bad: list[str] = []
    for text in texts:
        for written, name in placeholders_in(text):
            if not (_NAME.match(name) and name in known) and written not in bad:
                bad.append(written)
    if bad:
        listed = ", ".join(bad)
        raise TemplateError(
            f"Unknown placeholder{'s' if len(bad) > 1 else ''}: {listed}. "
            f"Use only: {', '.join('{' + name + '}' for name in sorted(known))}.",
            bad,
        )


def render(text: str, values: Mapping[str, str], *, escape: bool = False) -> str:
    """Replace each placeholder with its value (HTML-escaped when `escape`); a placeholder without a value
    raises TemplateError (templates are checked when saved, so this means the list changed since)."""

    def replace(match: re.Match[str]) -> str:
        inner = (match.group("double") if match.group("double") is not None else match.group("single")).strip()
        if inner not in values:
            raise TemplateError(f"Unknown placeholder: {match.group(0)}", [match.group(0)])
        value = str(values[inner])
        return html.escape(value) if escape else value

    return _PLACEHOLDER.sub(replace, text or "")


def links_in_text(text: str) -> list[str]:
    """The http(s) URLs of a plain-text body, in order, each once."""
    seen: dict[str, None] = {}
    for url in _URL.findall(text or ""):
        seen.setdefault(url.rstrip(".,;:!?"), None)
    return list(seen)


def links_rewrite(text: str, replacement: Mapping[str, str]) -> str:
    """Replace each URL of `replacement` in a plain-text body."""

    def swap(match: re.Match[str]) -> str:
        url = match.group(0)
        stripped = url.rstrip(".,;:!?")
        tail = url[len(stripped) :]
        return replacement.get(stripped, stripped) + tail

    return _URL.sub(swap, text or "")


_HREF = re.compile(r"""(?P<before>\bhref\s*=\s*)(?P<quote>["'])(?P<url>https?://[^"']+)(?P=quote)""", re.IGNORECASE)


def html_links(markup: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in _HREF.finditer(markup or ""):
        seen.setdefault(html.unescape(match.group("url")), None)
    return list(seen)


def html_links_rewrite(markup: str, replacement: Mapping[str, str]) -> str:
    def swap(match: re.Match[str]) -> str:
        url = html.unescape(match.group("url"))
        new = replacement.get(url, url)
        return f"{match.group('before')}{match.group('quote')}{html.escape(new)}{match.group('quote')}"

    return _HREF.sub(swap, markup or "")
