"""E-mail addresses: one rule for every way an address comes in (import, capture, admin, API, scrape)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


class InvalidEmailError(ValueError):
    """Not a usable e-mail address; the message says why, for a person to fix it."""


def email_normalize(value: str) -> str:
    """The address in its normalized, lower-case form, or InvalidEmailError (syntax only: no DNS lookup)."""
    candidate = (value or "").strip()
    try:
        return validate_email(candidate, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidEmailError(f"{candidate!r} is not a valid e-mail address: {exc}") from exc
