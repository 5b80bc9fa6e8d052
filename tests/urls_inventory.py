"""Enumerate every URL the project serves, with a concrete sample path for each, so security tests can
cover endpoints added later without anyone remembering to list them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

_NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")
_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Endpoint:
    path: str
    name: str


def _sample_regex(regex: str) -> str:
    def replace(match: re.Match[str]) -> str:
        body = match.group("body")
        words = body.split("|")
        if all(re.fullmatch(r"[\w-]+", word) for word in words):
            return words[0]
        return "1"

    text = _NAMED_GROUP.sub(replace, regex)
    return text.lstrip("^").rstrip("$").replace("\\", "").replace("\\Z", "")


def _sample_route(route: str) -> str:
    return _ROUTE_PARAM.sub("1", route)


def _sample(pattern: URLPattern | URLResolver) -> str:
    if isinstance(pattern.pattern, RoutePattern):
        return _sample_route(str(pattern.pattern))
    if isinstance(pattern.pattern, RegexPattern):
        return _sample_regex(pattern.pattern.regex.pattern)
    raise TypeError(pattern.pattern)


def all_endpoints() -> list[Endpoint]:
    endpoints: list[Endpoint] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            sample = prefix + _sample(pattern)
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, sample, ns)
            else:
                endpoints.append(Endpoint(path="/" + sample.lstrip("/"), name=f"{namespace}{pattern.name or ''}"))

    walk(get_resolver().url_patterns, "", "")
    return endpoints
