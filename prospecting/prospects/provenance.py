"""Provenance: where a prospect's fields and contacts came from (an import line, a discovery record, a page,
a person). Pure helpers; the writers (import, discovery, scrape, manual edits) record it as they write."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

IMPORT = "import"
MANUAL = "manual"
SCRAPE = "scrape"


def provenance(source: str, detail: str = "", *, at: datetime.datetime | None = None) -> dict[str, str]:
    """One field's origin: {"source": "import", "detail": "batch 3, line 12", "at": ISO time}."""
    entry = {"source": source, "at": (at or timezone.now()).isoformat(timespec="seconds")}
    if detail:
        entry["detail"] = detail[:255]
    return entry


def import_detail(batch_id: int, line_number: int) -> str:
    return f"import batch {batch_id}, line {line_number}"


def person_detail(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """Who typed it in ("by alice"), or "" when no signed-in person did."""
    if user is None or not user.is_authenticated:
        return ""
    return f"by {user.get_username()}"


def field_sources_record(
    current: dict[str, Any] | None, values: dict[str, Any], entry: dict[str, str], *, only: Iterable[str] | None = None
) -> dict[str, Any]:
    """The prospect's `field_sources` with `entry` recorded for every field of `values` that has a value (and
    is in `only`, when given); other fields keep their recorded origin."""
    names = set(only) if only is not None else None
    updated = dict(current or {})
    for name, value in values.items():
        if value in (None, "", [], {}) or (names is not None and name not in names):
            continue
        updated[name] = entry
    return updated
