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


def _member(username, role):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def _client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("cache_seconds", [0, 60])
def test_each_user_sees_the_numbers_of_the_prospects_they_may_see(settings, staff_user, cache_seconds):
    """Sales users see their own and the unassigned prospects, admins everything — also when the shared,
    per-owner aggregates come from the cache filled by another user's request."""
    settings.STATS_CACHE_SECONDS = cache_seconds
    sam, olga = _member("sam", "Sales"), _member("olga", "Sales")
    for owner, count, tier, score in (
        (sam, 2, "top_priority", 90),
        (olga, 3, "quick_win", 50),
        (None, 1, "nurture", 20),
    ):
        for _ in range(count):
            prospect = ProspectFactory(owner=owner, status="active", source=f"src-{owner or 'free'}")
            ProspectScoreFactory(prospect=prospect, score=score, lead_tier=tier)
            CampaignSendFactory(prospect=prospect, status="sent")
    converted = Prospect.objects.filter(owner=olga).first()
    prospect_status_change(prospect=converted, status="contacted", user=staff_user)
    prospect_convert(prospect=converted, user=staff_user, plan="basic", mrr=29)

    olga_stats = _client(olga).get(BASE + "stats").json()  # fills the per-owner cache first
    sam_stats = _client(sam).get(BASE + "stats").json()
    admin_stats = _client(staff_user).get(BASE + "stats").json()
    assert (sam_stats["prospects"]["total"], olga_stats["prospects"]["total"], admin_stats["prospects"]["total"]) == (
        3,
        4,
        6,
    )
    assert sam_stats["prospects"]["by_tier"] == {**sam_stats["prospects"]["by_tier"], "top_priority": 2, "quick_win": 0}
    assert sam_stats["average_score"] == round((90 + 90 + 20) / 3, 1)
    assert (sam_stats["outreach"]["sent"], olga_stats["outreach"]["sent"], admin_stats["outreach"]["sent"]) == (3, 4, 6)
    assert sam_stats["conversions_this_month"]["count"] == 0
    assert olga_stats["conversions_this_month"] == {"count": 1, "mrr": "29.00"}

    sam_report = _client(sam).get(BASE + "stats/conversions").json()
    assert {row["group"] for row in sam_report["by_source"]} == {f"src-{sam}", "src-free"}
    olga_report = _client(olga).get(BASE + "stats/conversions").json()
    olga_rows = {row["group"]: row for row in olga_report["by_tier"]}
    assert (olga_rows["quick_win"]["prospects"], olga_rows["quick_win"]["converted"]) == (3, 1)
    assert "top_priority" not in {row["group"] for row in olga_report["by_tier"]}
    admin_rows = {row["group"]: row for row in _client(staff_user).get(BASE + "stats/conversions").json()["by_tier"]}
    assert {group: row["prospects"] for group, row in admin_rows.items()} == {
        "top_priority": 2,
        "quick_win": 3,
        "nurture": 1,
    }
    assert admin_rows["quick_win"]["mrr"] == "29.00"


def test_the_dashboard_numbers_are_shared_for_a_short_while_then_fresh(settings, api_client):
    settings.STATS_CACHE_SECONDS = 60
    ProspectFactory.create_batch(2)
    assert api_client.get(BASE + "stats").json()["prospects"]["total"] == 2
    ProspectFactory()
    assert api_client.get(BASE + "stats").json()["prospects"]["total"] == 2  # within the minute: the shared figure
    settings.STATS_CACHE_SECONDS = 0
    assert api_client.get(BASE + "stats").json()["prospects"]["total"] == 3
