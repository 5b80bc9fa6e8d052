import pytest

from prospecting.core.models import ActivityLog
from prospecting.prospects.models import Prospect
from tests.factories import (
    OfflineProspectFactory,
    PerformanceProfileFactory,
    ProspectContactFactory,
    ProspectFactory,
    ProspectScoreFactory,
    TechProfileFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/admin/prospecting/prospects"


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_create_digital_prospect_normalizes_domain_and_records_capturer(api_client, staff_user):
    response = api_client.post(URL, {"domain_name": "HTTPS://WWW.Bakery.LU/home", "business_name": "Bakery"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["domain_name"] == "bakery.lu"
    assert body["status"] == "pending"
    assert body["captured_by"] == staff_user.pk
    assert ActivityLog.objects.filter(object_id=str(body["id"]), action="created").exists()


def test_create_offline_prospect_journey_2(api_client):
    response = api_client.post(
        URL,
        {
            "channel": "offline",
            "business_name": "Fleuriste Thill",
            "address": "12, Grand-Rue",
            "city": "Wiltz",
            "postal_code": "L-9501",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["domain_name"] is None


def test_create_rejects_duplicate_domain_after_normalization(api_client):
    ProspectFactory(domain_name="example.lu")
    response = api_client.post(URL, {"domain_name": "http://www.EXAMPLE.lu/"})
    assert response.status_code == 400
    assert "already exists" in response.json()["domain_name"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"channel": "digital", "business_name": "No Domain SA"}, "domain_name"),
        ({"channel": "offline", "city": "Remich"}, "business_name"),
        ({"domain_name": "not a domain"}, "domain_name"),
        ({"domain_name": "ok.lu", "status": "bogus"}, "status"),
        ({"domain_name": "ok.lu", "country": "Luxembourg"}, "country"),
    ],
)
def test_create_rejects_bad_input_with_field_message(api_client, payload, field):
    response = api_client.post(URL, payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not Prospect.objects.exists()


def test_detail_includes_profiles_and_contacts(api_client):
    prospect = ProspectFactory()
    TechProfileFactory(prospect=prospect, cms="Joomla")
    PerformanceProfileFactory(prospect=prospect, performance_score=31)
    ProspectScoreFactory(prospect=prospect, score=77, lead_tier="top_priority")
    ProspectContactFactory(prospect=prospect, value="hello@example.lu", is_primary=True)
    body = api_client.get(f"{URL}/{prospect.pk}").json()
    assert body["tech_profile"]["cms"] == "Joomla"
    assert body["performance_profile"]["performance_score"] == 31
    assert body["score"]["score"] == 77
    assert body["contacts"][0]["value"] == "hello@example.lu"


def test_detail_of_unenriched_prospect_has_null_profiles(api_client):
    body = api_client.get(f"{URL}/{ProspectFactory().pk}").json()
    assert body["tech_profile"] is None
    assert body["performance_profile"] is None
    assert body["score"] is None
    assert body["contacts"] == []


def test_put_replaces_and_patch_updates(api_client):
    prospect = ProspectFactory(domain_name="old.lu", city="Remich")
    response = api_client.put(
        f"{URL}/{prospect.pk}", {"domain_name": "www.new.lu", "business_name": "New", "channel": "digital"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["domain_name"] == "new.lu"
    response = api_client.patch(f"{URL}/{prospect.pk}", {"status": "contacted"})
    assert response.status_code == 200
    prospect.refresh_from_db()
    assert (prospect.status, prospect.domain_name, prospect.business_name) == ("contacted", "new.lu", "New")
    assert ActivityLog.objects.filter(object_id=str(prospect.pk), action="updated").count() == 1
    assert ActivityLog.objects.filter(object_id=str(prospect.pk), action="status_changed").count() == 1


def test_patch_cannot_remove_domain_of_digital_prospect(api_client):
    prospect = ProspectFactory()
    response = api_client.patch(f"{URL}/{prospect.pk}", {"domain_name": ""})
    assert response.status_code == 400
    assert "domain_name" in response.json()


def test_patch_to_a_domain_taken_by_another_prospect_is_rejected(api_client):
    ProspectFactory(domain_name="taken.lu")
    prospect = ProspectFactory()
    response = api_client.patch(f"{URL}/{prospect.pk}", {"domain_name": "WWW.TAKEN.LU"})
    assert response.status_code == 400


def test_delete_removes_prospect_and_logs(api_client):
    prospect = ProspectFactory()
    ProspectContactFactory(prospect=prospect)
    assert api_client.delete(f"{URL}/{prospect.pk}").status_code == 204
    assert not Prospect.objects.filter(pk=prospect.pk).exists()
    assert ActivityLog.objects.filter(object_id=str(prospect.pk), action="deleted").exists()
    assert api_client.get(f"{URL}/{prospect.pk}").status_code == 404


def test_list_filters(api_client):
    active_lux = ProspectFactory(status="active", city="Luxembourg", business_name="Garage Weber")
    pending_esch = ProspectFactory(status="pending", city="Esch-sur-Alzette")
    offline = OfflineProspectFactory(business_name="Fleuriste Thill", city="Wiltz", status="contacted")
    foreign = ProspectFactory(country="BE", city="Arlon", domain_name="arlon-shop.be", status="parked")

    assert ids(api_client.get(URL, {"status": "active"})) == {active_lux.pk}
    assert ids(api_client.get(URL, {"status": ["active", "pending"]})) == {active_lux.pk, pending_esch.pk}
    assert ids(api_client.get(URL, {"channel": "offline"})) == {offline.pk}
    assert ids(api_client.get(URL, {"country": "be"})) == {foreign.pk}
    assert ids(api_client.get(URL, {"city": "esch-sur-alzette"})) == {pending_esch.pk}
    assert ids(api_client.get(URL, {"search": "weber"})) == {active_lux.pk}
    assert ids(api_client.get(URL, {"search": "arlon-shop"})) == {foreign.pk}
    assert len(ids(api_client.get(URL))) == 4


def test_list_rejects_unknown_choice(api_client):
    assert api_client.get(URL, {"status": "bogus"}).status_code == 400


def test_list_is_paginated_and_shows_score(api_client):
    prospects = ProspectFactory.create_batch(3)
    ProspectScoreFactory(prospect=prospects[0], score=88, lead_tier="top_priority")
    body = api_client.get(URL, {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]
    scored = api_client.get(URL, {"ordering": "-score__score"}).json()["results"][0]
    assert (scored["id"], scored["score"], scored["lead_tier"]) == (prospects[0].pk, 88, "top_priority")


def test_list_query_count_does_not_grow_with_rows(api_client, django_assert_max_num_queries):
    ProspectScoreFactory.create_batch(3)
    with django_assert_max_num_queries(4):
        api_client.get(URL)
    ProspectScoreFactory.create_batch(30)
    with django_assert_max_num_queries(4):
        api_client.get(URL)
