"""Access (Art. 15): the export holds the person's data from every table that holds it, with its origin."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from prospecting.privacy.models import PrivacyRequest
from prospecting.privacy.selectors import Subject
from prospecting.privacy.services import person_access_export
from tests.factories import UserFactory
from tests.privacy.world import EMAIL, NAME, PHONE_DIGITS, person_everywhere, tables_holding

pytestmark = pytest.mark.django_db
URL = "/api/admin/prospecting/privacy/access"


def _exported_rows(data):
    rows = {label: {row["id"] for row in items} for label, items in data["records"].items()}
    rows.setdefault("prospects.Prospect", set()).update(p["id"] for p in data["prospects"])
    rows.setdefault("prospects.ProspectContact", set()).update(c["id"] for c in data["contacts"])
    return rows


def test_the_export_covers_every_row_of_every_table_that_holds_the_person():
    world = person_everywhere()
    held = tables_holding(email=EMAIL, digits=PHONE_DIGITS, name=NAME)
    export = person_access_export(subject=Subject(emails=[EMAIL], phones=["+352621555777"], names=[NAME]))
    exported = _exported_rows(export.data)
    for label, pks in held.items():
        assert pks <= exported.get(label, set()), label
    # Where each datum came from.
    contact = next(c for c in export.data["contacts"] if c["value"] == EMAIL)
    assert contact["source"].startswith("manual")
    prospect = next(p for p in export.data["prospects"] if p["id"] == world.prospect.pk)
    assert prospect["lawful_basis"] == "legitimate_interest" and "notes" in prospect["field_sources"]
    import_row = export.data["records"]["prospects.ImportRow"][0]
    assert import_row["source"].startswith("import batch") and "line 2" in import_row["source"]
    assert export.data["suppression"] == [
        {"kind": "email", "reason": "unsubscribed", "since": export.data["suppression"][0]["since"]}
    ]
    # The register keeps counts, not the person.
    request = PrivacyRequest.objects.get(kind="access")
    assert EMAIL not in json.dumps(request.counts) and request.counts["rows"]["prospects.ImportRow"] == 1


def test_the_csv_has_one_line_per_datum_with_its_source():
    person_everywhere()
    export = person_access_export(subject=Subject(emails=[EMAIL]))
    rows = list(export.csv_rows)
    assert any(r[1] == "prospects.ProspectContact" and r[3] == "value" and r[4] == EMAIL for r in rows)
    assert all(len(r) == 6 for r in rows)
    assert any(r[1] == "discovery.RawRecord" and r[5].startswith("discovery source Directory") for r in rows)


def _member(role):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_exports_json_and_csv_for_the_admin_role_only():
    person_everywhere()
    assert _member("Sales").post(URL, {"emails": [EMAIL]}, format="json").status_code == 403
    assert _member("Viewer").post(URL, {"emails": [EMAIL]}, format="json").status_code == 403
    admin = _member("Admin")
    assert admin.post(URL, {"phones": ["12"]}, format="json").status_code == 400
    body = admin.post(URL, {"emails": [EMAIL]}, format="json").json()
    assert body["subject"]["emails"] == [EMAIL] and body["contacts"]
    response = admin.post(URL, {"emails": [EMAIL], "format": "csv"}, format="json")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == ["section", "table", "record_id", "field", "value", "source"]


def test_the_command_and_the_admin_page_export(tmp_path, admin_client_logged_in):
    person_everywhere()
    target = tmp_path / "marie.json"
    call_command("privacy_export", "--email", EMAIL, "--output", str(target), stderr=io.StringIO())
    assert json.loads(target.read_text())["contacts"][0]["value"] == EMAIL
    response = admin_client_logged_in.post(reverse("admin:privacy_access"), {"emails": EMAIL, "format": "csv"})
    assert response.status_code == 200 and EMAIL in b"".join(response.streaming_content).decode("utf-8-sig")
