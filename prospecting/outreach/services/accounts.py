"""Sender accounts: which may send now (sending window, daily and hourly caps), in priority order, and the
Django e-mail connection of each. With no account configured, Django's EMAIL_* settings are used."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from prospecting.outreach.models import CampaignSend, SenderAccount

UNLIMITED = 10**9


def _zone(account: SenderAccount) -> ZoneInfo:
    try:
        return ZoneInfo(account.time_zone or "Europe/Luxembourg")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Luxembourg")


def account_window_open(account: SenderAccount, now: datetime.datetime) -> bool:
    local = now.astimezone(_zone(account))
    days = set(account.window_days or [])
    return local.weekday() in days and account.window_start <= local.time() < account.window_end


def account_next_opening(account: SenderAccount, now: datetime.datetime) -> datetime.datetime | None:
    """When the account's sending window is next open (now if it is); None when it has no sending day."""
    if account_window_open(account, now):
        return now
    zone = _zone(account)
    local = now.astimezone(zone)
    days = set(account.window_days or [])
    for offset in range(8):
        day = local.date() + datetime.timedelta(days=offset)
        if day.weekday() not in days:
            continue
        opening = datetime.datetime.combine(day, account.window_start, tzinfo=zone)
        if opening > now:
            return opening
    return None


def _day_start(account: SenderAccount, now: datetime.datetime) -> datetime.datetime:
    local = now.astimezone(_zone(account))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def account_capacity(account: SenderAccount, now: datetime.datetime) -> tuple[int, datetime.datetime | None]:
    """How many more messages the account may send now, and, when none, when it may send again."""
    opening = account_next_opening(account, now)
    if opening is None:
        return 0, None
    if opening > now:
        return 0, opening
    used = CampaignSend.objects.filter(sender_account=account)
    room = UNLIMITED
    again: datetime.datetime | None = None
    if account.daily_limit is not None:
        today = used.filter(claimed_at__gte=_day_start(account, now)).count()
        room = min(room, account.daily_limit - today)
        if room <= 0:
            tomorrow = _day_start(account, now) + datetime.timedelta(days=1)  # wall clock: next local midnight
            again = account_next_opening(account, max(tomorrow, now))
    if account.hourly_limit is not None and room > 0:
        hour_ago = now - datetime.timedelta(hours=1)
        last_hour = used.filter(claimed_at__gt=hour_ago)
        room = min(room, account.hourly_limit - last_hour.count())
        if room <= 0:
            oldest = last_hour.order_by("claimed_at").values_list("claimed_at", flat=True).first()
            again = (oldest or now) + datetime.timedelta(hours=1)
    return max(room, 0), again


@dataclass
class Slot:
    account: SenderAccount | None  # None: Django's EMAIL_* settings
    capacity: int


def sending_slots(now: datetime.datetime) -> tuple[list[Slot], datetime.datetime | None]:
    """The accounts that may send now with their room, best first; when none may, when the first one can."""
    accounts = list(SenderAccount.objects.filter(is_active=True).order_by("priority", "pk"))
    if not accounts:
        return [Slot(None, UNLIMITED)], None
    slots, waits = [], []
    for account in accounts:
        room, again = account_capacity(account, now)
        if room > 0:
            slots.append(Slot(account, room))
        elif again is not None:
            waits.append(again)
    return slots, (min(waits) if waits else None)


def account_connection(account: SenderAccount | None) -> BaseEmailBackend:
    """A Django e-mail connection for the account (SMTP), or the project's EMAIL_BACKEND when there is none."""
    if account is None:
        return get_connection(fail_silently=False)
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        fail_silently=False,
        host=account.host,
        port=account.port,
        username=account.username or None,
        password=account.password or None,
        use_tls=account.use_tls,
        use_ssl=account.use_ssl,
        timeout=account.timeout,
    )


def account_save(*, account: SenderAccount, password: str | None = None, clear_password: bool = False) -> SenderAccount:
    """Create or change an account; a new password is stored encrypted (None keeps the current one)."""
    if clear_password:
        account.password_encrypted = ""
    elif password:
        account.password = password
    errors = {}
    if account.window_start >= account.window_end:
        errors["window_end"] = "The window must end after it starts (same day)."
    days = account.window_days or []
    if not isinstance(days, list) or any(not isinstance(day, int) or not 0 <= day <= 6 for day in days):
        errors["window_days"] = "Week days are numbers 0 (Monday) to 6 (Sunday)."
    try:
        ZoneInfo(account.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = f"Unknown time zone {account.time_zone!r}."
    if errors:
        raise ValidationError(errors)
    account.full_clean()
    with transaction.atomic():
        account.save()
    return account
