"""Prospects and leads lists built for a million rows: the same rows in the same order on every page, search by
e-mail or phone, filters whose choices do not scan the table on every load."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from prospecting.core.admin_paging import LargeTablePaginator
from prospecting.prospects.models import Prospect
from tests.factories import ProspectContactFactory, ProspectFactory, ProspectScoreFactory

pytestmark = pytest.mark.django_db
PROSPECTS = reverse("admin:prospects_prospect_changelist")
LEADS = reverse("admin:scoring_lead_changelist")


def test_every_page_shows_its_own_rows_in_the_list_order(admin_client_logged_in, monkeypatch):
    from prospecting.workspace.admin import ProspectAdmin

    monkeypatch.setattr(ProspectAdmin, "list_per_page", 7)
    made = ProspectFactory.create_batch(30)
    expected = list(Prospect.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    seen = []
    for page in range(1, 6):
        response = admin_client_logged_in.get(PROSPECTS, {"p": page})
        seen += [row.pk for row in response.context["cl"].result_list]
    assert seen == expected
    assert sorted(seen) == sorted(p.pk for p in made)


def test_deep_lead_pages_keep_best_first(admin_client_logged_in, monkeypatch):
    from prospecting.scoring.admin import LeadAdmin

    monkeypatch.setattr(LeadAdmin, "list_per_page", 4)
    for score in [5, 90, 42, 77, 13, 64, 31, 88, 50, 20]:
        ProspectScoreFactory(score=score)
    pages = [
        [lead.score.score for lead in admin_client_logged_in.get(LEADS, {"p": p}).context["cl"].result_list]
        for p in (1, 2, 3)
    ]
    assert pages == [[90, 88, 77, 64], [50, 42, 31, 20], [13, 5]]


def test_the_search_box_finds_a_prospect_by_email_or_phone(admin_client_logged_in, api_client):
    wanted = ProspectFactory(business_name="Atelier Kremer")
    ProspectContactFactory(prospect=wanted, contact_type="email", value="contact@atelier-kremer.lu")
    ProspectContactFactory(prospect=wanted, contact_type="phone", value="+352 26 12 34 56")
    ProspectFactory.create_batch(3)
    for term in ["contact@atelier-kremer", "26 12 34", "kremer"]:
        found = admin_client_logged_in.get(PROSPECTS, {"q": term}).context["cl"].result_list
        assert [p.pk for p in found] == [wanted.pk], term
    api = api_client.get("/api/admin/prospecting/prospects", {"search": "atelier-kremer.lu"}).json()
    assert [row["id"] for row in api["results"]] == [wanted.pk]


def test_source_filter_choices_are_read_once_in_a_while(admin_client_logged_in, django_assert_max_num_queries):
    cache.clear()
    ProspectFactory(source="networking_event")
    ProspectFactory(source="domain_scan")
    first = admin_client_logged_in.get(PROSPECTS).content.decode()
    assert "?source=networking_event" in first and "?source=domain_scan" in first
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        admin_client_logged_in.get(PROSPECTS)
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)
    filtered = admin_client_logged_in.get(PROSPECTS, {"source": "domain_scan"}).context["cl"].result_list
    assert [p.source for p in filtered] == ["domain_scan"]


def test_the_list_has_a_creation_date_filter_and_no_per_year_drill_down(admin_client_logged_in):
    ProspectFactory()
    response = admin_client_logged_in.get(PROSPECTS)
    assert response.context["cl"].date_hierarchy is None
    assert "created_at__gte" in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner estimates are read on PostgreSQL only")
def test_on_postgresql_a_big_list_counts_with_the_planner_estimate(monkeypatch):
    from prospecting.core import admin_paging

    ProspectFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prospects_prospect")
    monkeypatch.setattr(admin_paging, "EXACT_COUNT_BELOW", 1)
    queryset = Prospect.objects.order_by("-pk")
    paginator = LargeTablePaginator(queryset, 2)
    assert paginator.count == admin_paging.planner_row_estimate(queryset)
    assert [p.pk for p in paginator.page(2).object_list] == list(queryset.values_list("pk", flat=True)[2:4])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner estimates are read on PostgreSQL only")
def test_on_postgresql_the_leads_api_trusts_a_far_larger_estimate_instead_of_walking_to_the_cap(
    api_client, monkeypatch
):
    from django.test.utils import CaptureQueriesContext

    from prospecting.core import api as core_api

    for score in (61, 72, 83, 94, 65):
        ProspectScoreFactory(score=score)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prospects_prospect")
        cursor.execute("ANALYZE scoring_prospectscore")
    monkeypatch.setattr(core_api.CappedCountPagination, "count_cap", 1)
    monkeypatch.setattr(core_api, "ESTIMATE_MARGIN", 0)
    with CaptureQueriesContext(connection) as queries:
        body = api_client.get("/api/admin/prospecting/leads", {"min_score": 60}).json()
    assert (body["count"], body["count_is_exact"]) == (1, False)
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert len(body["results"]) == 5
