"""Monthly quotas per user (seed 004): scans and e-mails counted when work starts, refused with a clear message
over the limit (400 in the API, a message in the admin), usage shown against the quota in the admin."""

import pytest
from django.urls import reverse

from prospecting.core.models import ScanJob, UsageCounter
from prospecting.core.quotas import QuotaExceeded, quota_consume, quota_usage
from tests.factories import ProspectFactory, StaffUserFactory, UserQuotaFactory

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"


def test_usage_is_counted_and_a_request_past_the_limit_is_refused_whole(staff_user):
    UserQuotaFactory(user=staff_user, scans_per_month=10)
    quota_consume(user=staff_user, kind="scans", amount=7)
    with pytest.raises(QuotaExceeded) as error:
        quota_consume(user=staff_user, kind="scans", amount=4)
    message = error.value.message_dict["quota"][0]
    assert "Monthly quota of 10 enrichment scans reached: 7 used this month, 4 asked, 3 left" in message
    quota_consume(user=staff_user, kind="scans", amount=3)
    usage = quota_usage(user=staff_user)
    assert (usage["scans"]["used"], usage["scans"]["left"]) == (10, 0)
    assert usage["emails"] == {**usage["emails"], "used": 0, "limit": 1000}


def test_without_a_quota_usage_is_counted_but_never_refused():
    user = StaffUserFactory(username="free")
    quota_consume(user=user, kind="emails", amount=10_000)
    assert UsageCounter.objects.get(user=user).used == 10_000


def test_a_batch_scan_over_quota_is_a_400_and_starts_nothing(api_client, staff_user):
    UserQuotaFactory(user=staff_user, scans_per_month=2)
    prospects = ProspectFactory.create_batch(3)
    response = api_client.post(
        BASE + "enrichment/http-check/batch", {"prospect_ids": [p.pk for p in prospects]}, format="json"
    )
    assert response.status_code == 400
    assert "Monthly quota of 2 enrichment scans reached" in response.json()["quota"][0]
    assert not ScanJob.objects.filter(job_type="http_check").exists()
    ok = api_client.post(BASE + "enrichment/http-check/batch", {"prospect_ids": [prospects[0].pk]}, format="json")
    assert ok.status_code == 202


def test_a_campaign_over_the_email_quota_queues_nothing(api_client, staff_user):
    from prospecting.outreach.models import CampaignSend
    from tests.factories import CampaignTemplateFactory, ProspectContactFactory

    UserQuotaFactory(user=staff_user, emails_per_month=1)
    template = CampaignTemplateFactory(subject_template="Bonjour", body_template="Bonjour {business_name}")
    prospects = ProspectFactory.create_batch(2, status="active")
    for prospect in prospects:
        ProspectContactFactory(prospect=prospect, contact_type="email")
    body = {"template_id": template.pk, "prospect_ids": [p.pk for p in prospects]}
    response = api_client.post(BASE + "campaigns/send", body, format="json")
    assert response.status_code == 400, response.content
    assert "Monthly quota of 1 e-mails sent reached" in response.json()["quota"][0]
    assert not CampaignSend.objects.exists()


def test_admin_shows_usage_against_quota_and_refuses_a_scan_over_it(admin_client_logged_in, staff_user):
    UserQuotaFactory(user=staff_user, scans_per_month=1)
    quota_consume(user=staff_user, kind="scans", amount=1)
    html = admin_client_logged_in.get(reverse("admin:core_userquota_changelist")).content.decode()
    assert "1 of 1 (100 %)" in html
    prospect = ProspectFactory()
    response = admin_client_logged_in.post(
        reverse("admin:prospects_prospect_changelist"),
        {"action": "run_http_check", "_selected_action": [prospect.pk]},
        follow=True,
    )
    assert "Monthly quota of 1 enrichment scans reached" in response.content.decode()
    assert not ScanJob.objects.filter(job_type="http_check").exists()


def _member(username, role):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_an_admin_sets_a_limit_through_the_api_and_the_user_is_held_to_it(api_client, staff_user):
    from rest_framework.test import APIClient

    from prospecting.core.models import ActivityLog

    sam = _member("sam", "Sales")
    url = f"{BASE}quotas/{sam.pk}"
    response = api_client.put(url, {"scans_per_month": 5, "emails_per_month": None}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["scans"] == {"used": 0, "limit": 5, "left": 5, "period": response.json()["scans"]["period"]}
    assert response.json()["emails"]["limit"] is None
    assert ActivityLog.objects.filter(action="quota_set", actor=staff_user).exists()

    quota_consume(user=sam, kind="scans", amount=4)
    with pytest.raises(QuotaExceeded):
        quota_consume(user=sam, kind="scans", amount=2)
    listing = api_client.get(f"{BASE}quotas").json()["results"]
    assert {row["username"]: row["scans"]["used"] for row in listing}["sam"] == 4

    own = APIClient()
    own.force_authenticate(sam)
    mine = own.get(f"{BASE}quotas/me")
    assert mine.status_code == 200
    assert (mine.json()["scans"]["used"], mine.json()["scans"]["left"]) == (4, 1)
    # A Sales user reads the team's usage (the role reads everything) but cannot raise their own limit.
    assert own.get(f"{BASE}quotas").status_code == 200
    assert own.put(url, {"scans_per_month": 1000, "emails_per_month": None}, format="json").status_code == 403
    assert quota_usage(user=sam)["scans"]["limit"] == 5


def test_a_bad_limit_is_a_400_and_changes_nothing(api_client):
    sam = _member("sam", "Sales")
    UserQuotaFactory(user=sam, scans_per_month=5)
    for body in ({"scans_per_month": -1, "emails_per_month": None}, {"scans_per_month": "many"}, {}):
        response = api_client.put(f"{BASE}quotas/{sam.pk}", body, format="json")
        assert response.status_code == 400, body
    assert quota_usage(user=sam)["scans"]["limit"] == 5
    assert api_client.get(f"{BASE}quotas/999999").status_code == 404


def test_listing_everyones_usage_costs_the_same_queries_for_many_users(api_client, django_assert_max_num_queries):
    for n in range(30):
        quota_consume(user=_member(f"user{n}", "Sales"), kind="emails", amount=n + 1)
    with django_assert_max_num_queries(8):
        rows = api_client.get(f"{BASE}quotas?page_size=50").json()["results"]
    assert sorted(row["emails"]["used"] for row in rows if row["username"].startswith("user")) == list(range(1, 31))
