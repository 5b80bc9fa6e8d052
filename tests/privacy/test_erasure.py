"""Erasure (Art. 17): after it, no column of any table holds the person's values, and they never come back."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from prospecting.core.models import ActivityLog, Suppression
from prospecting.outreach.models import CampaignSend
from prospecting.privacy.models import PrivacyRequest
from prospecting.privacy.services import person_erase
from prospecting.prospects import services
from prospecting.prospects.models import ImportRow, ProspectContact
from tests.factories import ProspectFactory, UserFactory
from tests.privacy.world import EMAIL, NAME, PHONE_DIGITS, person_everywhere, tables_holding

pytestmark = pytest.mark.django_db
URL = "/api/admin/prospecting/privacy/erase"


def test_before_erasure_the_scan_finds_the_person_in_many_tables():
    person_everywhere()
    found = tables_holding(email=EMAIL, digits=PHONE_DIGITS, name=NAME)
    assert {
        "prospects.Prospect",
        "prospects.ProspectContact",
        "prospects.ImportRow",
        "discovery.RawRecord",
        "outreach.CampaignSend",
        "interactions.Interaction",
        "core.ActivityLog",
        "core.Suppression",
    } <= set(found)


def test_after_erasure_no_text_or_json_column_of_any_table_holds_the_erased_values():
    world = person_everywhere()
    request = person_erase(emails=[" Marie.Weber@BAKERY.lu"], phones=["621 555 777"], names=[NAME])

    assert tables_holding(email=EMAIL, digits=PHONE_DIGITS, name=NAME) == {}
    # What was not hers stays.
    assert set(world.prospect.contacts.values_list("value", flat=True)) == {"info@bakery.lu"}
    assert world.other.contacts.get().value == "+352 621 000 000"
    world.other.refresh_from_db()
    assert world.other.notes == "Friend of [erased]"
    send = CampaignSend.objects.get()
    assert (send.recipient, send.rendered_body, send.status) == ("", "", "sent")  # the statistics keep it
    row = ImportRow.objects.get()
    assert row.raw_payload["domain"] == "bakery.lu" and row.raw_payload["email"] == "[erased]"
    # The suppression list holds hashes only, and the request is recorded without the values.
    entries = Suppression.objects.all()
    assert {(e.kind, e.reason, e.value) for e in entries} == {("email", "erased", ""), ("phone", "erased", "")}
    assert request.counts["suppressed"] == 2 and request.counts["rows"]["prospects.ProspectContact"] == 2
    audit = ActivityLog.objects.get(action="person_erased")
    assert audit.object_id == str(request.pk) and "2 values put on the suppression list" in audit.description


def test_a_reimport_or_retyping_after_erasure_is_skipped_as_suppressed(tmp_path):
    person_everywhere()
    person_erase(emails=[EMAIL])
    path = tmp_path / "again.csv"
    path.write_text(f"domain,email,contact_name\nbakery.lu,{EMAIL.upper()},{NAME}\n", encoding="utf-8")
    batch = services.import_batch_create(path=path, name="again.csv", mode="update")
    services.import_batch_run(batch=batch)
    batch.refresh_from_db()
    assert (batch.updated_count, batch.suppressed_count) == (1, 1)
    assert tables_holding(email=EMAIL) == {}
    prospect = ProspectFactory()
    with pytest.raises(Exception, match="suppression list"):
        services.contact_create(prospect=prospect, data={"contact_type": "email", "value": EMAIL})


def test_erasing_a_domain_deletes_its_prospects_and_suppresses_the_domain():
    world = person_everywhere()
    person_erase(domains=["https://www.bakery.lu/contact"])
    assert not ProspectContact.objects.filter(prospect_id=world.prospect.pk).exists()
    assert tables_holding(email="bakery.lu") == {}
    assert Suppression.objects.filter(kind="domain", reason="erased", value="").count() == 1


def test_erasing_twice_is_harmless():
    person_everywhere()
    person_erase(emails=[EMAIL])
    again = person_erase(emails=[EMAIL])
    assert again.counts["rows"] == {} and Suppression.objects.filter(reason="erased").count() == 1


def _member(role):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_erases_for_the_admin_role_only_and_refuses_bad_input():
    person_everywhere()
    assert _member("Sales").post(URL, {"emails": [EMAIL]}, format="json").status_code == 403
    admin = _member("Admin")
    assert admin.post(URL, {}, format="json").status_code == 400
    bad = admin.post(URL, {"emails": ["not an address"]}, format="json")
    assert bad.status_code == 400 and "emails" in bad.json()
    response = admin.post(URL, {"emails": [EMAIL], "reference": "ticket 42"}, format="json")
    assert response.status_code == 201
    assert response.json()["reference"] == "ticket 42" and response.json()["kind"] == "erasure"
    assert tables_holding(email=EMAIL) == {}


def test_the_command_erases_and_reports_counts():
    person_everywhere()
    from io import StringIO

    out = StringIO()
    call_command("privacy_erase", "--email", EMAIL, "--phone", "+352621555777", stdout=out)
    assert "2 values suppressed" in out.getvalue() and "prospects.ProspectContact: 2" in out.getvalue()
    assert tables_holding(email=EMAIL, digits=PHONE_DIGITS) == {}


def test_the_admin_erase_page_and_the_contacts_action(admin_client_logged_in):
    world = person_everywhere()
    contact = world.prospect.contacts.get(value=EMAIL)
    page = admin_client_logged_in.post(
        reverse("admin:prospects_prospectcontact_changelist"),
        {"action": "erase_contacts", "_selected_action": [contact.pk]},
    )
    assert page.status_code == 200 and EMAIL in page.content.decode()
    response = admin_client_logged_in.post(reverse("admin:privacy_erase"), {"emails": EMAIL, "confirm": "on"})
    assert response.status_code == 302
    request = PrivacyRequest.objects.get()
    assert response["Location"] == reverse("admin:privacy_privacyrequest_change", args=[request.pk])
    assert tables_holding(email=EMAIL) == {}
    listing = admin_client_logged_in.get(reverse("admin:privacy_privacyrequest_changelist")).content.decode()
    assert "Erase a person" in listing and "Export a person" in listing


def test_sales_can_open_no_privacy_page_nor_the_erase_action(client):
    sales = UserFactory(is_staff=True)
    sales.groups.add(Group.objects.get(name="Sales"))
    client.force_login(sales)
    for name in ("admin:privacy_erase", "admin:privacy_access", "admin:privacy_retention"):
        assert client.get(reverse(name)).status_code == 403, name
    page = client.get(reverse("admin:prospects_prospectcontact_changelist"))
    assert page.status_code == 200 and "erase_contacts" not in page.content.decode()
    assert client.post(reverse("admin:privacy_erase"), {"emails": EMAIL, "confirm": "on"}).status_code == 403
