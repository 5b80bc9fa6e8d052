"""The campaigns API of seed 002 (Journey 4) with the body shapes the seed shows."""

import pytest

from prospecting.outreach.models import CampaignSend, CampaignTemplate
from tests.factories import CampaignSendFactory, CampaignTemplateFactory
from tests.outreach.helpers import email_template, lead_with_email

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/campaigns/"


def test_journey_4_create_preview_send_and_monitor(
    api_client, smtp_server, sync_tasks, django_capture_on_commit_callbacks
):
    body = {
        "name": "No Website Outreach",
        "lead_type": "no_website",
        "channel": "email",
        "language": "fr",
        "subject_template": "Votre presence en ligne",
        "body_template": "Bonjour {{business_name}}...",
    }
    created = api_client.post(BASE + "templates", body, format="json")
    assert created.status_code == 201, created.json()
    template_id = created.json()["id"]
    lead = lead_with_email(business_name="Garage Klein")

    preview = api_client.post(BASE + "preview", {"template_id": template_id, "prospect_id": lead.pk}, format="json")
    assert preview.status_code == 200
    assert preview.json()["body"].startswith("Bonjour Garage Klein...")
    assert preview.json()["recipient"] == f"info@{lead.domain_name}"
    assert preview.json()["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    with django_capture_on_commit_callbacks(execute=True):
        sent = api_client.post(BASE + "send", {"template_id": template_id, "prospect_ids": [lead.pk]}, format="json")
    assert sent.status_code == 202, sent.json()
    assert sent.json()["to_send"] == 1 and sent.json()["job"]["id"]
    assert [r.rcpt_tos for r in smtp_server.messages] == [[f"info@{lead.domain_name}"]]

    sends = api_client.get(BASE + "sends", {"template": template_id}).json()
    assert sends["count"] == 1
    assert sends["results"][0]["status"] == "sent"
    assert sends["stats"]["sent"] == 1 and sends["stats"]["opened"] == 0


def test_a_template_with_an_unsafe_placeholder_is_a_400_naming_it(api_client):
    body = {"name": "Bad", "language": "fr", "subject_template": "Hi", "body_template": "{{ prospect.__class__ }}"}
    response = api_client.post(BASE + "templates", body, format="json")
    assert response.status_code == 400
    assert "{{ prospect.__class__ }}" in response.json()["body_template"][0]
    assert not CampaignTemplate.objects.exists()


def test_put_updates_and_delete_refuses_a_template_with_sends(api_client):
    template = CampaignTemplateFactory(subject_template="Hi")
    body = {
        "name": "Renamed",
        "language": "de",
        "lead_type": "slow_site",
        "channel": "email",
        "subject_template": "Hallo",
        "body_template": "Guten Tag {business_name}",
    }
    assert api_client.put(BASE + f"templates/{template.pk}", body, format="json").status_code == 200
    assert CampaignTemplate.objects.get(pk=template.pk).language == "de"
    CampaignSendFactory(template=template)
    assert api_client.delete(BASE + f"templates/{template.pk}").status_code == 409
    unused = CampaignTemplateFactory()
    assert api_client.delete(BASE + f"templates/{unused.pk}").status_code == 204


def test_send_dry_run_counts_and_sends_nothing(api_client):
    template = email_template()
    leads = [lead_with_email(), lead_with_email(email=False)]
    response = api_client.post(
        BASE + "send",
        {"template_id": template.pk, "prospect_ids": [lead.pk for lead in leads], "dry_run": True},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"to_send": 1, "already_sent": 0, "skipped": {"no_email": 1}, "total": 2, "job": None}
    assert not CampaignSend.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"template_id": 1},
        {"template_id": 1, "prospect_ids": [1], "filter": {}},
        {"template_id": 1, "prospect_ids": []},
        {"template_id": 1, "filter": {"lead_tier": "nope"}},
    ],
)
def test_bad_send_requests_are_400(api_client, body):
    template = email_template()
    body["template_id"] = template.pk
    assert api_client.post(BASE + "send", body, format="json").status_code == 400


def test_preview_of_a_missing_prospect_is_a_404(api_client):
    template = email_template()
    response = api_client.post(BASE + "preview", {"template_id": template.pk, "prospect_id": 999}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("query", [{"template": "6.9e16"}, {"prospect": "2.5"}, {"sequence": "-1"}])
def test_a_filter_id_no_database_can_hold_is_a_400(api_client, query):
    assert api_client.get(BASE + "sends", query).status_code == 400
