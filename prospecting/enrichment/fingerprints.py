"""Technology detection from Wappalyzer-format fingerprints (data/webappanalyzer, GPL-3.0), matched on
what one static fetch gives: headers, cookies, meta tags, script URLs, inline scripts, HTML, URL and the
TLS certificate issuer. `js` and `dom` patterns need a browser and are not used.

Compiled once per process. Each regex carries a literal that must occur for it to match (when one can be
derived), checked with a plain substring test first: most of the 7,500 technologies are ruled out
without running a regex, which keeps a page to a few milliseconds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import ahocorasick

from prospecting.core.caching import once

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_FINGERPRINT_DIR = DATA_DIR / "webappanalyzer"
FINGERPRINT_FILES = ["categories.json", *[f"technologies/{letter}.json" for letter in "_abcdefghijklmnopqrstuvwxyz"]]


def fingerprint_dir() -> Path:
    """The newest fingerprints: a snapshot fetched by `update_fingerprints`, else the shipped copy."""
    from django.conf import settings

    updated = Path(settings.FINGERPRINTS_DIR)
    return updated if (updated / "categories.json").is_file() else SHIPPED_FINGERPRINT_DIR


HTML_HEAD_BYTES = 60_000
HTML_TAIL_BYTES = 15_000

_META_RE = re.compile(r"<meta\s[^>]*?>", re.IGNORECASE | re.DOTALL)
_ATTR_RE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_SCRIPT_SRC_RE = re.compile(r"""<script\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


@dataclass
class _Pattern:
    regex: re.Pattern[str] | None  # None: presence is enough (empty pattern)
    literals: tuple[str, ...]  # lower-case; a match needs one of them in the text ( (): no prefilter)
    version: str
    confidence: int

    def search(self, value: str, value_lower: str) -> re.Match[str] | bool | None:
        if self.literals and not any(literal in value_lower for literal in self.literals):
            return None
        if self.regex is None:
            return True
        return self.regex.search(value)


@dataclass
class Technology:
    name: str
    categories: list[int]
    website: str
    patterns: dict[str, Any]  # kind -> list[_Pattern] or dict[key, list[_Pattern]]
    implies: list[tuple[str, int]]
    requires: list[str]
    requires_category: list[int]
    excludes: list[str]


@dataclass
class Detection:
    name: str
    categories: list[str]
    version: str = ""
    confidence: int = 0
    implied_by: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "categories": self.categories,
            "version": self.version,
            "confidence": min(100, self.confidence),
            **({"implied_by": self.implied_by} if self.implied_by else {}),
        }


@dataclass
class PageSignals:
    """What the matcher looks at, extracted once per page."""

    url: str
    headers: dict[str, str]  # lower-case names
    cookies: dict[str, str]
    html: str
    cert_issuer: str = ""
    meta: dict[str, list[str]] = field(default_factory=dict)
    script_srcs: list[str] = field(default_factory=list)
    scripts: str = ""
    dns: dict[str, list[str]] = field(default_factory=dict)  # record type -> values

    @classmethod
    def from_page(
        cls,
        *,
        url: str,
        headers: dict[str, str],
        cookies: dict[str, str],
        html: str,
        cert_issuer: str = "",
        dns: dict[str, list[str]] | None = None,
    ) -> PageSignals:
        if len(html) > HTML_HEAD_BYTES + HTML_TAIL_BYTES:
            html = html[:HTML_HEAD_BYTES] + "\n" + html[-HTML_TAIL_BYTES:]
        meta: dict[str, list[str]] = {}
        for tag in _META_RE.findall(html):
            attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in _ATTR_RE.finditer(tag)}
            key = attrs.get("name") or attrs.get("property") or attrs.get("http-equiv")
            if key and "content" in attrs:
                meta.setdefault(key.lower(), []).append(attrs["content"])
        srcs = _SCRIPT_SRC_RE.findall(html)
        inline = [
            body for attrs_text, body in _SCRIPT_RE.findall(html) if "src" not in attrs_text.lower() and body.strip()
        ]
        return cls(
            url=url,
            headers={k.lower(): v for k, v in headers.items()},
            cookies=cookies,
            html=html,
            cert_issuer=cert_issuer,
            meta=meta,
            script_srcs=srcs,
            scripts="\n".join(inline)[:200_000],
            dns={record_type.upper(): values for record_type, values in (dns or {}).items()},
        )


# --- compiling the fingerprints ---------------------------------------------------------------------------

_REGEX_META = set(".^$*+?{}[]\\|()")


def _required_literal(pattern: str) -> str:
    """The longest run of literal characters that every match must contain ("" when unsure)."""
    if len(_split_top_level(pattern)) > 1:
        return ""
    best, current, depth, i = "", "", 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if depth == 0 and nxt in _REGEX_META | {
                "/",
                "-",
                "'",
                '"',
                " ",
                ":",
                "=",
                "@",
                "#",
                "&",
                "%",
                "!",
                ",",
                "<",
                ">",
            }:
                current += nxt
                i += 2
                current = _drop_if_quantified(pattern, i, current)
                best = max(best, current, key=len)
                continue
            best, current = max(best, current, key=len), ""
            i += 2
            continue
        if ch in "([":
            best, current = max(best, current, key=len), ""
            if ch == "[":
                close = pattern.find("]", i + 2)
                i = close + 1 if close > 0 else len(pattern)
                i = _skip_quantifier(pattern, i)
                continue
            depth += 1
            i += 1
            continue
        if ch == ")":
            depth -= 1
            i = _skip_quantifier(pattern, i + 1)
            best, current = max(best, current, key=len), ""
            continue
        if depth > 0:
            i += 1
            continue
        if ch in _REGEX_META:
            best, current = max(best, current, key=len), ""
            i += 1
            continue
        current += ch
        i += 1
        current = _drop_if_quantified(pattern, i, current)
        best = max(best, current, key=len)
    best = max(best, current, key=len)
    return best.lower() if len(best) >= 2 else ""


def _split_top_level(pattern: str) -> list[str]:
    """`a|b(c|d)|e` -> ["a", "b(c|d)", "e"]."""
    cuts = [i for i, ch, depth in _structure(pattern) if ch == "|" and depth == 0]
    bounds = [-1, *cuts, len(pattern)]
    return [pattern[start + 1 : end] for start, end in pairwise(bounds)]


def _unwrap_group(pattern: str) -> str:
    """`^(?:a|b)$` -> `a|b` when one non-capturing group spans the whole pattern."""
    inner = pattern.removeprefix("^").removesuffix("$")
    if inner.startswith("(?:") and inner.endswith(")"):
        first_close = next((i for i, ch, depth in _structure(inner) if ch == ")" and depth == 0), -1)
        if first_close == len(inner) - 1:
            return inner[3:-1]
    return pattern


def _prefilter_literals(pattern: str) -> tuple[str, ...]:
    """Substrings of which at least one occurs in any text the pattern matches; () when none can be
    derived. Each top-level alternative must contribute a literal, or no prefilter is possible."""
    literals = []
    for alternative in _split_top_level(_unwrap_group(pattern)):
        literal = _required_literal(alternative)
        if not literal:
            return ()
        literals.append(literal)
    return tuple(dict.fromkeys(literals))


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth) of each structural character: escapes and [classes] are skipped."""
    depth, i = 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            close = pattern.find("]", i + 2)
            i = close + 1 if close > 0 else len(pattern)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        yield i, ch, depth
        i += 1


def _skip_quantifier(pattern: str, i: int) -> int:
    if i < len(pattern) and pattern[i] in "?*+":
        i += 1
        if i < len(pattern) and pattern[i] == "?":
            i += 1
    elif i < len(pattern) and pattern[i] == "{":
        close = pattern.find("}", i)
        i = close + 1 if close > 0 else i
    return i


def _drop_if_quantified(pattern: str, i: int, current: str) -> str:
    """A literal followed by ?, * or {0,...} is optional: it cannot be part of the required run."""
    if i < len(pattern) and (pattern[i] in "?*" or pattern.startswith("{0", i)):
        return ""
    if i < len(pattern) and pattern[i] in "+{":
        return current  # one occurrence is still required; the run ends here
    return current


_JS_NAMED_GROUP = re.compile(r"\(\?<(?![=!])(\w+)>")


def _compile(raw: str, flags: int = 0) -> _Pattern | None:
    parts = raw.split("\\;")
    expression, version, confidence = parts[0], "", 100
    for tag in parts[1:]:
        key, _, value = tag.partition(":")
        if key == "version":
            version = value
        elif key == "confidence":
            try:
                confidence = int(value)
            except ValueError:
                confidence = 100
    if not expression:
        return _Pattern(regex=None, literals=(), version=version, confidence=confidence)
    expression = _JS_NAMED_GROUP.sub(r"(?P<\1>", expression).replace("\\/", "/")
    try:
        regex = re.compile(expression, re.IGNORECASE | flags)
    except (re.error, OverflowError, RecursionError):
        return None
    return _Pattern(regex=regex, literals=_prefilter_literals(expression), version=version, confidence=confidence)


def _compile_list(value: Any, flags: int = 0) -> list[_Pattern]:
    items = value if isinstance(value, list) else [value]
    return [p for p in (_compile(str(item), flags) for item in items) if p is not None]


def _compile_map(value: Any) -> dict[str, list[_Pattern]]:
    if not isinstance(value, dict):
        return {}
    return {str(key).lower(): _compile_list(pattern) for key, pattern in value.items()}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _load_raw() -> tuple[dict[str, dict], dict[int, str]]:
    technologies: dict[str, dict] = {}
    folder = fingerprint_dir()
    for path in sorted((folder / "technologies").glob("*.json")):
        technologies.update(json.loads(path.read_text(encoding="utf-8")))
    extra = json.loads((DATA_DIR / "extra_technologies.json").read_text(encoding="utf-8"))
    for name, spec in extra.items():
        if name.startswith("_"):
            continue
        target = technologies.setdefault(name, {"cats": spec.get("cats", []), "website": spec.get("website", "")})
        for key, value in spec.items():
            if key in {"cats", "website"}:
                continue
            if isinstance(value, dict):
                target[key] = {**target.get(key, {}), **value}
            else:
                target[key] = _as_list(target.get(key)) + _as_list(value)
    categories = {
        int(key): value["name"]
        for key, value in json.loads((folder / "categories.json").read_text(encoding="utf-8")).items()
    }
    return technologies, categories


_LIST_KINDS = ("scriptSrc", "scripts", "html", "url", "certIssuer", "text")
_MAP_KINDS = ("headers", "cookies", "meta", "dns")
_SIGNAL_OF_KIND = {
    "scriptSrc": "srcs",
    "scripts": "scripts",
    "html": "html",
    "text": "html",
    "url": "url",
    "certIssuer": "issuer",
}


@dataclass
class FingerprintSet:
    technologies: dict[str, Technology]
    categories: dict[int, str]
    by_signal: dict[str, list[tuple[str, _Pattern]]] = field(default_factory=dict)
    by_header: dict[str, list[tuple[str, _Pattern]]] = field(default_factory=dict)
    by_meta: dict[str, list[tuple[str, _Pattern]]] = field(default_factory=dict)
    by_cookie: dict[str, list[tuple[str, _Pattern]]] = field(default_factory=dict)
    by_dns: dict[str, list[tuple[str, _Pattern]]] = field(default_factory=dict)
    cookie_regexes: list[tuple[re.Pattern[str], str, list[_Pattern]]] = field(default_factory=list)
    automata: dict[str, Any] = field(default_factory=dict)
    unfiltered: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Index every pattern by the signal it reads, so a page only meets the patterns that can apply."""
        for tech in self.technologies.values():
            for kind, signal in _SIGNAL_OF_KIND.items():
                for pattern in tech.patterns.get(kind, ()):
                    self.by_signal.setdefault(signal, []).append((tech.name, pattern))
            for header, patterns in tech.patterns.get("headers", {}).items():
                self.by_header.setdefault(header, []).extend((tech.name, p) for p in patterns)
            for meta, patterns in tech.patterns.get("meta", {}).items():
                self.by_meta.setdefault(meta, []).extend((tech.name, p) for p in patterns)
            for record_type, patterns in tech.patterns.get("dns", {}).items():
                self.by_dns.setdefault(record_type.upper(), []).extend((tech.name, p) for p in patterns)
            for cookie, patterns in tech.patterns.get("cookies", {}).items():
                if any(ch in cookie for ch in "[]*+?\\"):
                    try:
                        self.cookie_regexes.append((re.compile(f"^{cookie}$", re.IGNORECASE), tech.name, patterns))
                    except re.error:
                        continue
                else:
                    self.by_cookie.setdefault(cookie, []).extend((tech.name, p) for p in patterns)
        # One Aho-Corasick automaton per signal finds, in a single pass over the text, which literals occur;
        # only the patterns behind those literals (and the few without any) run their regex.
        for signal, entries in self.by_signal.items():
            automaton = ahocorasick.Automaton()
            literal_index: dict[str, list[int]] = {}
            unfiltered = []
            for position, (_name, pattern) in enumerate(entries):
                if not pattern.literals:
                    unfiltered.append(position)
                for literal in pattern.literals:
                    literal_index.setdefault(literal, []).append(position)
            for literal, positions in literal_index.items():
                automaton.add_word(literal, positions)
            if literal_index:
                automaton.make_automaton()
                self.automata[signal] = automaton
            self.unfiltered[signal] = unfiltered

    def _candidates(self, signal: str, value_lower: str) -> list[int]:
        positions = set(self.unfiltered.get(signal, ()))
        automaton = self.automata.get(signal)
        if automaton is not None:
            for _end, found in automaton.iter(value_lower):
                positions.update(found)
        return sorted(positions)

    def detect(self, page: PageSignals) -> list[Detection]:
        found: dict[str, Detection] = {}
        values = {
            "srcs": "\n".join(page.script_srcs),
            "scripts": page.scripts,
            "html": page.html,
            "url": page.url,
            "issuer": page.cert_issuer,
        }

        def hit(name: str, pattern: _Pattern, match: re.Match[str] | bool) -> None:
            detection = found.get(name)
            if detection is None:
                tech = self.technologies[name]
                detection = found[name] = Detection(name, [self.categories.get(c, str(c)) for c in tech.categories])
            detection.confidence += pattern.confidence
            if pattern.version and isinstance(match, re.Match):
                version = _resolve_version(pattern.version, match)
                if version and len(version) > len(detection.version):
                    detection.version = version

        for signal, value in values.items():
            if not value:
                continue
            entries = self.by_signal.get(signal, [])
            for position in self._candidates(signal, value.lower()):
                name, pattern = entries[position]
                match = pattern.regex.search(value) if pattern.regex is not None else True
                if match:
                    hit(name, pattern, match)
        for header, value in page.headers.items():
            for name, pattern in self.by_header.get(header, ()):
                match = pattern.search(value, value.lower())
                if match:
                    hit(name, pattern, match)
        for meta, contents in page.meta.items():
            for name, pattern in self.by_meta.get(meta, ()):
                for content in contents:
                    match = pattern.search(content, content.lower())
                    if match:
                        hit(name, pattern, match)
        for record_type, records in page.dns.items():
            for name, pattern in self.by_dns.get(record_type, ()):
                for record in records:
                    match = pattern.search(record, record.lower())
                    if match:
                        hit(name, pattern, match)
        for cookie, value in page.cookies.items():
            entries = list(self.by_cookie.get(cookie.lower(), ()))
            entries += [
                (name, p) for regex, name, patterns in self.cookie_regexes if regex.match(cookie) for p in patterns
            ]
            for name, pattern in entries:
                match = pattern.search(value, value.lower())
                if match:
                    hit(name, pattern, match)
        self._apply_relations(found)
        return sorted(found.values(), key=lambda d: (-min(100, d.confidence), d.name))

    def _apply_relations(self, found: dict[str, Detection]) -> None:
        queue = list(found)
        while queue:
            name = queue.pop()
            tech = self.technologies.get(name)
            if tech is None:
                continue
            for implied, confidence in tech.implies:
                target = self.technologies.get(implied)
                if target is None:
                    continue
                if implied not in found:
                    found[implied] = Detection(implied, [self.categories.get(c, str(c)) for c in target.categories])
                    queue.append(implied)
                detection = found[implied]
                detection.confidence = max(detection.confidence, min(confidence, found[name].confidence))
                if name not in detection.implied_by:
                    detection.implied_by.append(name)
        detected_categories = {c for name in found for c in self.technologies[name].categories}
        for name in list(found):
            tech = self.technologies[name]
            missing_requirement = tech.requires and not any(required in found for required in tech.requires)
            missing_category = tech.requires_category and not detected_categories.intersection(tech.requires_category)
            if missing_requirement or missing_category:
                del found[name]
        for name in list(found):
            for excluded in self.technologies[name].excludes if name in found else ():
                found.pop(excluded, None)


_TERNARY = re.compile(r"\\(\d)\?([^:]*):(.*)")


def _resolve_version(template: str, match: re.Match[str]) -> str:
    def group(index: int) -> str:
        try:
            return match.group(index) or ""
        except IndexError:
            return ""

    ternary = _TERNARY.fullmatch(template)
    if ternary:
        return ternary.group(2) if group(int(ternary.group(1))) else ternary.group(3)
    return re.sub(r"\\(\d)", lambda m: group(int(m.group(1))), template).strip()


@once
def fingerprint_set() -> FingerprintSet:
    """The compiled fingerprints (under a second, once per process)."""
    raw, categories = _load_raw()
    technologies = {}
    for name, spec in raw.items():
        patterns: dict[str, Any] = {}
        for kind in _LIST_KINDS:
            if kind in spec:
                # Script URLs are matched one per line, so ^ and $ anchor to each URL.
                compiled = _compile_list(spec[kind], re.MULTILINE if kind == "scriptSrc" else 0)
                if compiled:
                    patterns["html" if kind == "text" else kind] = (
                        patterns.get("html" if kind == "text" else kind, []) + compiled
                    )
        for kind in _MAP_KINDS:
            if kind in spec:
                patterns[kind] = _compile_map(spec[kind])
        implies = []
        for item in _as_list(spec.get("implies")):
            implied_name, _, tags = item.partition("\\;")
            confidence = int(tags.split(":")[1]) if tags.startswith("confidence:") else 100
            implies.append((implied_name, confidence))
        technologies[name] = Technology(
            name=name,
            categories=[int(c) for c in spec.get("cats", [])],
            website=spec.get("website", ""),
            patterns=patterns,
            implies=implies,
            requires=_as_list(spec.get("requires")),
            requires_category=[int(c) for c in (spec.get("requiresCategory") or [])]
            if isinstance(spec.get("requiresCategory"), list)
            else ([int(spec["requiresCategory"])] if spec.get("requiresCategory") else []),
            excludes=_as_list(spec.get("excludes")),
        )
    return FingerprintSet(technologies=technologies, categories=categories)
