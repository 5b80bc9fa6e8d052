"""The public links a message carries (unsubscribe, open pixel, click redirect): signed, so nobody can forge
one for another message, and built from SITE_URL."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

_UNSUBSCRIBE = "outreach.unsubscribe"
_OPEN = "outreach.open"
_CLICK = "outreach.click"


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _sign(salt: str, value: str) -> str:
    return signing.Signer(salt=salt).sign(value)


def _unsign(salt: str, token: str) -> str | None:
    try:
        return signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        return None


def unsubscribe_url(send_id: int) -> str:
    return _absolute(reverse("outreach-public:unsubscribe", args=[_sign(_UNSUBSCRIBE, str(send_id))]))


def open_pixel_url(send_id: int) -> str:
    return _absolute(reverse("outreach-public:open", args=[_sign(_OPEN, str(send_id))]))


def click_url(send_id: int, index: int) -> str:
    return _absolute(reverse("outreach-public:click", args=[_sign(_CLICK, f"{send_id}.{index}")]))


def unsubscribe_token_read(token: str) -> int | None:
    value = _unsign(_UNSUBSCRIBE, token)
    return int(value) if value and value.isdigit() else None


def open_token_read(token: str) -> int | None:
    value = _unsign(_OPEN, token)
    return int(value) if value and value.isdigit() else None


def click_token_read(token: str) -> tuple[int, int] | None:
    value = _unsign(_CLICK, token) or ""
    send_id, _, index = value.partition(".")
    if send_id.isdigit() and index.isdigit():
        return int(send_id), int(index)
    return None
