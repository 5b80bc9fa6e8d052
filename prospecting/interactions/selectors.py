"""Reads on the interaction log: a prospect's interactions and the follow-up tasks (upcoming, overdue, mine)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect


def interactions_of_prospect(*, prospect: Prospect) -> QuerySet[Interaction]:
    return (
        Interaction.objects.filter(prospect=prospect)
        .select_related("created_by", "follow_up_owner")
        .order_by("-created_at", "-id")
    )


def followups_open(*, prospects: QuerySet[Prospect] | None = None) -> QuerySet[Interaction]:
    """Open follow-up tasks (a due date, not done), oldest due first; within `prospects` when given."""
    tasks = Interaction.objects.filter(follow_up_done_at__isnull=True, next_action_date__isnull=False)
    if prospects is not None:
        tasks = tasks.filter(prospect__in=prospects)
    return tasks.select_related("prospect", "created_by", "follow_up_owner").order_by("next_action_date", "id")


def followups_upcoming(
    *,
    until: datetime.date | None = None,
    owner: AbstractBaseUser | int | None = None,
    date_from: datetime.date | None = None,
    overdue: bool | None = None,
    prospects: QuerySet[Prospect] | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Interaction]:
    """Open follow-ups due from `date_from` up to `until` (both optional), of one owner when given;
    `overdue=True`: only those due before today, `False`: only those due today or later. With no bounds at all
    the list runs up to 7 days ahead (overdue ones included)."""
    today = today or timezone.localdate()
    if until is None and date_from is None and overdue is None:
        until = today + datetime.timedelta(days=7)
    tasks = followups_open(prospects=prospects)
    if owner is not None:
        tasks = tasks.filter(follow_up_owner=owner)
    if date_from is not None:
        tasks = tasks.filter(next_action_date__gte=date_from)
    if until is not None:
        tasks = tasks.filter(next_action_date__lte=until)
    if overdue is True:
        tasks = tasks.filter(next_action_date__lt=today)
    elif overdue is False:
        tasks = tasks.filter(next_action_date__gte=today)
    return tasks


@dataclass(frozen=True)
class FollowUpBuckets:
    overdue: list[Interaction]
    today: list[Interaction]
    this_week: list[Interaction]
    later: list[Interaction]
    later_truncated: bool


def followups_buckets(
    *, owner: AbstractBaseUser | None, prospects: QuerySet[Prospect] | None = None, limit: int = 200
) -> FollowUpBuckets:
    """The Follow-ups page: overdue, today, this week (to Sunday), later; each capped at `limit` rows."""
    today = timezone.localdate()
    end_of_week = today + datetime.timedelta(days=6 - today.weekday())
    tasks = followups_open(prospects=prospects)
    if owner is not None:
        tasks = tasks.filter(follow_up_owner=owner)
    later = list(tasks.filter(next_action_date__gt=end_of_week)[: limit + 1])
    return FollowUpBuckets(
        overdue=list(tasks.filter(next_action_date__lt=today)[:limit]),
        today=list(tasks.filter(next_action_date=today)[:limit]),
        this_week=list(tasks.filter(Q(next_action_date__gt=today) & Q(next_action_date__lte=end_of_week))[:limit]),
        later=later[:limit],
        later_truncated=len(later) > limit,
    )
