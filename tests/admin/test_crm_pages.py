"""The CRM screens of the admin: Log interaction on the prospect page and after quick capture, the merged
timeline, and the Follow-ups page with one-click done and snooze."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from prospecting.interactions.models import Interaction
from prospecting.interactions.services import interaction_create
from prospecting.prospects.models import Prospect
from prospecting.prospects.services import prospect_update
from tests.factories import ProspectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def test_log_interaction_form_logs_without_saving_the_prospect(admin_client_logged_in, staff_user):
    prospect = ProspectFactory(status="active", city="Remich")
    page = admin_client_logged_in.get(reverse("admin:prospects_prospect_change", args=[prospect.pk])).content.decode()
    assert "Log interaction" in page
    url = reverse("admin:prospects_prospect_log_interaction", args=[prospect.pk])
    body = {
        "interaction_type": "call",
        "subject": "Called the owner",
        "notes": "Wants a shop",
        "next_action": "Send proposal",
        "next_action_date": str(days(2)),
    }
    response = admin_client_logged_in.post(url, body, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:prospects_prospect_change", args=[prospect.pk])
    assert "Call logged on" in response.content.decode()
    interaction = Interaction.objects.get()
    assert (interaction.notes, interaction.created_by, interaction.follow_up_owner) == (
        "Wants a shop",
        staff_user,
        staff_user,
    )
    prospect.refresh_from_db()
    assert (prospect.next_follow_up_at, prospect.status, prospect.city) == (days(2), "contacted", "Remich")


def test_log_interaction_form_with_a_bad_date_says_why_and_logs_nothing(admin_client_logged_in):
    prospect = ProspectFactory()
    url = reverse("admin:prospects_prospect_log_interaction", args=[prospect.pk])
    response = admin_client_logged_in.post(url, {"interaction_type": "call", "next_action_date": "32/13"}, follow=True)
    assert "Interaction not logged" in response.content.decode()
    assert not Interaction.objects.exists()


def test_quick_capture_offers_log_interaction_for_the_new_lead(admin_client_logged_in):
    response = admin_client_logged_in.post(
        reverse("admin:prospects_prospect_capture"), {"business_name": "Garage Klein", "interaction_type": "visit"}
    )
    assert "Log interaction" in response.content.decode()
    prospect = Prospect.objects.get()
    url = reverse("admin:prospects_prospect_log_interaction", args=[prospect.pk])
    response = admin_client_logged_in.post(url, {"interaction_type": "sms", "next": "capture"})
    assert response["Location"] == reverse("admin:prospects_prospect_capture")
    assert prospect.interactions.filter(interaction_type="sms").exists()


def test_prospect_page_shows_one_timeline_of_activity_and_interactions_newest_first(admin_client_logged_in, staff_user):
    prospect = ProspectFactory(status="active")
    interaction_create(prospect=prospect, data={"interaction_type": "visit", "notes": "Met the baker"}, user=staff_user)
    prospect.refresh_from_db()
    prospect_update(prospect=prospect, data={"status": "inactive"}, user=staff_user)
    html = admin_client_logged_in.get(reverse("admin:prospects_prospect_change", args=[prospect.pk])).content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert "Met the baker" in timeline
    assert timeline.index("Contacted → Inactive") < timeline.index("Met the baker")


def test_follow_ups_page_groups_mine_by_default_and_done_and_snooze_work(admin_client_logged_in, staff_user):
    other = StaffUserFactory(username="other")
    mine_late = interaction_create(
        prospect=ProspectFactory(business_name="Late Bakery"),
        data={"interaction_type": "call", "next_action": "Call back", "next_action_date": days(-2)},
        user=staff_user,
    )
    interaction_create(
        prospect=ProspectFactory(business_name="Today Florist"),
        data={"interaction_type": "call", "next_action_date": TODAY},
        user=staff_user,
    )
    interaction_create(
        prospect=ProspectFactory(business_name="Not Mine Garage"),
        data={"interaction_type": "call", "next_action_date": TODAY, "follow_up_owner": other},
        user=staff_user,
    )
    url = reverse("admin:interactions_followup_changelist")
    html = admin_client_logged_in.get(url).content.decode()
    assert "Late Bakery" in html and "Today Florist" in html and "Not Mine Garage" not in html
    assert html.index("Overdue") < html.index("Late Bakery") < html.index("Today (") < html.index("Today Florist")
    assert "Not Mine Garage" in admin_client_logged_in.get(url, {"owner": "all"}).content.decode()

    admin_client_logged_in.post(url, {"interaction": mine_late.pk, "action": "snooze", "until": str(days(7))})
    assert Prospect.objects.get(pk=mine_late.prospect_id).next_follow_up_at == days(7)
    admin_client_logged_in.post(url, {"interaction": mine_late.pk, "action": "done"})
    assert Interaction.objects.get(pk=mine_late.pk).follow_up_done_at is not None
    assert "Late Bakery" not in admin_client_logged_in.get(url).content.decode()
    response = admin_client_logged_in.post(url, {"interaction": mine_late.pk, "action": "snooze", "until": "x"})
    assert response.status_code == 302


def test_conversions_page_shows_the_report_and_the_dashboard(admin_client_logged_in, staff_user):
    from prospecting.prospects.services import prospect_convert

    prospect = ProspectFactory(status="contacted", source="networking_event")
    prospect_convert(prospect=prospect, user=staff_user, plan="business", mrr=59)
    url = reverse("admin:prospects_prospect_conversions_report")
    html = admin_client_logged_in.get(url).content.decode()
    assert "networking_event" in html and "59.00" in html and "100.0 %" in html
    assert "wrong format" in admin_client_logged_in.get(url, {"from": "yesterday"}).content.decode()
    changelist = admin_client_logged_in.get(reverse("admin:prospects_prospect_changelist")).content.decode()
    assert url in changelist
