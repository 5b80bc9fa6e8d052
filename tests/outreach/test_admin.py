"""Outreach in the admin: template validation as a form error, the preview, "Send campaign…" with its
counts and confirmation, read-only sends, the do-not-contact import, secrets never shown back."""

import pytest
from django.urls import reverse

from prospecting.core.models import Suppression
from prospecting.core.suppression import suppression_add
from prospecting.outreach.models import CampaignSend, CampaignTemplate, SenderAccount
from tests.factories import SenderAccountFactory
from tests.outreach.helpers import email_template, lead_with_email

pytestmark = pytest.mark.django_db


def test_an_unknown_placeholder_is_a_form_error_naming_it(admin_client_logged_in):
    response = admin_client_logged_in.post(
        reverse("admin:outreach_campaigntemplate_add"),
        {
            "name": "Bad",
            "lead_type": "no_website",
            "channel": "email",
            "language": "fr",
            "subject_template": "Bonjour",
            "body_template": "Bonjour {{ prospect.__class__ }}",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "{{ prospect.__class__ }}" in response.content.decode()
    assert not CampaignTemplate.objects.exists()


def test_a_valid_template_is_saved_through_the_service(admin_client_logged_in):
    response = admin_client_logged_in.post(
        reverse("admin:outreach_campaigntemplate_add"),
        {
            "name": "Good",
            "lead_type": "no_website",
            "channel": "email",
            "language": "en",
            "subject_template": "{business_name}",
            "body_template": "Hello {contact_name}",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert CampaignTemplate.objects.get().name == "Good"


def test_the_preview_page_shows_the_message_for_a_prospect(admin_client_logged_in):
    template = email_template()
    lead = lead_with_email(business_name="Garage Klein")
    url = reverse("admin:outreach_campaigntemplate_preview", args=[template.pk])
    page = admin_client_logged_in.get(url, {"prospect": lead.pk}).content.decode()
    assert "Garage Klein : site non sécurisé" in page
    assert f"info@{lead.domain_name}" in page and "List-Unsubscribe-Post" in page


@pytest.mark.parametrize("changelist", ["admin:prospects_prospect_changelist", "admin:scoring_lead_changelist"])
def test_send_campaign_action_shows_counts_then_sends_on_confirmation(
    admin_client_logged_in, smtp_server, sync_tasks, django_capture_on_commit_callbacks, changelist
):
    template = email_template()
    ok = lead_with_email()
    no_email = lead_with_email(email=False)
    form = {"action": "send_campaign", "_selected_action": [ok.pk, no_email.pk], "template": template.pk}
    counts = admin_client_logged_in.post(reverse(changelist), form)
    page = counts.content.decode()
    assert counts.status_code == 200 and 'id="send-plan"' in page
    assert "<strong>1</strong> will be sent" in page and "No e-mail address" in page
    assert not CampaignSend.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client_logged_in.post(reverse(changelist), {**form, "confirm": "yes"}, follow=True)
    assert "1 queued, 1 skipped" in done.content.decode()
    assert len(smtp_server.messages) == 1


def test_sends_are_read_only_in_the_admin(admin_client_logged_in, smtp_server):
    from prospecting.outreach.services.sending import campaign_send

    campaign_send(template=email_template(), prospect_ids=[lead_with_email().pk], foreground=True)
    send = CampaignSend.objects.get()
    change = reverse("admin:outreach_campaignsend_change", args=[send.pk])
    page = admin_client_logged_in.get(change).content.decode()
    assert 'name="status"' not in page
    admin_client_logged_in.post(change, {"status": "failed"})
    assert CampaignSend.objects.get().status == "sent"
    assert admin_client_logged_in.get(reverse("admin:outreach_campaignsend_add")).status_code == 403


def test_do_not_contact_import_keeps_good_lines_and_reports_bad_ones(admin_client_logged_in):
    suppression_add(kind="email", value="known@example.lu", reason="manual")
    response = admin_client_logged_in.post(
        reverse("admin:core_suppression_import"),
        {"values": "email\nNew@Example.lu\nnot-an-address\nknown@example.lu\n", "reason": "manual", "kind": "email"},
        follow=True,
    )
    page = response.content.decode()
    assert "1 added, 1 already listed" in page and "Line 3" in page
    assert set(Suppression.objects.values_list("value", flat=True)) == {"known@example.lu", "new@example.lu"}


def test_a_sender_password_is_stored_encrypted_and_never_shown(admin_client_logged_in):
    account = SenderAccountFactory()
    url = reverse("admin:outreach_senderaccount_change", args=[account.pk])
    form = {
        "name": "Sales",
        "from_email": "sales@agence.lu",
        "host": "smtp.agence.lu",
        "port": 587,
        "use_tls": "on",
        "timeout": 30,
        "priority": 1,
        "is_active": "on",
        "window_days": ["0", "1"],
        "window_start": "08:00",
        "window_end": "18:00",
        "time_zone": "Europe/Luxembourg",
        "password": "hunter2-secret",
    }
    assert admin_client_logged_in.post(url, form).status_code == 302
    stored = SenderAccount.objects.get(pk=account.pk)
    assert stored.password == "hunter2-secret" and "hunter2" not in stored.password_encrypted
    assert stored.window_days == [0, 1]
    assert "hunter2-secret" not in admin_client_logged_in.get(url).content.decode()
    bad = admin_client_logged_in.post(url, {**form, "window_start": "18:00", "window_end": "08:00"})
    assert "must end after it starts" in bad.content.decode()


def test_print_letters_action_downloads_the_pdf(admin_client_logged_in):
    from prospecting.outreach.services.templates import template_create
    from tests.factories import ProspectFactory

    template = template_create(
        data={"name": "Lettre", "channel": "letter", "subject_template": "Objet", "body_template": "Bonjour {city}"}
    )
    prospect = ProspectFactory(address="1, Grand-Rue", city="Clervaux")
    form = {"action": "print_letters", "_selected_action": [prospect.pk], "template": template.pk}
    response = admin_client_logged_in.post(reverse("admin:prospects_prospect_changelist"), form, follow=True)
    assert response["Content-Type"] == "application/pdf"
    assert CampaignSend.objects.get().channel == "letter"


def test_plan_calls_action_creates_follow_ups(admin_client_logged_in):
    from prospecting.interactions.models import Interaction

    lead = lead_with_email()
    form = {"action": "plan_calls", "_selected_action": [lead.pk], "kind": "visit", "due": "2026-12-02"}
    response = admin_client_logged_in.post(reverse("admin:scoring_lead_changelist"), form, follow=True)
    assert "1 follow-up task(s) planned" in response.content.decode()
    assert Interaction.objects.get().next_action.startswith("Visit")


def test_the_template_page_previews_the_saved_template_for_a_picked_prospect(admin_client_logged_in):
    template = email_template()
    lead = lead_with_email(business_name="Garage Klein")
    url = reverse("admin:outreach_campaigntemplate_change", args=[template.pk])
    page = admin_client_logged_in.get(url, {"preview_prospect": lead.pk}).content.decode()
    assert 'id="template-preview"' in page and "Garage Klein : site non sécurisé" in page
    missing = admin_client_logged_in.get(url, {"preview_prospect": "99999999999999999999999"})
    assert missing.status_code == 200 and "No prospect #" in missing.content.decode()
    huge = reverse("admin:outreach_campaigntemplate_preview", args=[template.pk])
    assert admin_client_logged_in.get(huge, {"prospect": "99999999999999999999999"}).status_code == 200
