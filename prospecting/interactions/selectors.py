"""Reads on the interaction log."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from prospecting.interactions.models import Interaction


def followups_upcoming(*, until: datetime.date | None = None) -> QuerySet[Interaction]:
    """Interactions with a next action due up to `until` (default: in 7 days), oldest due first."""
    until = until or timezone.localdate() + datetime.timedelta(days=7)
    return (
        Interaction.objects.filter(next_action_date__isnull=False, next_action_date__lte=until)
        .exclude(next_action="")
        .select_related("prospect", "created_by")
        .order_by("next_action_date", "id")
    )
