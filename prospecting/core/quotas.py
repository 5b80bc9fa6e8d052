"""Monthly quotas per user (seed 004 subscriptions and usage_tracking): enrichment scans and e-mails sent.

A user without a `UserQuota` (or with an empty limit) has no limit, but their usage is still counted. Work is
counted when it is started (`quota_consume`); over quota, nothing starts and `QuotaExceeded` says why (a 400 in
the API, a message in the admin).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from prospecting.core.models import UsageCounter, UserQuota
from prospecting.core.services import activity_log_record

Kind = UsageCounter.Kind
_LIMIT_FIELD = {Kind.SCANS: "scans_per_month", Kind.EMAILS: "emails_per_month"}


class QuotaExceeded(ValidationError):
    def __init__(self, message: str) -> None:
        super().__init__({"quota": [message]})


def _period(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()).replace(day=1)


def _next_period(period: datetime.date) -> datetime.date:
    return (period + datetime.timedelta(days=32)).replace(day=1)


def quota_limit(*, user: AbstractBaseUser, kind: str) -> int | None:
    quota = UserQuota.objects.filter(user=user).first()
    return getattr(quota, _LIMIT_FIELD[Kind(kind)]) if quota else None


def quota_consume(*, user: AbstractBaseUser | AnonymousUser | None, kind: str, amount: int) -> None:
    """Count `amount` units of work for this month, or refuse them all when they would pass the user's limit.

    The check and the count are one row-locked step, so two jobs started at once cannot both slip under it.
    Work started by the system (no user) is not counted.
    """
    if user is None or not user.is_authenticated or amount <= 0:
        return
    kind = Kind(kind)
    period = _period()
    limit = quota_limit(user=user, kind=kind)
    with transaction.atomic():
        try:
            with transaction.atomic():
                UsageCounter.objects.get_or_create(user=user, kind=kind, period=period)
        except IntegrityError:
            pass  # created by a racing call
        used = UsageCounter.objects.select_for_update().get(user=user, kind=kind, period=period).used
        if limit is not None and used + amount > limit:
            left = max(0, limit - used)
            raise QuotaExceeded(
                f"Monthly quota of {limit} {kind.label.lower()} reached: {used} used this month, {amount} asked, "
                f"{left} left. It renews on {_next_period(period):%d %b %Y}; an admin can raise it."
            )
        UsageCounter.objects.filter(user=user, kind=kind, period=period).update(used=F("used") + amount)


def quota_usage(*, user: AbstractBaseUser) -> dict[str, dict[str, Any]]:
    """This month's usage against the limits, per kind: {"scans": {"used": 12, "limit": 500, "left": 488}}."""
    return quotas_usage_of(users=[user])[user.pk]


def quotas_usage_of(*, users: list[AbstractBaseUser]) -> dict[int, dict[str, dict[str, Any]]]:
    """`quota_usage` for many users at once (two queries, whatever their number), keyed by user id."""
    period = _period()
    ids = [user.pk for user in users]
    limits = {row["user_id"]: row for row in UserQuota.objects.filter(user_id__in=ids).values()}
    used: dict[tuple[int, str], int] = {
        (user_id, kind): count
        for user_id, kind, count in UsageCounter.objects.filter(user_id__in=ids, period=period).values_list(
            "user_id", "kind", "used"
        )
    }
    report: dict[int, dict[str, dict[str, Any]]] = {}
    for user_id in ids:
        report[user_id] = {}
        for kind in Kind:
            limit = limits.get(user_id, {}).get(_LIMIT_FIELD[kind])
            count = used.get((user_id, kind.value), 0)
            report[user_id][kind.value] = {
                "used": count,
                "limit": limit,
                "left": None if limit is None else max(0, limit - count),
                "period": period.isoformat(),
            }
    return report


def quota_set(
    *,
    user: AbstractBaseUser,
    scans_per_month: int | None,
    emails_per_month: int | None,
    actor: AbstractBaseUser | None = None,
) -> UserQuota:
    """Set (or clear, with None) a user's monthly limits; the change is written to the activity log."""
    with transaction.atomic():
        quota, _ = UserQuota.objects.update_or_create(
            user=user, defaults={"scans_per_month": scans_per_month, "emails_per_month": emails_per_month}
        )
        activity_log_record(
            entity=quota,
            action="quota_set",
            actor=actor,
            description=f"Monthly quota of {user}: scans {_shown(scans_per_month)}, e-mails {_shown(emails_per_month)}",
            metadata={"scans_per_month": scans_per_month, "emails_per_month": emails_per_month},
        )
    return quota


def _shown(limit: int | None) -> str:
    return "no limit" if limit is None else str(limit)
