"""Follow-up tasks: owner defaults, closing by the next interaction or done, the prospect's next_follow_up_at,
the upcoming and overdue selectors, and the API of seed 002 (journeys 2 and 5)."""

import datetime

import pytest
from django.utils import timezone

from prospecting.core.models import ActivityLog
from prospecting.interactions.models import Interaction
from prospecting.interactions.selectors import followups_buckets, followups_upcoming
from prospecting.interactions.services import (
    follow_up_done,
    follow_up_snooze,
    interaction_create,
    interaction_delete,
    interaction_update,
)
from prospecting.prospects.models import Prospect
from tests.factories import OfflineProspectFactory, ProspectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"
TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def log(prospect, user, **data):
    data.setdefault("interaction_type", "call")
    return interaction_create(prospect=prospect, data=data, user=user)


def next_follow_up(prospect):
    return Prospect.objects.get(pk=prospect.pk).next_follow_up_at


def test_follow_up_owner_defaults_to_the_prospect_owner_else_the_author(staff_user):
    owner = StaffUserFactory(username="owner")
    owned, unowned = ProspectFactory(owner=owner), ProspectFactory()
    assert log(owned, staff_user, next_action_date=days(3)).follow_up_owner == owner
    assert log(unowned, staff_user, next_action_date=days(3)).follow_up_owner == staff_user
    chosen = StaffUserFactory(username="chosen")
    assert log(owned, staff_user, next_action_date=days(3), follow_up_owner=chosen).follow_up_owner == chosen
    assert log(owned, staff_user, next_action="Call back").follow_up_owner is None  # no date, no task


def test_next_follow_up_at_follows_create_edit_done_and_delete(staff_user):
    prospect = ProspectFactory()
    first = log(prospect, staff_user, next_action="Send proposal", next_action_date=days(5))
    assert next_follow_up(prospect) == days(5)
    interaction_update(interaction=first, data={"next_action_date": days(2)}, user=staff_user)
    assert next_follow_up(prospect) == days(2)
    follow_up_done(interaction=first, user=staff_user)
    assert next_follow_up(prospect) is None
    follow_up_done(interaction=first, user=staff_user, done=False)
    assert next_follow_up(prospect) == days(2)
    interaction_delete(interaction=Interaction.objects.get(pk=first.pk), user=staff_user)
    assert next_follow_up(prospect) is None


def test_logging_the_next_interaction_closes_the_open_follow_up(staff_user):
    prospect = ProspectFactory()
    first = log(prospect, staff_user, next_action="Call back", next_action_date=days(-1))
    second = log(prospect, staff_user, interaction_type="meeting", next_action_date=days(10))
    first.refresh_from_db()
    assert first.follow_up_done_at is not None
    assert second.follow_up_done_at is None
    assert next_follow_up(prospect) == days(10)
    log(prospect, staff_user, interaction_type="note", notes="No follow-up planned")
    assert next_follow_up(prospect) is None
    assert list(followups_upcoming(overdue=True)) == []


def test_snooze_moves_the_due_date_and_logs_it(staff_user):
    prospect = ProspectFactory()
    task = log(prospect, staff_user, next_action_date=days(-3))
    follow_up_snooze(interaction=task, until=days(4), user=staff_user)
    assert next_follow_up(prospect) == days(4)
    assert ActivityLog.objects.get(action="follow_up_snoozed").metadata["new"] == str(days(4))


def test_a_contact_interaction_moves_a_live_prospect_to_contacted_but_a_note_does_not(staff_user):
    noted, called, won = (
        ProspectFactory(status="active"),
        ProspectFactory(status="active"),
        ProspectFactory(status="converted"),
    )
    log(noted, staff_user, interaction_type="note")
    log(called, staff_user, interaction_type="call")
    log(won, staff_user, interaction_type="call")
    statuses = dict(Prospect.objects.values_list("pk", "status"))
    assert (statuses[noted.pk], statuses[called.pk], statuses[won.pk]) == ("active", "contacted", "converted")


def test_upcoming_filters_by_owner_dates_and_overdue(staff_user):
    alice, bob = StaffUserFactory(username="alice"), StaffUserFactory(username="bob")
    late = log(ProspectFactory(), staff_user, next_action_date=days(-2), follow_up_owner=alice)
    soon = log(ProspectFactory(), staff_user, next_action_date=days(1), follow_up_owner=alice)
    far = log(ProspectFactory(), staff_user, next_action_date=days(30), follow_up_owner=alice)
    bobs = log(ProspectFactory(), staff_user, next_action_date=days(1), follow_up_owner=bob)
    assert list(followups_upcoming(owner=alice)) == [late, soon]
    assert list(followups_upcoming(owner=alice, overdue=True)) == [late]
    assert list(followups_upcoming(owner=alice, overdue=False, until=days(60))) == [soon, far]
    assert list(followups_upcoming(date_from=days(0), until=days(5))) == [soon, bobs]
    buckets = followups_buckets(owner=alice)
    assert (buckets.overdue, buckets.later) == ([late], [far])
    assert soon in buckets.today + buckets.this_week + buckets.later


# --- API -----------------------------------------------------------------------------------------------------


def test_journey_2_logs_a_visit_with_a_follow_up_date(api_client, staff_user):
    prospect = OfflineProspectFactory()
    body = {
        "interaction_type": "visit",
        "notes": "Met at trade fair",
        "next_action": "Send proposal",
        "next_action_date": str(days(7)),
    }
    response = api_client.post(f"{BASE}prospects/{prospect.pk}/interactions", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["interaction_type"], data["notes"], data["follow_up_done"]) == ("visit", "Met at trade fair", False)
    assert data["follow_up_owner"] == staff_user.pk
    assert next_follow_up(prospect) == days(7)


def test_journey_5_lists_interactions_upcoming_and_completes_a_follow_up(api_client):
    prospect = ProspectFactory(status="active")
    body = {
        "interaction_type": "call",
        "subject": "Follow-up call",
        "outcome": "positive",
        "next_action": "Send proposal",
        "next_action_date": str(days(3)),
    }
    created = api_client.post(f"{BASE}prospects/{prospect.pk}/interactions", body, format="json").json()
    listed = api_client.get(f"{BASE}prospects/{prospect.pk}/interactions").json()
    assert [row["id"] for row in listed["results"]] == [created["id"]]
    upcoming = api_client.get(f"{BASE}interactions/upcoming", {"owner": "me"}).json()
    assert [row["id"] for row in upcoming["results"]] == [created["id"]]
    assert upcoming["results"][0]["prospect_name"] == prospect.display_name
    done = api_client.post(f"{BASE}interactions/{created['id']}/done", {}, format="json")
    assert done.status_code == 200 and done.json()["follow_up_done"] is True
    assert api_client.get(f"{BASE}interactions/upcoming").json()["results"] == []
    assert Prospect.objects.get(pk=prospect.pk).status == "contacted"


def test_upcoming_api_filters_and_refuses_bad_parameters(api_client, staff_user):
    late = log(ProspectFactory(), staff_user, next_action_date=days(-1))
    later = log(ProspectFactory(), staff_user, next_action_date=days(20))
    get = api_client.get
    assert [r["id"] for r in get(f"{BASE}interactions/upcoming", {"overdue": "true"}).json()["results"]] == [late.pk]
    window = get(f"{BASE}interactions/upcoming", {"from": str(days(0)), "to": str(days(30))}).json()
    assert [r["id"] for r in window["results"]] == [later.pk]
    assert get(f"{BASE}interactions/upcoming", {"from": "tomorrow"}).status_code == 400
    assert get(f"{BASE}interactions/upcoming", {"owner": "someone"}).status_code == 400
    assert get(f"{BASE}interactions/upcoming", {"owner": str(staff_user.pk + 99)}).json()["results"] == []


def test_api_refuses_bad_interaction_bodies_with_400(api_client):
    prospect = ProspectFactory()
    url = f"{BASE}prospects/{prospect.pk}/interactions"
    assert api_client.post(url, {"interaction_type": "telepathy"}, format="json").status_code == 400
    assert (
        api_client.post(url, {"interaction_type": "call", "next_action_date": "soon"}, format="json").status_code == 400
    )
    assert api_client.post(f"{BASE}prospects/999999/interactions", {"interaction_type": "call"}).status_code == 404
    assert not Interaction.objects.exists()


def test_api_edit_snooze_and_delete_keep_the_prospect_in_step(api_client, staff_user):
    prospect = ProspectFactory()
    task = log(prospect, staff_user, next_action_date=days(2))
    url = f"{BASE}interactions/{task.pk}"
    assert api_client.patch(url, {"next_action_date": str(days(9))}, format="json").status_code == 200
    assert next_follow_up(prospect) == days(9)
    snoozed = api_client.post(f"{url}/snooze", {"days": 3}, format="json")
    assert snoozed.status_code == 200 and snoozed.json()["next_action_date"] == str(days(3))
    assert api_client.post(f"{url}/snooze", {}, format="json").status_code == 400
    assert api_client.delete(url).status_code == 204
    assert next_follow_up(prospect) is None


def test_done_on_an_interaction_without_follow_up_is_a_400(api_client, staff_user):
    note = log(ProspectFactory(), staff_user, interaction_type="note")
    response = api_client.post(f"{BASE}interactions/{note.pk}/done", {}, format="json")
    assert response.status_code == 400
    assert "no follow-up" in str(response.json())
