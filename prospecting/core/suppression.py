"""The suppression list: values (e-mail, phone, domain) that nothing may bring back or write to again.

One mechanism for every reason a person must not be processed: erased (GDPR Art. 17), objected (Art. 21),
unsubscribed, bounced, complained, added by hand. Import (prospects), discovery (raw records), the contact
scrape (enrichment) and sending (outreach) all ask `suppression_check`; a suppressed value is skipped and
counted, never stored again.

Entries are keyed by a salted hash (HMAC-SHA256 with PRIVACY_HASH_KEY) of the normalized value:

* e-mail: lower-cased, normalized address (`core/emails.py`);
* phone: E.164 (`+352621123456`), read with the prospect's country as default region;
* domain: the registrable domain (`shop.example.lu` → `example.lu`), which also covers every address at it.

Entries of erased people keep the hash only; the others keep the value too, so staff can read and remove them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from prospecting.core.domains import InvalidDomainError, normalize_domain, registrable_domain
from prospecting.core.emails import InvalidEmailError, email_normalize
from prospecting.core.models import Suppression
from prospecting.core.services import activity_log_record

User = AbstractBaseUser | AnonymousUser | None
Kind = Suppression.Kind
Reason = Suppression.Reason
_CHUNK = 1000
REDACTED = "[suppressed]"


class SuppressionValueError(ValueError):
    """The value cannot be read as an e-mail, phone or domain; the message says why."""


def phone_normalize(value: str, region: str = "LU") -> str:
    """E.164 when the number can be read (`+352 621 12 34 56` → `+352621123456`), else `+` and its digits."""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 6:
        raise SuppressionValueError(f"{raw!r} is not a phone number (too few digits).")
    try:
        number = phonenumbers.parse(raw, (region or "LU").upper())
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return "+" + digits.removeprefix("00")


def suppression_normalize(kind: str, value: str, *, region: str = "LU") -> str:
    """The normalized form of a value of this kind, the one that is hashed (SuppressionValueError if unusable)."""
    try:
        if kind == Kind.EMAIL:
            return email_normalize(value)
        if kind == Kind.PHONE:
            return phone_normalize(value, region)
        if kind == Kind.DOMAIN:
            return registrable_domain(normalize_domain(value))
    except (InvalidEmailError, InvalidDomainError) as exc:
        raise SuppressionValueError(str(exc)) from exc
    raise SuppressionValueError(f"Unknown kind {kind!r} (email, phone or domain).")


def _key() -> bytes:
    configured = getattr(settings, "PRIVACY_HASH_KEY", "")
    return (configured or f"prospecting-suppression:{settings.SECRET_KEY}").encode()


def suppression_hash(kind: str, normalized: str) -> str:
    """The salted hash an entry is keyed by (the value must already be normalized)."""
    return hmac.new(_key(), f"{kind}:{normalized}".encode(), hashlib.sha256).hexdigest()


def value_hash(kind: str, value: str, *, region: str = "LU") -> str | None:
    """Hash of a raw value, or None when it cannot be normalized."""
    try:
        return suppression_hash(kind, suppression_normalize(kind, value, region=region))
    except SuppressionValueError:
        return None


@dataclass
class SuppressionCheck:
    """Which of a batch of values are suppressed (built by `suppression_check` in one query per 1000 values)."""

    hashes: set[str] = field(default_factory=set)
    region: str = "LU"
    kinds: frozenset[str] = frozenset(Kind.values)  # the kinds the list holds at all: others are never hashed
    digests: dict[tuple[str, str], str | None] = field(default_factory=dict)  # each value hashed once

    def digest(self, kind: str, value: str) -> str | None:
        key = (kind, value)
        if key not in self.digests:
            self.digests[key] = value_hash(kind, value, region=self.region) if kind in self.kinds else None
        return self.digests[key]

    def _has(self, kind: str, value: str) -> bool:
        if not self.hashes:
            return False
        digest = self.digest(kind, value)
        return digest is not None and digest in self.hashes

    def email(self, value: str) -> bool:
        """An address is suppressed itself or through its domain."""
        if not value:
            return False
        return self._has(Kind.EMAIL, value) or ("@" in value and self._has(Kind.DOMAIN, value.rpartition("@")[2]))

    def phone(self, value: str) -> bool:
        return bool(value) and self._has(Kind.PHONE, value)

    def domain(self, value: str | None) -> bool:
        return bool(value) and self._has(Kind.DOMAIN, value)

    def __bool__(self) -> bool:
        return bool(self.hashes)


def suppression_check(
    *, emails: Iterable[str] = (), phones: Iterable[str] = (), domains: Iterable[str | None] = (), region: str = "LU"
) -> SuppressionCheck:
    """Look these values up on the list at once; ask the result about each (`.email(v)`, `.phone(v)`, ...).

    Values are only normalized and hashed for the kinds the list holds (three indexed existence checks), so an
    import against a list of unsubscribed e-mails never reads its phone numbers or domains."""
    kinds = frozenset(kind for kind in Kind.values if Suppression.objects.filter(kind=kind).exists())
    check = SuppressionCheck(region=region, kinds=kinds)
    if not kinds:
        return check
    wanted: set[str | None] = set()
    for email in emails:
        if email:
            wanted.add(check.digest(Kind.EMAIL, email))
            if "@" in email:
                wanted.add(check.digest(Kind.DOMAIN, email.rpartition("@")[2]))
    for phone in phones:
        if phone:
            wanted.add(check.digest(Kind.PHONE, phone))
    for domain in domains:
        if domain:
            wanted.add(check.digest(Kind.DOMAIN, domain))
    wanted.discard(None)
    ordered = sorted(wanted)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        check.hashes.update(Suppression.objects.filter(value_hash__in=chunk).values_list("value_hash", flat=True))
    return check


def suppression_add(
    *,
    kind: str,
    value: str,
    reason: str,
    note: str = "",
    origin: str = "",
    user: User = None,
    region: str = "LU",
) -> Suppression:
    """Put a value on the list (safe to repeat and to race: the first reason is kept, except that an erasure
    always wins and removes the visible value)."""
    if reason not in Reason.values:
        raise ValidationError({"reason": f"Unknown reason {reason!r}."})
    try:
        normalized = suppression_normalize(kind, value, region=region)
    except SuppressionValueError as exc:
        raise ValidationError({"value": str(exc)}) from exc
    digest = suppression_hash(kind, normalized)
    erased = reason == Reason.ERASED
    defaults = {"kind": kind, "value": "" if erased else normalized, "reason": reason, "note": note[:500]}
    defaults["origin"] = origin[:100]
    try:
        with transaction.atomic():
            entry, created = Suppression.objects.get_or_create(value_hash=digest, defaults=defaults)
    except IntegrityError:  # added by someone else at the same moment
        entry, created = Suppression.objects.get(value_hash=digest), False
    if not created and erased and (entry.reason != Reason.ERASED or entry.value):
        Suppression.objects.filter(pk=entry.pk).update(reason=Reason.ERASED, value="", note=note[:500])
        entry.reason, entry.value, entry.note = Reason.ERASED, "", note[:500]
    if created and user is not None and user.is_authenticated:
        shown = "" if erased else normalized
        activity_log_record(entity=entry, action="suppression_added", actor=user, description=shown)
    return entry


def suppression_remove(*, entry: Suppression, user: User = None) -> None:
    """Take a value off the list (it may be imported, found and written to again)."""
    with transaction.atomic():
        activity_log_record(
            entity=entry, action="suppression_removed", actor=user, description=entry.value or "(erased value)"
        )
        entry.delete()


@dataclass
class SuppressionImportResult:
    added: int = 0
    already: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)


def suppression_import(
    *, lines: Iterable[str], kind: str = Kind.EMAIL, reason: str = Reason.MANUAL, note: str = ""
) -> SuppressionImportResult:
    """Add one value per line (a CSV's first column); bad lines are reported with their number, good ones kept."""
    result = SuppressionImportResult()
    batch: dict[str, str] = {}  # hash -> normalized value
    for number, line in enumerate(lines, start=1):
        value = line.split(",")[0].split(";")[0].strip().strip('"')
        if not value:
            continue
        try:
            normalized = suppression_normalize(kind, value)
        except SuppressionValueError as exc:
            if number != 1:  # the first line may be a header
                result.invalid.append((number, str(exc)))
            continue
        batch.setdefault(suppression_hash(kind, normalized), normalized)
    hashes = list(batch)
    keep_value = reason != Reason.ERASED
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK]
        existing = set(Suppression.objects.filter(value_hash__in=chunk).values_list("value_hash", flat=True))
        Suppression.objects.bulk_create(
            [
                Suppression(
                    kind=kind, value_hash=digest, value=batch[digest] if keep_value else "", reason=reason, note=note
                )
                for digest in chunk
                if digest not in existing
            ],
            ignore_conflicts=True,
        )
        result.added += len(chunk) - len(existing)
        result.already += len(existing)
    return result


def payload_redact(data: Any, is_suppressed: Callable[[str], bool]) -> tuple[Any, int]:
    """A copy of a JSON-like value with every string `is_suppressed` says yes to replaced by "[suppressed]",
    and how many were replaced (discovery keeps a listing's payload without a suppressed phone or address)."""
    if isinstance(data, str):
        return (REDACTED, 1) if is_suppressed(data) else (data, 0)
    if isinstance(data, dict):
        out, count = {}, 0
        for key, value in data.items():
            out[key], found = payload_redact(value, is_suppressed)
            count += found
        return out, count
    if isinstance(data, list):
        items = [payload_redact(value, is_suppressed) for value in data]
        return [value for value, _ in items], sum(found for _, found in items)
    return data, 0


def string_is_suppressed(check: SuppressionCheck) -> Callable[[str], bool]:
    """A test for any string: a suppressed e-mail address, phone number or domain (`mailto:`/`tel:` too)."""

    def test(text: str) -> bool:
        value = text.strip()
        for prefix in ("mailto:", "tel:"):
            value = value.removeprefix(prefix)
        if "@" in value:
            return check.email(value)
        if sum(ch.isdigit() for ch in value) >= 6 and re.fullmatch(r"[\d\s+().\-/]+", value):
            return check.phone(value)
        return check.domain(value) if "." in value and " " not in value else False

    return test


def _strings(data: Any) -> Iterable[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def suppression_check_payloads(payloads: Iterable[Any], *, region: str = "LU") -> SuppressionCheck:
    """Look up every e-mail, phone number and domain found among the strings of these JSON-like values (a
    page of listings as a source returned them), in one query per 1000 values."""
    emails, phones, domains = set(), set(), set()
    for payload in payloads:
        for text in _strings(payload):
            value = text.strip()
            for prefix in ("mailto:", "tel:"):
                value = value.removeprefix(prefix)
            if not value or len(value) > 500:
                continue
            if "@" in value:
                emails.add(value)
            elif sum(ch.isdigit() for ch in value) >= 6 and re.fullmatch(r"[\d\s+().\-/]+", value):
                phones.add(value)
            elif "." in value and " " not in value:
                domains.add(value)
    return suppression_check(emails=emails, phones=phones, domains=domains, region=region)
