import io

import pytest
from django.core.management import call_command

from prospecting.core.models import ScanJob
from prospecting.prospects.models import Prospect
from prospecting.scoring.models import ProspectScore
from tests.factories import (
    OfflineProspectFactory,
    ProspectContactFactory,
    ProspectFactory,
    ProspectScoreFactory,
    TechProfileFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"


@pytest.fixture
def leads():
    def scored(score, tier, lead_type="", **fields):
        prospect = ProspectFactory(**fields)
        ProspectScoreFactory(
            prospect=prospect,
            score=score,
            lead_tier=tier,
            lead_type=lead_type,
            score_breakdown={
                "no_https": {"component": "technical_health", "points": 10, "rule_points": 10, "label": "No HTTPS"},
                "has_email": {"component": "engagement", "points": 3, "rule_points": 3, "label": "E-mail known"},
            },
        )
        return prospect

    top = scored(85, "top_priority", "no_https", business_name="Top", city="Wiltz")
    ProspectContactFactory(prospect=top, contact_type="email", value="top@top.lu", is_primary=True)
    TechProfileFactory(prospect=top, cms="WordPress")
    quick = scored(65, "quick_win", "outdated_cms", business_name="Quick")
    ProspectContactFactory(prospect=quick, contact_type="email", value="q@quick.lu")
    quick_phone = scored(55, "quick_win", "slow_site", business_name="Phone only")
    ProspectContactFactory(prospect=quick_phone, contact_type="phone", value="+352 1")
    strategic = scored(40, "strategic", "no_website", business_name="Strategic", has_website=False)
    offline = OfflineProspectFactory(business_name="Offline")
    ProspectScoreFactory(prospect=offline, score=72, lead_tier="top_priority", lead_type="no_website")
    ProspectFactory(business_name="Unscored")
    return {"top": top, "quick": quick, "quick_phone": quick_phone, "strategic": strategic, "offline": offline}


def names(response):
    assert response.status_code == 200, response.content
    return [row["business_name"] for row in response.json()["results"]]


def test_leads_list_only_scored_best_first(api_client, leads):
    assert names(api_client.get(BASE + "leads")) == ["Top", "Offline", "Quick", "Phone only", "Strategic"]


def test_lead_payload_explains_the_score(api_client, leads):
    row = api_client.get(BASE + "leads", {"min_score": 80}).json()["results"][0]
    assert row["score"] == 85
    assert row["lead_tier"] == "top_priority"
    assert row["lead_type"] == "no_https"
    assert row["main_reasons"] == ["No HTTPS", "E-mail known"]
    assert row["primary_email"] == "top@top.lu"
    assert set(row["components"]) == {"technical_health", "modernity", "business_value", "engagement"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_score": 60, "has_email": "true", "channel": "digital"}, {"Top", "Quick"}),
        ({"max_score": 55}, {"Phone only", "Strategic"}),
        ({"lead_tier": "quick_win"}, {"Quick", "Phone only"}),
        ({"lead_type": ["no_website", "slow_site"]}, {"Strategic", "Offline", "Phone only"}),
        ({"channel": "offline"}, {"Offline"}),
        ({"has_phone": "true"}, {"Phone only"}),
        ({"has_email": "false"}, {"Phone only", "Strategic", "Offline"}),
        ({"has_website": "false"}, {"Strategic"}),
        ({"city": "wiltz"}, {"Top"}),
        ({"cms": "wordpress"}, {"Top"}),
        ({"contact_type": "phone"}, {"Phone only"}),
        ({"status": "pending", "min_score": 60}, {"Top", "Quick", "Offline"}),
    ],
)
def test_leads_filters_return_exactly_the_right_set(api_client, leads, params, expected):
    assert set(names(api_client.get(BASE + "leads", params))) == expected


def test_top_priority_and_quick_wins_presets(api_client, leads):
    assert names(api_client.get(BASE + "leads/top-priority")) == ["Top", "Offline"]
    assert names(api_client.get(BASE + "leads/quick-wins")) == ["Quick", "Phone only"]
    assert names(api_client.get(BASE + "leads/quick-wins", {"has_phone": "true"})) == ["Phone only"]


def test_leads_query_count_does_not_grow(api_client, leads, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        api_client.get(BASE + "leads")
    for _ in range(20):
        ProspectScoreFactory()
    with django_assert_max_num_queries(3):
        assert len(names(api_client.get(BASE + "leads"))) == 25


def test_score_compute_batch_endpoint_queues_a_job(api_client, django_capture_on_commit_callbacks, sync_tasks):
    prospects = ProspectFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(BASE + "enrichment/score-compute/batch", {"prospect_ids": [prospects[0].pk]})
    assert response.status_code == 202, response.content
    job = ScanJob.objects.get(pk=response.json()["id"])
    assert (job.job_type, job.status, job.total_items, job.processed_items) == ("score_compute", "completed", 1, 1)
    assert ProspectScore.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(BASE + "enrichment/score-compute/batch", {"all": True})
    assert ScanJob.objects.get(pk=response.json()["id"]).processed_items == 3
    assert ProspectScore.objects.count() == 3


def test_score_compute_batch_with_filter_and_stale(api_client, django_capture_on_commit_callbacks, sync_tasks):
    active = ProspectFactory(status="active")
    ProspectFactory(status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(BASE + "enrichment/score-compute/batch", {"filter": {"status": ["active"]}}, format="json")
    assert list(ProspectScore.objects.values_list("prospect_id", flat=True)) == [active.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(BASE + "enrichment/score-compute/batch", {"stale": True})
    assert response.json()["total_items"] == 1
    assert ProspectScore.objects.count() == 2


@pytest.mark.parametrize(
    "payload",
    [{}, {"all": True, "stale": True}, {"filter": {"status": ["bogus"]}}, {"prospect_ids": ["x"]}],
)
def test_score_compute_batch_rejects_bad_requests(api_client, payload):
    response = api_client.post(BASE + "enrichment/score-compute/batch", payload, format="json")
    assert response.status_code == 400
    assert not ScanJob.objects.exists()


def test_compute_scores_command(db):
    ProspectFactory.create_batch(4)
    out = io.StringIO()
    call_command("compute_scores", "--all", "--no-progress", stdout=out)
    assert "Computed 4 scores" in out.getvalue()
    call_command("compute_scores", "--stale", "--no-progress", stdout=out)
    assert "Computed 0 scores" in out.getvalue()
    Prospect.objects.update(last_http_check_at="2999-01-01T00:00:00Z")
    call_command("compute_scores", "--stale", "--no-progress", stdout=out)
    assert "Computed 4 scores" in out.getvalue()


def test_leads_admin_view_shows_tier_badges_reasons_and_presets(admin_client_logged_in, leads):
    html = admin_client_logged_in.get("/admin/scoring/lead/").content.decode()
    assert "Top priority" in html and "top@top.lu" in html and "No HTTPS; E-mail known" in html
    assert "Unscored" not in html
    preset = admin_client_logged_in.get("/admin/scoring/lead/", {"preset": "quick_wins"}).content.decode()
    assert "Phone only" in preset and ">Top<" not in preset


def test_prospect_page_shows_breakdown_and_summary(admin_client_logged_in, django_capture_on_commit_callbacks):
    prospect = ProspectFactory(has_website=True, uses_https=False, status="active")
    from prospecting.scoring.services import score_compute

    score = score_compute(prospect=prospect)
    html = admin_client_logged_in.get(f"/admin/prospects/prospect/{prospect.pk}/change/").content.decode()
    assert "score-breakdown" in html
    assert "Site not served over HTTPS" in html
    assert score.summary.split(".")[0] in html


def test_leads_count_is_capped_but_pages_go_on(api_client, monkeypatch):
    from prospecting.core.api import CappedCountPagination

    monkeypatch.setattr(CappedCountPagination, "count_cap", 3)
    for score in range(10, 17):
        ProspectScoreFactory(score=score)
    first = api_client.get(BASE + "leads", {"page_size": 2}).json()
    assert (first["count"], first["count_is_exact"]) == (3, False)
    assert [row["score"] for row in first["results"]] == [16, 15]
    scores = [row["score"] for row in first["results"]]
    page = first
    while page["next"]:
        page = api_client.get(page["next"]).json()
        scores += [row["score"] for row in page["results"]]
    assert scores == [16, 15, 14, 13, 12, 11, 10]
    assert page["previous"]


def test_leads_count_is_exact_below_the_cap(api_client, leads):
    body = api_client.get(BASE + "leads").json()
    assert (body["count"], body["count_is_exact"], body["next"]) == (5, True, None)
