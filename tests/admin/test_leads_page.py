"""The Leads page as a sales user works with it: best first, exported as they see it, never deleted from here."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from prospecting.prospects.models import Prospect
from tests.factories import ProspectContactFactory, ProspectFactory, ProspectScoreFactory

pytestmark = pytest.mark.django_db

LEADS = reverse("admin:scoring_lead_changelist")
EXPORT = reverse("admin:scoring_lead_export")


@pytest.fixture
def leads():
    made = {}
    for name, score, tier in [
        ("Boulangerie Alpha", 24, "low_priority"),
        ("Garage Beta", 72, "top_priority"),
        ("Café Gamma", 20, "low_priority"),
        ("Fleurs Delta", 80, "top_priority"),
        ("Menuiserie Epsilon", 55, "quick_win"),
    ]:
        prospect = ProspectFactory(business_name=name, city="Esch-sur-Alzette")
        ProspectScoreFactory(
            prospect=prospect, score=score, lead_tier=tier, reason_flags=["no_website"] if score > 50 else []
        )
        made[name] = prospect
    ProspectContactFactory(prospect=made["Garage Beta"], contact_type="phone", value="+352 621 123 456")
    ProspectContactFactory(prospect=made["Fleurs Delta"], contact_type="email", value="=HYPERLINK(1)@x.lu")
    return made


def _names(response):
    return [lead.business_name for lead in response.context["cl"].result_list]


def test_leads_open_best_first_and_a_preset_keeps_that_order(admin_client_logged_in, leads):
    assert _names(admin_client_logged_in.get(LEADS)) == [
        "Fleurs Delta", "Garage Beta", "Menuiserie Epsilon", "Boulangerie Alpha", "Café Gamma",
    ]  # fmt: skip
    assert _names(admin_client_logged_in.get(LEADS, {"preset": "top_priority"})) == ["Fleurs Delta", "Garage Beta"]


def test_leads_cannot_be_deleted_from_the_leads_page(admin_client_logged_in, leads):
    response = admin_client_logged_in.get(LEADS)
    actions = [choice[0] for choice in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert {"export_xlsx", "export_csv", "export_csv_semicolon"} <= set(actions)
    response = admin_client_logged_in.post(
        LEADS, {"action": "delete_selected", "_selected_action": [leads["Garage Beta"].pk], "post": "yes"}
    )
    assert Prospect.objects.filter(pk=leads["Garage Beta"].pk).exists()


def test_the_page_exports_what_it_shows_as_excel_with_typed_cells(admin_client_logged_in, leads):
    page = admin_client_logged_in.get(LEADS, {"preset": "top_priority"}).content.decode()
    assert f"{EXPORT}?preset=top_priority&amp;format=xlsx" in page
    response = admin_client_logged_in.get(EXPORT, {"preset": "top_priority", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("Business", "Domain", "Status", "Channel", "Score", "Tier")
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Fleurs Delta", "Garage Beta"}
    assert by_name["Garage Beta"][4] == 72  # a number, not text
    assert by_name["Garage Beta"][5] == "Top priority"  # a label, not the code
    assert by_name["Garage Beta"][7] == "+352 621 123 456"  # the phone as typed, no apostrophe
    assert by_name["Garage Beta"][10] == "No website"
    email_cell = next(cell for cell in sheet["G"] if cell.value == "=HYPERLINK(1)@x.lu")
    assert email_cell.data_type == "s"  # stays text, never a formula


def test_csv_for_people_has_labels_and_a_semicolon_variant_for_excel_in_french(admin_client_logged_in, leads):
    response = admin_client_logged_in.get(EXPORT, {"format": "csv-semicolon"})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffBusiness;Domain;Status")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 6
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Menuiserie Epsilon"][5] == "Quick win"
    assert by_name["Fleurs Delta"][6] == "'=HYPERLINK(1)@x.lu"  # formula-safe in CSV


def test_selected_leads_export_as_csv(admin_client_logged_in, leads):
    response = admin_client_logged_in.post(
        LEADS, {"action": "export_csv", "_selected_action": [leads["Café Gamma"].pk, leads["Garage Beta"].pk]}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert sorted(row[0] for row in rows[1:]) == ["Café Gamma", "Garage Beta"]


def test_export_needs_view_permission(client, leads):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert client.get(EXPORT, {"format": "csv"}).status_code == 403
