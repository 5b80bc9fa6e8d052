"""The morning digest (a django-q2 schedule, e-mails through the locmem backend in tests) and the private
iCalendar feed (parsed back with the icalendar library), with its revocable token."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule
from icalendar import Calendar

from prospecting.core.models import ScanJob
from prospecting.interactions.calendar import calendar_feed_reset, calendar_feed_revoke
from prospecting.interactions.digest import SCHEDULE_NAME, followup_digest_schedule_sync, followup_digest_start
from prospecting.interactions.services import follow_up_done, interaction_create
from tests.factories import ProspectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def task(owner, due, name, action="Call back"):
    return interaction_create(
        prospect=ProspectFactory(business_name=name),
        data={"interaction_type": "call", "next_action": action, "next_action_date": due, "follow_up_owner": owner},
        user=owner,
    )


@pytest.fixture
def owners(db):
    return StaffUserFactory(username="alice", email="alice@agency.lu"), StaffUserFactory(
        username="bob", email="bob@agency.lu"
    )


def test_the_digest_is_scheduled_daily_at_the_configured_time(settings):
    settings.FOLLOW_UP_DIGEST_TIME = "06:45"
    followup_digest_schedule_sync()
    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    assert (schedule.schedule_type, schedule.func) == (
        Schedule.DAILY,
        "prospecting.interactions.tasks.followup_digest_task",
    )
    local = timezone.localtime(schedule.next_run)
    assert (local.hour, local.minute) == (6, 45) and schedule.next_run > timezone.now()
    settings.FOLLOW_UP_DIGEST_TIME = ""
    followup_digest_schedule_sync()
    assert not Schedule.objects.filter(name=SCHEDULE_NAME).exists()


def test_the_digest_mails_each_owner_their_overdue_and_todays_follow_ups_once(owners, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice, bob = owners
    task(alice, days(-2), "Late Bakery", "Send proposal")
    task(alice, TODAY, "Today Florist")
    task(alice, days(3), "Future Garage")
    done = task(bob, days(-1), "Done Butcher")
    follow_up_done(interaction=done, user=bob)

    from prospecting.interactions.tasks import followup_digest_task

    job = ScanJob.objects.get(pk=followup_digest_task())
    assert job.status == "pending"  # queued for the workers
    from prospecting.core.jobs import job_run

    job_run(job_id=job.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@agency.lu"]
    assert message.subject == "Follow-ups: 1 overdue, 1 due today"
    assert "Send proposal — Late Bakery" in message.body and "Today Florist" in message.body
    assert "Future Garage" not in message.body
    assert followup_digest_start().pk == job.pk  # a second start the same day is the same job: no second mail
    job_run(job_id=job.pk)
    assert len(mail.outbox) == 1


def _parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_the_calendar_feed_lists_open_follow_ups_and_its_token_can_be_revoked(owners, client):
    alice, bob = owners
    task(alice, days(2), "Garage Weber", "Send proposal")
    closed = task(alice, days(5), "Closed Shop")
    follow_up_done(interaction=closed, user=alice)
    task(bob, days(1), "Bob's Prospect")
    feed = calendar_feed_reset(user=alice)
    url = reverse("calendar-feed", args=[feed.token])
    events = _parse(client, url).walk("VEVENT")
    assert [str(event["summary"]) for event in events] == ["Send proposal — Garage Weber"]
    assert events[0].decoded("dtstart") == days(2)
    assert "/admin/prospects/prospect/" in str(events[0]["description"])

    new = calendar_feed_reset(user=alice)
    assert client.get(url).status_code == 404  # the old address stops working
    assert _parse(client, reverse("calendar-feed", args=[new.token]))
    calendar_feed_revoke(user=alice)
    assert client.get(reverse("calendar-feed", args=[new.token])).status_code == 404
    assert client.get(reverse("calendar-feed", args=["guess"])).status_code == 404


def test_follow_ups_page_gives_and_revokes_my_feed(admin_client_logged_in, staff_user):
    url = reverse("admin:interactions_followup_changelist")
    admin_client_logged_in.post(url, {"action": "feed_reset"})
    html = admin_client_logged_in.get(url).content.decode()
    token = staff_user.calendar_feed.token
    assert f"/calendar/{token}.ics" in html
    admin_client_logged_in.post(url, {"action": "feed_revoke"})
    assert "Get a calendar feed" in admin_client_logged_in.get(url).content.decode()


def test_my_calendar_feed_from_the_api_reset_and_switched_off(owners, client):
    from rest_framework.test import APIClient

    alice, bob = owners
    task(alice, days(3), "Garage Weber", "Send proposal")
    api = APIClient()
    api.force_authenticate(alice)
    base = "/api/admin/prospecting/calendar-feed"
    assert api.get(base).json() == {"active": False, "url": None, "created_at": None, "last_read_at": None}

    first = api.post(f"{base}/reset").json()
    assert first["active"] is True
    path = first["url"].split("://", 1)[-1].split("/", 1)[1]
    assert [str(e["summary"]) for e in _parse(client, "/" + path).walk("VEVENT")] == ["Send proposal — Garage Weber"]
    assert api.get(base).json()["last_read_at"] is not None

    second = api.post(f"{base}/reset").json()
    assert second["url"] != first["url"]
    assert client.get("/" + path).status_code == 404  # the old address stops working at once
    bob_feed = calendar_feed_reset(user=bob)

    assert api.delete(base).status_code == 204
    assert api.get(base).json()["active"] is False
    assert client.get("/" + second["url"].split("://", 1)[-1].split("/", 1)[1]).status_code == 404
    assert client.get(reverse("calendar-feed", args=[bob_feed.token])).status_code == 200  # only mine went
