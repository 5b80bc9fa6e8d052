"""Each user's private iCalendar feed of their open follow-ups (Outlook, Google Calendar, Apple Calendar
subscribe to its URL), and the services that give, reset and revoke the secret token in that URL."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from prospecting.core.services import activity_log_record
from prospecting.interactions.models import CalendarFeed, Interaction

FEED_PAST_DAYS = 90  # overdue tasks older than this are left out of the feed
FEED_MAX_EVENTS = 2000


def calendar_feed_reset(*, user: AbstractBaseUser) -> CalendarFeed:
    """Give the user a feed with a new secret token (the previous URL stops working at once)."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32)}
        )
        if not created:
            feed.token = secrets.token_urlsafe(32)
            feed.last_read_at = None
            feed.save(update_fields=["token", "last_read_at"])
        activity_log_record(entity=feed, action="calendar_feed_reset", actor=user, description="New feed URL")
    return feed


def calendar_feed_revoke(*, user: AbstractBaseUser) -> bool:
    """Delete the user's feed: its URL answers 404 from now on. Returns whether there was one."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def calendar_feed_url(feed: CalendarFeed) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("calendar-feed", args=[feed.token])


def calendar_feed_ics(*, feed: CalendarFeed, today: datetime.date | None = None) -> bytes:
    """The feed: one all-day event per open follow-up of the user, due from 90 days ago on."""
    today = today or timezone.localdate()
    tasks = (
        Interaction.objects.filter(
            follow_up_owner_id=feed.user_id,
            follow_up_done_at__isnull=True,
            next_action_date__gte=today - datetime.timedelta(days=FEED_PAST_DAYS),
        )
        .select_related("prospect")
        .order_by("next_action_date", "id")[:FEED_MAX_EVENTS]
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Prospecting//Follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Prospecting follow-ups")
    host = settings.SITE_URL.split("://")[-1].split("/")[0] or "prospecting"
    stamp = timezone.now()
    for task in tasks:
        event = Event()
        event.add("uid", f"follow-up-{task.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", task.next_action_date)
        event.add("dtend", task.next_action_date + datetime.timedelta(days=1))
        title = task.next_action or "Follow up"
        event.add("summary", f"{title} — {task.prospect.display_name}")
        lines = [f"{task.get_interaction_type_display()}: {task.subject}".rstrip(": ")]
        if task.notes:
            lines.append(task.notes)
        page = reverse("admin:prospects_prospect_change", args=[task.prospect_id])
        lines.append(settings.SITE_URL.rstrip("/") + page)
        event.add("description", "\n".join(lines))
        event.add("url", settings.SITE_URL.rstrip("/") + page)
        calendar.add_component(event)
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    return calendar.to_ical()
