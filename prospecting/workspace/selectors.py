"""Reads that combine apps: a prospect with everything the prospect page and the API detail show."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet

from prospecting.core.models import ActivityLog
from prospecting.interactions.models import Interaction
from prospecting.outreach.models import CampaignSend
from prospecting.prospects.models import ImportRow, Prospect, ProspectContact


def prospect_detail_queryset() -> QuerySet[Prospect]:
    """Prospects with every profile joined and contacts prefetched, for detail views."""
    return Prospect.objects.select_related(
        "tech_profile", "performance_profile", "score", "captured_by", "owner"
    ).prefetch_related(Prefetch("contacts", queryset=ProspectContact.objects.order_by("-is_primary", "id")))


@dataclass(frozen=True)
class TimelineItem:
    """One line of a prospect's timeline: an interaction (with its notes) or an activity log entry."""

    at: datetime.datetime
    kind: str  # "interaction" or "activity"
    title: str
    text: str
    actor: str
    interaction: Interaction | None = None
    activity: ActivityLog | None = None


def prospect_timeline(*, prospect_id: int, limit: int = 100, actions: list[str] | None = None) -> list[TimelineItem]:
    """Activity and interactions of one prospect merged, newest first (two indexed queries of `limit` rows).

    The activity entry of a logged interaction is left out: the interaction itself shows, with its notes.
    """
    interactions = (
        Interaction.objects.filter(prospect_id=prospect_id)
        .select_related("created_by", "follow_up_owner")
        .order_by("-created_at", "-id")[:limit]
    )
    activity = ActivityLog.objects.filter(prospect_id=prospect_id).exclude(action="interaction_logged")
    if actions:
        activity = activity.filter(action__in=actions)
    activity = activity.select_related("actor").order_by("-created_at", "-id")[:limit]
    items = [
        TimelineItem(
            at=row.created_at,
            kind="interaction",
            title=row.get_interaction_type_display() + (f": {row.subject}" if row.subject else ""),
            text=row.notes,
            actor=row.created_by.get_username() if row.created_by else "",
            interaction=row,
        )
        for row in interactions
    ]
    items += [
        TimelineItem(
            at=row.created_at,
            kind="activity",
            title=row.action.replace("_", " ").capitalize(),
            text=row.description,
            actor=row.actor.get_username() if row.actor else "system",
            activity=row,
        )
        for row in activity
    ]
    imports = ImportRow.objects.filter(prospect_id=prospect_id).select_related("batch").order_by("-id")[:limit]
    items += [
        TimelineItem(
            at=row.batch.created_at,
            kind="activity",
            title=f"Import: {row.get_outcome_display().lower()}",
            text=f"{row.batch.name}, line {row.line_number}",
            actor=row.batch.uploaded_by.get_username() if row.batch.uploaded_by else "",
        )
        for row in imports.select_related("batch__uploaded_by")
    ]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


@dataclass(frozen=True)
class ListExtras:
    """What the prospects list shows of a row's contacts and interactions."""

    primary_contact: str = ""
    last_contact_at: datetime.datetime | None = None


def prospects_list_extras(*, prospect_ids: list[int]) -> dict[int, ListExtras]:
    """The primary contact (e-mail first, else phone) and the last interaction's date of a page of prospects:
    two queries for the whole page, whatever its size."""
    contacts: dict[int, dict[str, str]] = {}
    rows = (
        ProspectContact.objects.filter(prospect_id__in=prospect_ids, contact_type__in=["email", "phone"])
        .order_by("prospect_id", "-is_primary", "id")
        .values_list("prospect_id", "contact_type", "value")
    )
    for prospect_id, contact_type, value in rows:
        contacts.setdefault(prospect_id, {}).setdefault(contact_type, value)
    last = dict(
        Interaction.objects.filter(prospect_id__in=prospect_ids)
        .order_by()
        .values("prospect_id")
        .annotate(last=Max("created_at"))
        .values_list("prospect_id", "last")
    )
    return {
        pk: ListExtras(
            primary_contact=contacts.get(pk, {}).get("email") or contacts.get(pk, {}).get("phone") or "",
            last_contact_at=last.get(pk),
        )
        for pk in prospect_ids
    }


def prospect_campaign_sends(*, prospect_id: int, limit: int = 20) -> list[CampaignSend]:
    """The campaign messages sent (or queued, skipped, failed) to one prospect, newest first."""
    return list(CampaignSend.objects.filter(prospect_id=prospect_id).select_related("template").order_by("-pk")[:limit])


def prospect_steps_that_apply(*, prospect: Prospect, steps: list[Any]) -> list[Any]:
    """The enrichment steps whose `eligible` condition this prospect meets (one query for all of them)."""
    counts = Prospect.objects.filter(pk=prospect.pk).aggregate(
        **{step.job_type: Count("pk", filter=step.eligible) for step in steps}
    )
    return [step for step in steps if counts[step.job_type]]
