"""Edits made in the admin go through the same services as the API: logged in the activity log, validated,
and the score follows."""

import lxml.html
import pytest
from django.urls import reverse

from prospecting.core.models import ActivityLog
from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.scoring.models import ProspectScore
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


def form_data(html: str) -> dict[str, list[str]]:
    """What a browser would send for the page's main form, untouched (inputs, selects, textareas)."""
    form = next(f for f in lxml.html.fromstring(html).forms if f.get("id", "").endswith("_form"))
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    return data


def post_form(client, url, changes):
    data = form_data(client.get(url).content.decode())
    data.update({key: [value] for key, value in changes.items()})
    data["_save"] = ["Save"]
    return client.post(url, data)


def activity(prospect, action):
    return ActivityLog.objects.filter(prospect_id=prospect.pk, action=action)


def test_editing_a_prospect_in_the_admin_logs_it_and_refreshes_its_score(
    admin_client_logged_in, staff_user, django_capture_on_commit_callbacks
):
    prospect = ProspectFactory(has_website=True, uses_https=True, http_status_code=200, status="active")
    url = reverse("admin:prospects_prospect_change", args=[prospect.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(admin_client_logged_in, url, {"uses_https": "false", "city": "Wiltz"})
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = activity(prospect, "updated").get()
    assert entry.actor == staff_user
    assert entry.metadata["fields"] == ["city", "uses_https"]
    assert "no_https" in ProspectScore.objects.get(prospect=prospect).reason_flags


def test_a_contact_added_in_the_prospect_page_is_logged_and_scored(
    admin_client_logged_in, django_capture_on_commit_callbacks
):
    prospect = ProspectFactory()
    url = reverse("admin:prospects_prospect_change", args=[prospect.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(
            admin_client_logged_in,
            url,
            {
                "contacts-TOTAL_FORMS": "1",
                "contacts-0-contact_type": "email",
                "contacts-0-value": "info@bakery.lu",
                "contacts-0-verification_status": "unverified",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert prospect.contacts.get().value == "info@bakery.lu"
    assert activity(prospect, "contact_added").exists()
    assert "has_email" in ProspectScore.objects.get(prospect=prospect).reason_flags


def test_an_interaction_logged_in_the_prospect_page_has_its_author_and_is_logged(
    admin_client_logged_in, staff_user, django_capture_on_commit_callbacks
):
    prospect = ProspectFactory()
    url = reverse("admin:prospects_prospect_change", args=[prospect.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(
            admin_client_logged_in,
            url,
            {
                "interactions-TOTAL_FORMS": "1",
                "interactions-0-interaction_type": "call",
                "interactions-0-subject": "Called the owner",
                "interactions-0-outcome": "positive",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    interaction = prospect.interactions.get()
    assert (interaction.created_by, interaction.subject) == (staff_user, "Called the owner")
    assert activity(prospect, "interaction_logged").exists()
    assert ProspectScore.objects.get(prospect=prospect).score > 0


def test_a_prospect_added_in_the_admin_is_created_by_the_service(admin_client_logged_in, staff_user):
    url = reverse("admin:prospects_prospect_add")
    response = post_form(
        admin_client_logged_in, url, {"channel": "digital", "domain_name": "HTTPS://WWW.Fleurs-Thill.LU/", "tags": "[]"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    prospect = Prospect.objects.get()
    assert (prospect.domain_name, prospect.captured_by) == ("fleurs-thill.lu", staff_user)
    assert activity(prospect, "created").get().actor == staff_user


def test_deleting_a_prospect_in_the_admin_is_logged(admin_client_logged_in):
    prospect = ProspectFactory(business_name="Garage Klein")
    url = reverse("admin:prospects_prospect_delete", args=[prospect.pk])
    assert admin_client_logged_in.post(url, {"post": "yes"}).status_code == 302
    assert not Prospect.objects.exists()
    assert ActivityLog.objects.get(action="deleted").description == "Deleted Garage Klein"


def test_the_interactions_admin_and_contacts_admin_write_through_services(
    admin_client_logged_in, django_capture_on_commit_callbacks
):
    prospect = ProspectFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(
            admin_client_logged_in,
            reverse("admin:interactions_interaction_add"),
            {"prospect": str(prospect.pk), "interaction_type": "visit", "notes": "Shop is busy on Saturdays"},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Interaction.objects.get().notes == "Shop is busy on Saturdays"
    assert activity(prospect, "interaction_logged").exists()
    assert ProspectScore.objects.filter(prospect=prospect).exists()

    contact = ProspectContact.objects.create(prospect=prospect, contact_type="phone", value="+352 621 000 000")
    url = reverse("admin:prospects_prospectcontact_change", args=[contact.pk])
    assert post_form(admin_client_logged_in, url, {"label": "GSM"}).status_code == 302
    assert activity(prospect, "contact_changed").get().metadata["fields"] == ["label"]
