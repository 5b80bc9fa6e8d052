import io

import pytest
from django.core.management import call_command

from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.workspace.demo import DIGITAL_COUNT, OFFLINE_COUNT

pytestmark = pytest.mark.django_db


def test_api_docs_page_renders_for_staff(admin_client_logged_in):
    response = admin_client_logged_in.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()  # assets are served locally (sidecar), the machines have no internet


def test_openapi_schema_lists_prospect_endpoints(admin_client_logged_in):
    response = admin_client_logged_in.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/admin/prospecting/prospects" in paths
    assert set(paths["/api/admin/prospecting/prospects/{id}"]) >= {"get", "put", "patch", "delete"}


def test_demo_data_loads_both_channels_every_status_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Prospect.objects.count() == DIGITAL_COUNT + OFFLINE_COUNT
    assert set(Prospect.objects.values_list("status", flat=True)) == set(Prospect.Status.values)
    assert set(Prospect.objects.values_list("channel", flat=True)) == {"digital", "offline"}
    assert ProspectContact.objects.filter(contact_type="email").exists()
    assert Prospect.objects.filter(interactions__isnull=False).distinct().count() >= 10
    # The dashboard's enrichment coverage reads the prospects' step dates: every profile the demo made has one.
    assert not Prospect.objects.filter(tech_profile__isnull=False, last_tech_scan_at__isnull=True).exists()
    assert Prospect.objects.filter(last_performance_scan_at__isnull=False).count() >= 10
    for prospect in Prospect.objects.all():
        prospect.full_clean()


def test_ensure_admin_prints_login(monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", "boss")
    monkeypatch.setenv("ADMIN_PASSWORD", "s3cret-pass")
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    assert "login: boss  password: s3cret-pass" in out.getvalue()
    from django.contrib.auth import authenticate

    user = authenticate(username="boss", password="s3cret-pass")
    assert user is not None and user.is_staff


def test_migrations_are_complete():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
