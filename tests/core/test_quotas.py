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
