"""Every admin page of every registered model renders for staff, empty and full, without N+1 queries."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import FACTORY_BY_MODEL, ProspectFactory

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
OURS = [model for model in REGISTERED if model in FACTORY_BY_MODEL]


def test_every_project_model_is_registered_and_has_a_factory():
    from django.apps import apps

    project_models = [m for m in apps.get_models() if m.__module__.startswith("prospecting.")]
    assert project_models
    for model in project_models:
        assert model in admin.site._registry, f"{model._meta.label} has no admin"
        assert model in FACTORY_BY_MODEL, f"{model._meta.label} has no factory"


def _changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_empty_changelist_and_add_page_render(admin_client_logged_in, model):
    assert admin_client_logged_in.get(_changelist_url(model)).status_code == 200
    model_admin = admin.site._registry[model]
    add_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    expected = 200 if model_admin.has_add_permission(_request_for(admin_client_logged_in)) else 403
    assert admin_client_logged_in.get(add_url).status_code == expected


def _request_for(client):
    from django.test import RequestFactory

    from tests.factories import StaffUserFactory

    request = RequestFactory().get("/")
    request.user = StaffUserFactory(username="staff")
    return request


@pytest.mark.parametrize("model", OURS, ids=lambda m: m._meta.label)
def test_changelist_and_change_page_render_with_rows(admin_client_logged_in, model):
    objects = FACTORY_BY_MODEL[model].create_batch(3)
    response = admin_client_logged_in.get(_changelist_url(model))
    assert response.status_code == 200
    change_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[objects[0].pk])
    assert admin_client_logged_in.get(change_url).status_code == 200


@pytest.mark.parametrize("model", OURS, ids=lambda m: m._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(admin_client_logged_in, model):
    factory = FACTORY_BY_MODEL[model]
    factory.create_batch(2)
    admin_client_logged_in.get(_changelist_url(model))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert admin_client_logged_in.get(_changelist_url(model)).status_code == 200
    factory.create_batch(25)
    with CaptureQueriesContext(connection) as many:
        assert admin_client_logged_in.get(_changelist_url(model)).status_code == 200
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


def test_prospect_change_page_shows_everything_inline(admin_client_logged_in):
    from tests.factories import (
        InteractionFactory,
        PerformanceProfileFactory,
        ProspectContactFactory,
        ProspectScoreFactory,
        TechProfileFactory,
    )

    prospect = ProspectFactory(business_name="Garage Weber")
    ProspectContactFactory(prospect=prospect, value="garage@weber.lu")
    InteractionFactory(prospect=prospect, subject="Called the owner")
    TechProfileFactory(prospect=prospect, cms="Joomla")
    PerformanceProfileFactory(prospect=prospect, performance_score=23)
    ProspectScoreFactory(prospect=prospect, score=71, lead_tier="top_priority")
    url = reverse("admin:prospects_prospect_change", args=[prospect.pk])
    html = admin_client_logged_in.get(url).content.decode()
    for text in ["garage@weber.lu", "Called the owner", "Joomla", "23", "Top priority", "71"]:
        assert text in html


def test_site_header_names_the_product(admin_client_logged_in):
    html = admin_client_logged_in.get(reverse("admin:index")).content.decode()
    assert "Prospecting" in html


def test_admin_creates_prospect_with_normalized_domain_and_capturer(admin_client_logged_in, staff_user):
    from prospecting.prospects.models import Prospect

    response = admin_client_logged_in.post(
        reverse("admin:prospects_prospect_add"),
        {
            "channel": "digital",
            "domain_name": "HTTPS://WWW.Admin-Made.LU/x",
            "business_name": "Admin Made",
            "status": "pending",
            "country": "LU",
            "tags": "[]",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
            "interactions-TOTAL_FORMS": "0",
            "interactions-INITIAL_FORMS": "0",
            "score-TOTAL_FORMS": "0",
            "score-INITIAL_FORMS": "0",
            "tech_profile-TOTAL_FORMS": "0",
            "tech_profile-INITIAL_FORMS": "0",
            "performance_profile-TOTAL_FORMS": "0",
            "performance_profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    prospect = Prospect.objects.get()
    assert prospect.domain_name == "admin-made.lu"
    assert prospect.captured_by == staff_user


def test_admin_export_button_downloads_csv(admin_client_logged_in):
    ProspectFactory(domain_name="exported.lu")
    url = reverse("admin:prospects_prospect_export")
    page = admin_client_logged_in.get(url)
    assert page.status_code == 200
    response = admin_client_logged_in.post(
        url,
        {"format": "0", "resource": "0", **{f"prospectresource_{f}": "on" for f in ["domain_name", "status"]}},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "exported.lu" in response.content.decode()
