"""GET stats (the dashboard's numbers) and GET stats/conversions (seed 003 leadSourceRoi) on a known dataset."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from prospecting.interactions.services import interaction_create
from prospecting.prospects.models import Prospect
from prospecting.prospects.services import prospect_convert, prospect_status_change
from tests.factories import (
    CampaignSendFactory,
    InteractionFactory,
    OfflineProspectFactory,
    ProspectFactory,
    ProspectScoreFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"
TODAY = timezone.localdate()


def test_stats_show_the_dashboard_numbers(api_client, staff_user):
    scanned = ProspectFactory(status="active", last_http_check_at=timezone.now())
    ProspectScoreFactory(prospect=scanned, score=80, lead_tier="top_priority")
    other = ProspectFactory(status="pending")
    ProspectScoreFactory(prospect=other, score=40, lead_tier="strategic")
    OfflineProspectFactory(status="pending")
    interaction_create(
        prospect=other,
        data={"interaction_type": "note", "next_action_date": TODAY - datetime.timedelta(days=1)},
        user=staff_user,
    )
    interaction_create(
        prospect=scanned, data={"interaction_type": "email_received", "next_action_date": TODAY}, user=staff_user
    )
    CampaignSendFactory(prospect=scanned, status="sent", opened_at=timezone.now())
    CampaignSendFactory(prospect=other, status="sent")
    CampaignSendFactory(prospect=other, status="failed")
    prospect_convert(prospect=scanned, user=staff_user, plan="business", mrr=49)

    body = api_client.get(BASE + "stats").json()
    assert body["prospects"]["total"] == 3
    assert body["prospects"]["by_status"]["pending"] == 2 and body["prospects"]["by_status"]["converted"] == 1
    assert body["prospects"]["by_channel"] == {"digital": 2, "offline": 1}
    assert body["prospects"]["by_tier"]["top_priority"] == 1 and body["prospects"]["by_tier"]["strategic"] == 1
    assert body["enrichment_coverage"]["http_check"] == {"done": 1, "percent": 33.3}
    assert body["enrichment_coverage"]["score"] == {"done": 2, "percent": 66.7}
    assert body["average_score"] == 60.0
    assert body["outreach"] == {"sent": 2, "opened": 1, "failed": 1, "replies": 1}
    assert body["follow_ups"] == {"overdue": 1, "due_today": 1, "mine_overdue": 1, "mine_due_today": 1}
    assert body["conversions_this_month"] == {"count": 1, "mrr": "49.00"}


def _converted(source, tier, mrr, days, user):
    prospect = ProspectFactory(status="active", source=source)
    ProspectScoreFactory(prospect=prospect, lead_tier=tier)
    prospect_status_change(prospect=prospect, status="contacted", user=user)
    Prospect.objects.filter(pk=prospect.pk).update(contacted_at=timezone.now() - datetime.timedelta(days=days))
    prospect.refresh_from_db()
    return prospect_convert(prospect=prospect, user=user, plan="basic", mrr=mrr)


def test_conversions_report_by_source_and_tier_on_a_known_dataset(api_client, staff_user):
    _converted("domain_scan", "top_priority", 49, 10, staff_user)
    _converted("domain_scan", "quick_win", 29, 20, staff_user)
    _converted("networking_event", "top_priority", 99, 3, staff_user)
    contacted = ProspectFactory(status="contacted", source="domain_scan")
    ProspectScoreFactory(prospect=contacted, lead_tier="quick_win")
    ProspectFactory.create_batch(3, status="active", source="domain_scan")
    ProspectFactory(status="inactive", source="networking_event")

    body = api_client.get(BASE + "stats/conversions").json()
    by_source = {row["group"]: row for row in body["by_source"]}
    assert by_source["domain_scan"] == {
        "group": "domain_scan",
        "prospects": 6,
        "contacted": 3,
        "converted": 2,
        "conversion_rate": 66.7,
        "mrr": "78.00",
        "median_days_to_convert": 15.0,
    }
    assert by_source["networking_event"]["conversion_rate"] == 50.0
    assert by_source["networking_event"]["median_days_to_convert"] == 3.0
    by_tier = {row["group"]: row for row in body["by_tier"]}
    assert (by_tier["top_priority"]["converted"], by_tier["top_priority"]["mrr"]) == (2, "148.00")
    assert by_tier["quick_win"]["conversion_rate"] == 50.0
    assert by_tier[""]["prospects"] == 4  # unscored


def test_conversions_report_refuses_a_bad_date(api_client):
    assert api_client.get(BASE + "stats/conversions", {"from": "last year"}).status_code == 400


def test_convert_endpoint_records_revenue_and_refuses_a_jump(api_client):
    pending, contacted = ProspectFactory(status="pending"), ProspectFactory(status="contacted", source="street")
    body = {"plan": "premium", "mrr": "120.50", "lifetime_value": "2892"}
    response = api_client.post(f"{BASE}prospects/{pending.pk}/convert", body, format="json")
    assert response.status_code == 400 and "cannot become converted" in response.json()["status"][0]
    response = api_client.post(f"{BASE}prospects/{contacted.pk}/convert", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["plan"], data["mrr"], data["attributed_source"], data["days_to_convert"]) == (
        "premium",
        "120.50",
        "street",
        0,
    )
    assert Decimal(data["lifetime_value"]) == Decimal("2892")


def test_interaction_factory_rows_do_not_break_stats(api_client):
    InteractionFactory.create_batch(3)
    assert api_client.get(BASE + "stats").status_code == 200


def test_lead_lists_and_presets_leave_converted_and_inactive_out_unless_asked(api_client, admin_client_logged_in):
    from django.urls import reverse

    open_lead = ProspectFactory(status="active", business_name="Open Lead")
    won = ProspectFactory(status="converted", business_name="Won Lead")
    lost = ProspectFactory(status="inactive", business_name="Lost Lead")
    for prospect in (open_lead, won, lost):
        ProspectScoreFactory(prospect=prospect, score=80, lead_tier="top_priority")
    for url in ("leads", "leads/top-priority"):
        assert [row["id"] for row in api_client.get(BASE + url).json()["results"]] == [open_lead.pk]
    asked = api_client.get(BASE + "leads", {"status": ["converted", "inactive"]}).json()["results"]
    assert {row["id"] for row in asked} == {won.pk, lost.pk}
    html = admin_client_logged_in.get(reverse("admin:scoring_lead_changelist"), {"preset": "top_priority"}).content
    assert b"Open Lead" in html and b"Won Lead" not in html
    html = admin_client_logged_in.get(
        reverse("admin:scoring_lead_changelist"), {"preset": "top_priority", "status__exact": "converted"}
    ).content
    assert b"Won Lead" in html
