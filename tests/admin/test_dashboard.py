"""The dashboard (the admin's home page): its numbers, charts and recent jobs, for the prospects the user may see."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from prospecting.core.models import ScanJob
from tests.factories import (
    CampaignSendFactory,
    CampaignTemplateFactory,
    FollowUpFactory,
    ProspectFactory,
    ProspectScoreFactory,
    ScanJobFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_dashboard_counts_prospects_by_status_tier_and_channel_with_links(admin_client_logged_in):
    for score in (12, 55, 58, 91):
        ProspectScoreFactory(prospect=ProspectFactory(status="active"), score=score, lead_tier="quick_win")
    ProspectFactory(status="error", channel="offline", business_name="Café", domain_name="")
    response = admin_client_logged_in.get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    context = response.context
    assert context["stats"]["prospects"]["total"] == 5
    status = {row["key"]: row["count"] for row in context["status_rows"]}
    assert status["active"] == 4 and status["error"] == 1 and status["pending"] == 0
    assert {row["key"]: row["count"] for row in context["channel_rows"]} == {"digital": 4, "offline": 1}
    assert '<span class="badge badge-status-active">Active</span>' in page
    assert reverse("admin:prospects_prospect_changelist") + "?status__exact=error" in page
    assert reverse("admin:scoring_lead_changelist") + "?score__lead_tier__exact=quick_win" in page
    bands = {band["low"]: band["count"] for band in context["score_distribution"]}
    assert bands == {0: 0, 10: 1, 20: 0, 30: 0, 40: 0, 50: 2, 60: 0, 70: 0, 80: 0, 90: 1}
    assert "<svg" in page and "50–59: 2" in page  # the chart's bars say their counts on hover
    coverage = {row["key"]: row["percent"] for row in context["coverage_rows"]}
    assert coverage["score"] == 80.0


def test_dashboard_shows_my_follow_ups_due_today_and_overdue(admin_client_logged_in, staff_user):
    today = timezone.localdate()
    FollowUpFactory(follow_up_owner=staff_user, next_action_date=today - datetime.timedelta(days=3))
    FollowUpFactory(follow_up_owner=staff_user, next_action_date=today - datetime.timedelta(days=1))
    FollowUpFactory(follow_up_owner=staff_user, next_action_date=today)
    FollowUpFactory(follow_up_owner=UserFactory(is_staff=True), next_action_date=today - datetime.timedelta(days=1))
    FollowUpFactory(follow_up_owner=staff_user, next_action_date=today + datetime.timedelta(days=1))
    FollowUpFactory(
        follow_up_owner=staff_user,
        next_action_date=today - datetime.timedelta(days=9),
        follow_up_done_at=timezone.now(),
    )
    response = admin_client_logged_in.get(reverse("admin:index"))
    text = _text(response)
    assert "My follow-ups 2 overdue 1 due today" in text
    listed = [task.next_action_date for task in response.context["my_follow_ups"]]
    assert listed == [today - datetime.timedelta(days=3), today - datetime.timedelta(days=1), today]
    assert response.content.decode().count('<td class="nowrap overdue">') == 2


def test_dashboard_shows_campaign_results_and_conversions_by_source(admin_client_logged_in):
    template = CampaignTemplateFactory(name="Bakeries spring offer")
    for opened in (True, True, False):
        CampaignSendFactory(template=template, status="sent", opened_at=timezone.now() if opened else None)
    ProspectFactory(source="street", status="converted")
    ProspectFactory(source="street", status="contacted")
    response = admin_client_logged_in.get(reverse("admin:index"))
    text = _text(response)
    assert "Bakeries spring offer 3 2 (67 %) 0 0" in text
    assert "street 2 1 50 %" in text


def test_dashboard_recent_jobs_show_progress_and_reload_while_one_runs(admin_client_logged_in):
    ScanJobFactory(
        job_type=ScanJob.JobType.FULL,
        status="running",
        total_items=200,
        processed_items=50,
        heartbeat_at=timezone.now(),
    )
    ScanJobFactory(status="completed", total_items=10, processed_items=10, failed_items=2)
    page = admin_client_logged_in.get(reverse("admin:index")).content.decode()
    assert 'data-refresh="' + reverse("admin:dashboard_jobs") in page
    assert '<progress value="25" max="100">' in page and "50 / 200" in page
    assert "2 failed" in page
    fragment = admin_client_logged_in.get(reverse("admin:dashboard_jobs"))
    assert fragment.status_code == 200 and "data-live" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    ScanJob.objects.update(status="completed", processed_items=200)
    fragment = admin_client_logged_in.get(reverse("admin:dashboard_jobs")).content.decode()
    assert "data-live" not in fragment and "200 / 200" in fragment  # jobs are never cached


def test_dashboard_numbers_are_cached_for_a_short_while(admin_client_logged_in, django_assert_max_num_queries):
    ProspectFactory()
    admin_client_logged_in.get(reverse("admin:index"))
    ProspectFactory()
    response = admin_client_logged_in.get(reverse("admin:index"))
    assert response.context["stats"]["prospects"]["total"] == 1  # kept for STATS_CACHE_SECONDS
    cache.clear()
    with django_assert_max_num_queries(25):
        response = admin_client_logged_in.get(reverse("admin:index"))
    assert response.context["stats"]["prospects"]["total"] == 2


def test_a_sales_user_sees_the_numbers_of_their_own_and_unassigned_prospects(client):
    sales = UserFactory(username="sam", is_staff=True)
    sales.groups.add(Group.objects.get(name="Sales"))
    other = UserFactory(username="olga", is_staff=True)
    for owner in (sales, None, other, other):
        ProspectScoreFactory(prospect=ProspectFactory(owner=owner), score=75, lead_tier="top_priority")
    CampaignSendFactory(prospect=ProspectFactory(owner=other), status="sent")
    client.force_login(StaffUserFactory(username="boss"))
    assert sum(band["count"] for band in client.get(reverse("admin:index")).context["score_distribution"]) == 4
    client.force_login(sales)  # the admin's cached figures are not the Sales user's
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["stats"]["prospects"]["total"] == 2
    assert sum(band["count"] for band in response.context["score_distribution"]) == 2
    assert response.context["campaigns"] == []


def test_dashboard_leaves_out_jobs_for_who_may_not_see_them(client):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_prospect"))
    ScanJobFactory()
    client.force_login(viewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="dash-jobs"' not in page
    assert client.get(reverse("admin:dashboard_jobs")).content.decode().count("<tr") == 0


def test_the_sidebar_and_the_phone_strip_lead_with_the_sales_pages(admin_client_logged_in):
    page = admin_client_logged_in.get(reverse("admin:prospects_prospect_capture")).content.decode()
    strip = page[page.index('id="sales-nav"') :]
    strip = strip[: strip.index("</ul>")]
    assert re.findall(r">([^<]+)</a>", strip) == [
        "Dashboard", "Prospects", "Leads", "Quick capture", "Follow-ups", "Scan jobs", "Campaigns",
    ]  # fmt: skip
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', strip)
    assert current == [reverse("admin:prospects_prospect_capture")]  # not Prospects, whose path it starts with
    assert 'class="app-sales module"' in page
