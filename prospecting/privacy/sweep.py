"""Find a person's values in every text and JSON column of every model, and blank them.

Generic on purpose: the columns are read from `apps.get_models()`, so a table added later is searched and
cleaned too, without anyone remembering to list it. An e-mail is searched case-insensitively; a phone number
by its digits whatever the spacing (`+352 621 12 34 56`, `00352621123456`, `621 123 456`); a name or domain as
text. Each model is one query (every column, every term, OR-ed), which reads the whole table on a large
database: erasure is rare and this is what makes it complete.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

ERASED = "[erased]"
_SEP = "[ .()/-]{0,2}"  # what may stand between two digits of a written phone number (same in SQL and Python)
# Columns that hold secrets, hashes or tokens: never searched or changed (a long token may contain digits that
# look like a phone number).
SECRET_COLUMNS = ("password", "_encrypted", "api_key", "token", "hash", "session_data", "task_id", "message_id")


@dataclass(frozen=True)
class Term:
    """One value to find: SQL lookups to find the rows (each `(lookup, value)`, any of them), a cheap
    `contains` test that must hold too (it spares most rows the regular expression), a pattern to blank it."""

    lookups: tuple[tuple[str, str], ...]
    pattern: re.Pattern[str]
    prefilter: str = ""

    def q(self, column: str) -> Q:
        condition = Q()
        for lookup, value in self.lookups:
            condition |= Q(**{f"{column}__{lookup}": value})
        if self.prefilter:
            condition = Q(**{f"{column}__contains": self.prefilter}) & condition
        return condition


def email_term(email: str) -> Term:
    return Term((("icontains", email),), re.compile(re.escape(email), re.IGNORECASE))


def text_term(text: str) -> Term:
    """A name or domain; also found in JSON text that escapes its accents (`M\\u00fcller`)."""
    escaped = json.dumps(text)[1:-1]
    lookups = (("icontains", text),) if escaped == text else (("icontains", text), ("icontains", escaped))
    return Term(lookups, re.compile(re.escape(text), re.IGNORECASE))


def phone_term(e164: str) -> Term:
    """A number in any spelling: its national digits, with or without its country code or trunk 0."""
    try:
        number = phonenumbers.parse(e164)
        national, country = str(number.national_number), str(number.country_code)
    except phonenumbers.NumberParseException:
        national, country = re.sub(r"\D", "", e164), ""
    digits = _SEP.join(national)
    trunk = f"0{_SEP}"
    international = f"(\\+|00){_SEP}{country}{_SEP}" if country else ""
    sql_prefix = f"({international}|{trunk})?" if country else f"({trunk})?"
    sql = f"(^|[^0-9]){sql_prefix}{digits}([^0-9]|$)"
    python_international = international.replace("(\\+|00)", "(?:\\+|00)")
    python_prefix = f"(?:{python_international}|{trunk})?" if country else f"(?:{trunk})?"
    pattern = re.compile(f"(?<![0-9]){python_prefix}{digits}(?![0-9])")
    # Written numbers end with a group of at least two digits: "… 55 57 77" holds "77".
    return Term((("regex", sql),), pattern, prefilter=national[-2:] if len(national) >= 6 else "")


def text_columns(model: type[models.Model]) -> list[models.Field]:
    """The columns that can hold free text or JSON (choices, unique keys and hashes cannot hold a person)."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
        and not field.choices
        and not field.unique
        and not field.primary_key
        and not any(part in field.attname for part in SECRET_COLUMNS)
    ]


def searchable_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped and text_columns(model)
    ]


def _matching(model: type[models.Model], terms: list[Term], scope: Q | None) -> models.QuerySet:
    queryset = model._base_manager.all()
    aliases, condition = {}, Q()
    for field in text_columns(model):
        name = field.attname
        if isinstance(field, models.JSONField):
            name = f"privacy_text_{field.attname}"
            aliases[name] = Cast(field.attname, output_field=TextField())
        for term in terms:
            condition |= term.q(name)
    if aliases:
        queryset = queryset.alias(**aliases)
    queryset = queryset.filter(condition)
    return queryset.filter(scope) if scope is not None else queryset


def redact(value: Any, terms: Iterable[Term]) -> Any:
    """The value with every match of the terms replaced by "[erased]" (strings, and strings inside JSON)."""
    if isinstance(value, str):
        for term in terms:
            value = term.pattern.sub(ERASED, value)
        return value
    if isinstance(value, dict):
        return {key: redact(item, terms) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item, terms) for item in value]
    return value


def rows_find(terms: list[Term], *, scopes: dict[str, Q] | None = None) -> dict[type[models.Model], list[int]]:
    """The primary keys of the rows that hold any of the terms, per model. With `scopes` (model label → Q),
    only those models are searched, and only their rows within the scope."""
    found: dict[type[models.Model], list[int]] = {}
    if not terms:
        return found
    for model in searchable_models():
        scope = None
        if scopes is not None:
            if model._meta.label not in scopes:
                continue
            scope = scopes[model._meta.label]
        pks = list(_matching(model, terms, scope).values_list("pk", flat=True))
        if pks:
            found[model] = pks
    return found


def rows_redact(terms: list[Term], *, scopes: dict[str, Q] | None = None) -> dict[str, int]:
    """Blank the terms wherever they are (see `rows_find`); returns the rows changed per model label."""
    counts: dict[str, int] = {}
    for model, pks in rows_find(terms, scopes=scopes).items():
        columns = text_columns(model)
        changed = []
        for start in range(0, len(pks), 500):
            for row in model._base_manager.filter(pk__in=pks[start : start + 500]).only(
                "pk", *(f.attname for f in columns)
            ):
                dirty = False
                for field in columns:
                    old = getattr(row, field.attname)
                    new = redact(old, terms)
                    if isinstance(new, str) and field.max_length:
                        new = new[: field.max_length]
                    if new != old:
                        setattr(row, field.attname, new)
                        dirty = True
                if dirty:
                    changed.append(row)
        if changed:
            model._base_manager.bulk_update(changed, [f.attname for f in columns], batch_size=500)
            counts[model._meta.label] = len(changed)
    return counts
