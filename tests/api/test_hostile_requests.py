"""Requests a hostile tester sends: racing writes, absurd bodies, and staff users without permissions."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from prospecting.prospects.models import Prospect
from prospecting.prospects.services import prospect_update
from prospecting.scoring import services as scoring_services
from prospecting.scoring.models import ProspectScore
from tests.factories import ProspectFactory, StaffUserFactory
from tests.urls_inventory import all_endpoints

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"


# --- writes that race ----------------------------------------------------------------------------------------


def test_an_update_of_a_prospect_deleted_meanwhile_never_brings_it_back(staff_user):
    prospect = ProspectFactory()
    stale_copy = Prospect.objects.get(pk=prospect.pk)
    Prospect.objects.filter(pk=prospect.pk).delete()
    with pytest.raises(Prospect.DoesNotExist):
        prospect_update(prospect=stale_copy, data={"city": "Wiltz"}, user=staff_user)
    assert not Prospect.objects.exists()


def test_a_patch_racing_a_delete_answers_404_and_the_prospect_stays_deleted(api_client, monkeypatch):
    prospect = ProspectFactory()
    from prospecting.prospects.serializers import ProspectWriteSerializer

    real_is_valid = ProspectWriteSerializer.is_valid

    def deleted_meanwhile(self, *args, **kwargs):  # the DELETE lands between reading and saving
        Prospect.objects.filter(pk=prospect.pk).delete()
        return real_is_valid(self, *args, **kwargs)

    monkeypatch.setattr(ProspectWriteSerializer, "is_valid", deleted_meanwhile)
    response = api_client.patch(BASE + f"prospects/{prospect.pk}", {"city": "Wiltz"}, format="json")
    assert response.status_code == 404
    assert not Prospect.objects.filter(pk=prospect.pk).exists()


@pytest.mark.django_db(transaction=True)  # the foreign key is checked when the score's transaction commits
def test_a_score_refresh_skips_a_prospect_deleted_between_reading_and_writing(monkeypatch):
    kept, gone = ProspectFactory(), ProspectFactory()
    real_facts = scoring_services._facts_queryset

    def facts_then_delete(queryset):
        rows = list(real_facts(queryset))
        Prospect.objects.filter(pk=gone.pk).delete()
        return rows

    monkeypatch.setattr(scoring_services, "_facts_queryset", facts_then_delete)
    assert scoring_services.scores_compute_batch(queryset=Prospect.objects.filter(pk__in=[kept.pk, gone.pk])) == 1
    assert list(ProspectScore.objects.values_list("prospect_id", flat=True)) == [kept.pk]


# --- absurd bodies -------------------------------------------------------------------------------------------


def test_deeply_nested_json_is_a_400(api_client):
    body = "[" * 100_000 + "]" * 100_000
    response = api_client.generic("POST", BASE + "prospects", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"), [("location_lat", 91), ("location_lng", 181), ("location_lat", -1e308), ("location_lng", 1e308)]
)
def test_coordinates_outside_the_earth_are_refused(api_client, field, value):
    body = {"channel": "offline", "business_name": "Garage Klein", field: value}
    response = api_client.post(BASE + "prospects", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Prospect.objects.exists()


def test_page_size_that_is_not_a_number_is_a_400(api_client):
    response = api_client.get(BASE + "prospects", {"page_size": "ten"})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_a_page_number_no_database_can_hold_is_a_404(api_client):
    assert api_client.get(BASE + "leads", {"page": "8375909568082558294626317243514880"}).status_code == 404
    assert api_client.get(BASE + "prospects", {"page": "8375909568082558294626317243514880"}).status_code == 404


def test_an_id_no_database_can_hold_is_a_400(api_client):
    response = api_client.post(BASE + "enrichment/tech-scan/batch", {"prospect_ids": [8421157495719891660963840]})
    assert response.status_code == 400
    response = api_client.post(BASE + "enrichment/score-compute/batch", {"prospect_ids": [2**64]})
    assert response.status_code == 400


def test_an_unknown_api_path_answers_json_not_a_web_page(api_client, settings):
    settings.DEBUG = False
    response = api_client.get(BASE + "prospects/0.5")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_form_with_more_fields_than_django_accepts_answers_json_not_a_web_page(api_client, settings):
    settings.DEBUG = False
    ids = "&".join(f"prospect_ids={n}" for n in range(1, 1500))  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = api_client.generic(
        "POST", BASE + "enrichment/tech-scan/batch", ids, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_the_schema_says_what_can_be_null_and_which_errors_come_back(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    detail = schema["components"]["schemas"]["ProspectDetail"]["properties"]
    for name in ("tech_profile", "performance_profile", "score"):
        assert detail[name].get("nullable") or any(
            option.get("type") == "null" for option in detail[name].get("oneOf", []) + detail[name].get("anyOf", [])
        ), detail[name]
    operation = schema["paths"]["/api/admin/prospecting/prospects/{id}"]["patch"]["responses"]
    assert {"400", "403", "404"} <= set(operation)


# --- permissions ---------------------------------------------------------------------------------------------

API = [e for e in all_endpoints() if e.path.startswith(BASE)]


@pytest.fixture
def staff_without_permissions(client):
    user = StaffUserFactory(username="new-colleague", is_superuser=False)
    client.force_login(user)
    return user


@pytest.mark.parametrize("endpoint", API, ids=lambda e: e.path)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_a_staff_user_without_permissions_gets_nothing_from_the_api(
    client, staff_without_permissions, endpoint, method
):
    ProspectFactory(pk=1)
    response = getattr(client, method)(endpoint.path, content_type="application/json")
    assert response.status_code in {403, 405}, (endpoint.path, method, response.status_code)
    assert Prospect.objects.filter(pk=1).exists()


def test_a_view_only_user_reads_but_cannot_write(client, staff_without_permissions):
    staff_without_permissions.user_permissions.add(Permission.objects.get(codename="view_prospect"))
    prospect = ProspectFactory()
    assert client.get(BASE + "prospects").status_code == 200
    assert client.get(BASE + f"prospects/{prospect.pk}").status_code == 200
    assert client.get(BASE + "leads/export/csv").status_code == 200
    assert client.delete(BASE + f"prospects/{prospect.pk}").status_code == 403
    assert client.post(BASE + "enrichment/http-check/batch", {"prospect_ids": [prospect.pk]}).status_code == 403
    assert client.post(BASE + f"enrichment/http-check/{prospect.pk}").status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "admin:prospects_prospect_import",
        "admin:prospects_prospect_export",
        "admin:prospects_prospect_capture",
    ],
)
def test_admin_import_export_and_capture_need_model_permissions(client, staff_without_permissions, name):
    staff_without_permissions.user_permissions.add(Permission.objects.get(codename="view_prospect"))
    response = client.get(reverse(name))
    assert response.status_code == 403 if name != "admin:prospects_prospect_export" else response.status_code == 200
    if name == "admin:prospects_prospect_export":  # view permission: export is allowed, import and capture not
        return
    assert client.post(reverse(name), {"business_name": "X"}).status_code == 403


def test_admin_without_view_permission_cannot_export(client, staff_without_permissions):
    assert client.get(reverse("admin:prospects_prospect_export")).status_code == 403


def test_enrichment_actions_are_not_offered_without_change_permission(client, staff_without_permissions):
    staff_without_permissions.user_permissions.add(Permission.objects.get(codename="view_prospect"))
    page = client.get(reverse("admin:prospects_prospect_changelist")).content.decode()
    assert "export_leads_csv" in page
    assert "run_http_check" not in page and "recompute_scores" not in page
    prospect = ProspectFactory()
    button = reverse("admin:prospects_prospect_full_enrichment", args=[prospect.pk])
    assert client.post(button).status_code == 403
