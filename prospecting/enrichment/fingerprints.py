"""Technology detection from Wappalyzer-format fingerprints (data/webappanalyzer, GPL-3.0), matched on
what one static fetch gives: headers, cookies, meta tags, script URLs, inline scripts, HTML, URL and the
TLS certificate issuer, and:

* `dom` patterns (CSS selectors, with their `exists`, `attributes` and `text` checks) on the page's parsed
  lxml tree (`properties` need a browser and are skipped);
* `js` patterns, approximated without a browser: a global that inline scripts assign, declare, name as a
  string or use as an object counts as present, at half the pattern's confidence; a version only where the
  global is assigned a string literal the pattern can read;
* `scriptSrc` patterns also on the URLs inline code builds or loads (string literals that look like script
  URLs, `<script src>` written by `document.write`), at three quarters of the pattern's confidence.

Compiled once per process. Each regex and selector carries a literal that must occur for it to match (when
one can be derived), found for all of them in one Aho-Corasick pass: most of the 7,500 technologies are
ruled out without running a regex or a selector, which keeps a page to a few milliseconds.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import ahocorasick
from lxml import etree

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
# String literals of inline code that look like script URLs: "//host/x.js", "https://…", ".google-analytics.com/ga.js".
_BUILT_URL_RE = re.compile(r"""(["'])((?:https?:)?//[^"'\s]{3,300}|[^"'\s<>()]{0,300}\.js(?:\?[^"'\s]*)?)\1""")
# host/path.js inside a longer string: document.write(unescape("%3Cscript src='" + h + "google-analytics.com/ga.js'…"))
_BARE_SCRIPT_URL_RE = re.compile(r"(?<![\w.-])(?:https?:)?(?://)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,12}/[\w./%~-]*?\.js\b")
JS_STATIC_CONFIDENCE = 0.5  # a global seen in inline code, not read from a running page
BUILT_URL_CONFIDENCE = 0.75  # a URL inline code builds or loads, not a <script src>


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
    built_srcs: list[str] = field(default_factory=list)  # script URLs inline code builds or loads
    root: Any = None  # the parsed lxml tree, when the caller has one (else parsed on demand for `dom`)
    js_values: dict[str, str] | None = None  # browser mode: `js` key -> its value in the running page
    _html_lower: str | None = None

    @property
    def html_lower(self) -> str:
        if self._html_lower is None:
            self._html_lower = self.html.lower()
        return self._html_lower

    def tree(self) -> Any:
        """The page as an lxml tree (parsed once, only when a `dom` selector may match)."""
        if self.root is None:
            from prospecting.enrichment.extract import parse_html

            self.root = parse_html(self.html)
        return self.root

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
        root: Any = None,
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
        scripts = "\n".join(inline)[:200_000]
        built = [*_SCRIPT_SRC_RE.findall(scripts), *(match[1] for match in _BUILT_URL_RE.findall(scripts))]
        if ".js" in scripts:
            built += _BARE_SCRIPT_URL_RE.findall(scripts)
        return cls(
            url=url,
            headers={k.lower(): v for k, v in headers.items()},
            cookies=cookies,
            html=html,
            cert_issuer=cert_issuer,
            meta=meta,
            script_srcs=srcs,
            scripts=scripts,
            dns={record_type.upper(): values for record_type, values in (dns or {}).items()},
            built_srcs=built,
            root=root,
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
    literals: list[str] = []
    for alternative in _split_top_level(_unwrap_group(pattern)):
        literal = _required_literal(alternative)
        group = _group_literals(alternative)
        if group and min(map(len, group)) > len(literal):  # "<a" is on every page; ("getpelican", ...) is not
            literals.extend(group)
        elif literal:
            literals.append(literal)
        else:
            return ()
    return tuple(dict.fromkeys(literals))


def _group_literals(alternative: str) -> tuple[str, ...]:
    r"""`<[^>]+(?:assets|images)\.(?:ctfassets\.net|contentful\.com)` -> ("ctfassets.net", "contentful.com"):
    a group that every match goes through, each of whose branches has a required literal; of several such
    groups, the one with the longest shortest literal (the rarest on a page)."""
    best: tuple[str, ...] = ()
    opened = -1
    for i, ch, depth in _structure(alternative):
        if ch == "(" and depth == 1:
            opened = i
        elif ch == ")" and depth == 0 and opened >= 0:
            inner, start = alternative[opened + 1 : i], opened
            opened = -1
            following = alternative[i + 1 : i + 3]
            if following[:1] in {"?", "*"} or following.startswith("{0"):
                continue  # an optional group: a match need not contain it
            if inner.startswith("?:"):
                inner = inner[2:]
            elif inner.startswith("?P<"):
                inner = inner[inner.index(">") + 1 :]
            elif inner.startswith("?"):
                continue  # lookaround or flags
            if start and alternative[start - 1] == "\\":
                continue
            branches = [_required_literal(branch) for branch in _split_top_level(inner)]
            if all(len(literal) >= 3 for literal in branches):
                candidate = tuple(dict.fromkeys(branches))
                if not best or min(map(len, candidate)) > min(map(len, best)):
                    best = candidate
    return best


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


@dataclass
class _DomPattern:
    """One `dom` selector of a technology and what its elements must show."""

    css: str
    literals: tuple[str, ...]  # lower-case; one occurs in the HTML of any page the selector matches
    exists: _Pattern | None  # the selector matching is enough (with this confidence)
    attributes: dict[str, _Pattern]
    text: _Pattern | None


_CSS_QUOTED_VALUE = re.compile(r"""\[\s*[\w:-]+\s*[~|^$*]?=\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]+))\s*(?:[is]\s*)?\]""")
_CSS_ATTRIBUTE_NAME = re.compile(r"\[\s*([\w:-]+)")
_CSS_ID_OR_CLASS = re.compile(r"[#.]([\w-]{3,})")
_CSS_TAG = re.compile(r"(?:^|[\s>+~(])([a-z][\w]*-[\w-]+)", re.IGNORECASE)  # custom elements: amp-analytics
_CSS_FLAG = re.compile(r"""(["'])\s+[is]\s*\]""")


def _css_alternatives(selector: str) -> list[str]:
    """`a, b[x='1,2']` -> ["a", "b[x='1,2']"]: commas outside quotes, brackets and parentheses."""
    parts, current, depth, quote = [], [], 0, ""
    for ch in selector:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


# Literals found on most pages: a selector that only has these is better filtered by its other literals.
_COMMON_CSS_LITERALS = frozenset(
    [
        *("stylesheet", "text/css", "text/javascript", "_blank", "noopener", "nofollow", "viewport", "script", "css"),
        *("class", "id", "href", "src", "srcset", "style", "content", "rel", "type", "name", "title", "alt", "lang"),
        *("property", "target", "value", "action", "method", "width", "height", "data-src", "charset", "media"),
    ]
)


def _css_literals(selector: str, checks: list[_Pattern], attribute_names: list[str]) -> tuple[str, ...]:
    """Substrings of which one occurs in the HTML of any page the selector matches; () when unsure.

    Each comma alternative gives its rarest-looking literal (quoted attribute value, `data-*` attribute name,
    id, class, custom element name). When every match also needs one of the checked attributes or the text
    check's literal (no `exists`), those are used instead if they look rarer."""
    by_selector: list[str] = []
    for alternative in _css_alternatives(selector):
        candidates = [(a or b or c).replace("\\", "") for a, b, c in _CSS_QUOTED_VALUE.findall(alternative)]
        candidates += [name for name in _CSS_ATTRIBUTE_NAME.findall(alternative) if len(name) >= 4]
        candidates += _CSS_ID_OR_CLASS.findall(alternative) + _CSS_TAG.findall(alternative)
        candidates = [c.lower() for c in candidates if len(c) >= 2]
        if not candidates:
            by_selector = []
            break
        by_selector.append(max(candidates, key=lambda c: 0 if c in _COMMON_CSS_LITERALS else len(c)))
    by_checks: list[str] = []
    if checks or attribute_names:
        by_checks = [name.lower() for name in attribute_names]
        for check in checks:
            if not check.literals:
                by_checks = []
                break
            by_checks.extend(check.literals)

    def rarity(literals: list[str]) -> int:
        return min((0 if c in _COMMON_CSS_LITERALS else len(c)) for c in literals) if literals else -1

    best = by_checks if rarity(by_checks) > rarity(by_selector) else by_selector
    return tuple(dict.fromkeys(best)) if rarity(best) >= 2 else ()


def _compile_dom(value: Any) -> list[_DomPattern]:
    """`dom`: a selector (or list of them) that must match, or {selector: {exists, attributes, text}}."""
    if isinstance(value, str | list):
        specs = {str(selector): {"exists": ""} for selector in _as_list(value)}
    elif isinstance(value, dict):
        specs = {str(selector): checks for selector, checks in value.items() if isinstance(checks, dict)}
    else:
        return []
    compiled = []
    for selector, checks in specs.items():
        selector = _CSS_FLAG.sub(r"\1]", selector)  # [alt*='x' i]: case flags are not supported by cssselect
        exists = _compile(str(checks["exists"])) if "exists" in checks else None
        attributes = {}
        for attribute, pattern in (checks.get("attributes") or {}).items():
            compiled_pattern = _compile(str(pattern))
            if compiled_pattern is not None:
                attributes[str(attribute).lower()] = compiled_pattern
        text = _compile(str(checks["text"])) if "text" in checks else None
        if exists is None and not attributes and text is None:
            continue  # `properties` only: needs a browser
        # With `exists`, the element alone is a match: only the selector's own literals can filter it.
        literals = (
            _css_literals(selector, [], [])
            if exists is not None
            else _css_literals(selector, [text] if text else [], list(attributes))
        )
        compiled.append(_DomPattern(selector, literals, exists, attributes, text))
    return compiled


def _compile_js(value: Any) -> dict[str, list[_Pattern]]:
    """`js`: {global or dotted path: pattern on its value}; names keep their case (JavaScript's is significant)."""
    if not isinstance(value, dict):
        return {}
    return {str(key): _compile_list(pattern) for key, pattern in value.items() if key and " " not in str(key)}


_xpaths = threading.local()  # compiled XPath per thread (an XPath evaluator is not shared between threads)


def _xpath(css: str) -> Any:
    cache = getattr(_xpaths, "cache", None)
    if cache is None:
        cache = _xpaths.cache = {}
    if css not in cache:
        from cssselect import HTMLTranslator, SelectorError

        try:
            cache[css] = etree.XPath(HTMLTranslator().css_to_xpath(css))
        except (SelectorError, etree.XPathError, ValueError, TypeError):
            cache[css] = None  # a selector cssselect cannot express (:contains, ...): never matches
    return cache[css]


_JS_NAME_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$.")
_JS_ASSIGNED_STRING = re.compile(r"""\s*=\s*(["'])([^"'\n]{0,200})\1""")
_JS_DECLARED = re.compile(r"(?:\bvar|\blet|\bconst|\bfunction)\s+$")


def _js_seen(scripts: str, key: str, start: int) -> tuple[bool, str | None]:
    """Is the global `key`, found at `start` in inline code, assigned, declared, named as a string or used as an
    object there? And the string literal assigned to it, if any."""
    end = start + len(key)
    before = scripts[start - 1] if start else ""
    after = scripts[end] if end < len(scripts) else ""
    if before in "'\"" and after == before:
        return True, None  # named as a string: i['GoogleAnalyticsObject'] = r
    if before in _JS_NAME_BEFORE and not scripts[max(0, start - 7) : start].endswith("window."):
        return False, None  # part of a longer name or of another object's member
    if after in _JS_NAME_BEFORE and after != ".":
        return False, None
    rest = scripts[end : end + 220]
    assigned = _JS_ASSIGNED_STRING.match(rest)
    if assigned:
        return True, assigned.group(2)
    if re.match(r"\s*=(?!=)", rest):
        return True, None
    if _JS_DECLARED.search(scripts[max(0, start - 12) : start]):
        return True, None
    if "." in key:
        return True, None  # the whole dotted path is referenced
    return after == "." and len(key) >= 4, None  # Drupal.settings: the global is used as an object


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
    dom_entries: list[tuple[str, _DomPattern]] = field(default_factory=list)
    js_index: dict[str, list[tuple[str, _Pattern]]] = field(default_factory=dict)
    js_automaton: Any = None

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
            for pattern in tech.patterns.get("dom", ()):
                self.dom_entries.append((tech.name, pattern))
            for key, patterns in tech.patterns.get("js", {}).items():
                self.js_index.setdefault(key, []).extend((tech.name, p) for p in patterns)
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
        # `dom` selectors: found through their literals in the (lower-case) HTML, like the other signals.
        automaton, unfiltered = ahocorasick.Automaton(), []
        dom_literals: dict[str, list[int]] = {}
        for position, (_name, dom) in enumerate(self.dom_entries):
            if not dom.literals:
                unfiltered.append(position)
            for literal in dom.literals:
                dom_literals.setdefault(literal, []).append(position)
        for literal, positions in dom_literals.items():
            automaton.add_word(literal, positions)
        if dom_literals:
            automaton.make_automaton()
            self.automata["dom"] = automaton
        self.unfiltered["dom"] = unfiltered
        # `js` globals: every name found in inline code in one pass (case-sensitive), then checked in context.
        if self.js_index:
            self.js_automaton = ahocorasick.Automaton()
            for key in self.js_index:
                self.js_automaton.add_word(key, key)
            self.js_automaton.make_automaton()

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

        def hit(name: str, pattern: _Pattern, match: re.Match[str] | bool, share: float = 1.0) -> None:
            detection = found.get(name)
            if detection is None:
                tech = self.technologies[name]
                detection = found[name] = Detection(name, [self.categories.get(c, str(c)) for c in tech.categories])
            detection.confidence += max(1, round(pattern.confidence * share))
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
        built = "\n".join(page.built_srcs)
        if built:
            entries = self.by_signal.get("srcs", [])
            for position in self._candidates("srcs", built.lower()):
                name, pattern = entries[position]
                match = pattern.regex.search(built) if pattern.regex is not None else True
                if match:
                    hit(name, pattern, match, BUILT_URL_CONFIDENCE)
        if page.js_values is not None:
            self._detect_js_values(page.js_values, hit)
        elif page.scripts and self.js_automaton is not None:
            self._detect_js(page.scripts, hit)
        self._detect_dom(page, hit)
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

    def _detect_js(self, scripts: str, hit: Any) -> None:
        """`js` patterns, statically: see the module's docstring."""
        seen: dict[str, str | None] = {}
        for end, key in self.js_automaton.iter(scripts):
            if key in seen and seen[key] is not None:
                continue
            present, value = _js_seen(scripts, key, end - len(key) + 1)
            if present and (key not in seen or value is not None):
                seen[key] = value
        for key, value in seen.items():
            for name, pattern in self.js_index[key]:
                if pattern.regex is None:
                    hit(name, pattern, True, JS_STATIC_CONFIDENCE)
                elif value is not None:
                    match = pattern.regex.search(value)
                    if match:
                        hit(name, pattern, match, JS_STATIC_CONFIDENCE)
                elif pattern.regex.search("1.0.0"):  # the pattern only reads a version we cannot see
                    hit(name, pattern, True, JS_STATIC_CONFIDENCE)

    def _detect_js_values(self, values: dict[str, str], hit: Any) -> None:
        """`js` patterns on the globals a running page has (a value that is not a string or a number reads
        "true", as in Wappalyzer: present, but no version in it)."""
        for key, value in values.items():
            for name, pattern in self.js_index.get(key, ()):
                match = pattern.regex.search(value) if pattern.regex is not None else True
                if match:
                    hit(name, pattern, match)

    def js_keys(self) -> list[str]:
        """Every global (or dotted path) a `js` pattern reads: what a browser scan asks the page for."""
        return sorted(self.js_index)

    def _detect_dom(self, page: PageSignals, hit: Any) -> None:
        """`dom` selectors on the parsed page, only those whose literal occurs in it."""
        candidates = self._candidates("dom", page.html_lower)
        if not candidates:
            return
        root = page.tree()
        if root is None:
            return
        for position in candidates:
            name, dom = self.dom_entries[position]
            xpath = _xpath(dom.css)
            if xpath is None:
                continue
            try:
                elements = xpath(root)
            except etree.XPathError:  # a selector lxml cannot run on this tree never matches
                continue
            if not elements:
                continue
            if dom.exists is not None:
                hit(name, dom.exists, True)
            for element in elements[:20]:
                for attribute, pattern in dom.attributes.items():
                    value = element.get(attribute)
                    if value is not None:
                        match = pattern.search(value, value.lower())
                        if match:
                            hit(name, pattern, match)
                if dom.text is not None:
                    text = element.text_content()
                    match = dom.text.search(text, text.lower())
                    if match:
                        hit(name, dom.text, match)

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
        if "dom" in spec:
            patterns["dom"] = _compile_dom(spec["dom"])
        if "js" in spec:
            patterns["js"] = _compile_js(spec["js"])
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
