"""The iCalendar feed: a public URL (calendar apps cannot sign in) whose secret token is the only key."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from prospecting.interactions.calendar import calendar_feed_ics
from prospecting.interactions.models import CalendarFeed


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar feed.")
    response = HttpResponse(calendar_feed_ics(feed=feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="follow-ups.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
