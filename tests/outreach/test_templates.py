"""Templates: safe placeholders in both spellings, validation naming the bad placeholder, custom variables,
the ready-made fixture, and the preview."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from prospecting.core.suppression import suppression_add
from prospecting.outreach.models import CampaignTemplate, CustomVariable
from prospecting.outreach.rendering import TemplateError, render, template_check
from prospecting.outreach.services.templates import (
    campaign_preview,
    custom_variable_save,
    template_create,
    template_update,
)
from prospecting.scoring.models import ProspectScore
from tests.factories import CampaignTemplateFactory, LeadFactory, ProspectContactFactory

pytestmark = pytest.mark.django_db

BREAKDOWN = {
    "no_https": {"component": "technical_health", "points": 10, "label": "Site not served over HTTPS"},
    "outdated_cms": {"component": "modernity", "points": 15, "label": "CMS version out of date"},
    "has_email": {"component": "engagement", "points": 3, "label": "E-mail address known"},
}


def _lead(email="info@bakes.lu", label="Marie Weber", **score):
    lead = LeadFactory(business_name="Boulangerie Weber", domain_name="weber.lu", city="Esch-sur-Alzette")
    ProspectScore.objects.filter(prospect=lead).update(score=72, lead_tier="top_priority", score_breakdown=BREAKDOWN)
    if email:
        ProspectContactFactory(prospect=lead, value=email, label=label, is_primary=True)
    return lead


def test_both_placeholder_spellings_render_plain_values():
    values = {"business_name": "Café <Luna>", "domain": "luna.lu"}
    assert (
        render("Bonjour {business_name} ({{ domain }}) {{domain}}", values) == "Bonjour Café <Luna> (luna.lu) luna.lu"
    )
    assert render("<b>{business_name}</b>", values, escape=True) == "<b>Café &lt;Luna&gt;</b>"


@pytest.mark.parametrize(
    "text, bad",
    [
        ("Hi {{ prospect.__class__ }}", "{{ prospect.__class__ }}"),
        ("Hi {business_name.upper}", "{business_name.upper}"),
        ("Hi {domain[0]}", "{domain[0]}"),
        ("Hi {{ business_name|safe }}", "{{ business_name|safe }}"),
        ("Hi {firstname}", "{firstname}"),
        ("Hi {{ business_name() }}", "{{ business_name() }}"),
    ],
)
def test_anything_but_a_known_bare_name_is_refused_naming_it(text, bad):
    with pytest.raises(TemplateError) as error:
        template_check([text], {"business_name", "domain"})
    assert bad in str(error.value)
    assert error.value.placeholders == [bad]


def test_saving_a_template_with_an_unknown_placeholder_is_refused_on_its_field():
    with pytest.raises(ValidationError) as error:
        template_create(
            data={
                "name": "Bad",
                "subject_template": "Hello {{ prospect.__class__ }}",
                "body_template": "Bonjour {nom}",
                "language": "fr",
            }
        )
    assert "{{ prospect.__class__ }}" in str(error.value.message_dict["subject_template"])
    assert "{nom}" in str(error.value.message_dict["body_template"])
    assert not CampaignTemplate.objects.exists()


def test_lead_type_and_language_are_choices():
    with pytest.raises(ValidationError) as error:
        template_create(
            data={"name": "X", "subject_template": "S", "body_template": "B", "language": "xx", "lead_type": "nope"}
        )
    assert set(error.value.message_dict) == {"language", "lead_type"}


def test_a_custom_variable_becomes_a_placeholder_with_its_default():
    custom_variable_save(variable=CustomVariable(key="offer", label="Offer", default_value="un audit gratuit"))
    template = template_create(
        data={"name": "Offer", "subject_template": "{business_name}", "body_template": "Nous offrons {{ offer }}."}
    )
    lead = _lead()
    preview = campaign_preview(template=template, prospect_id=lead.pk)
    assert preview.body.startswith("Nous offrons un audit gratuit.")


def test_a_custom_variable_cannot_hide_a_built_in_one():
    with pytest.raises(ValidationError):
        custom_variable_save(variable=CustomVariable(key="domain", default_value="x"))


def test_preview_shows_what_would_be_sent_with_issues_in_the_template_language(settings):
    settings.SITE_URL = "https://crm.agence.lu"
    template = template_create(
        data={
            "name": "Outdated",
            "language": "de",
            "lead_type": "outdated_cms",
            "subject_template": "{business_name}: Ihre Website",
            "body_template": "Guten Tag {contact_name},\n\nwir haben gesehen: {issues}. Score {score} ({lead_tier}).",
        }
    )
    lead = _lead()
    preview = campaign_preview(template=template, prospect_id=lead.pk)
    assert preview.subject == "Boulangerie Weber: Ihre Website"
    assert preview.recipient == "info@bakes.lu"
    assert "Guten Tag Marie Weber," in preview.body
    assert (
        "Ihre Website läuft auf einer veralteten CMS-Version und Ihre Website ist nicht verschlüsselt" in preview.body
    )
    assert "Score 72 (vorrangig)" in preview.body
    assert "E-mail" not in preview.body  # engagement reasons are not "issues"
    assert "https://crm.agence.lu/m/u/" in preview.body  # the unsubscribe link is always in the body
    assert preview.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert preview.headers["List-Unsubscribe"].startswith("<https://crm.agence.lu/m/u/")
    assert preview.skip_reason == ""


def test_preview_says_why_a_prospect_would_be_skipped():
    template = CampaignTemplateFactory(subject_template="Hi", body_template="Bonjour {business_name}")
    no_email = _lead(email=None)
    assert campaign_preview(template=template, prospect_id=no_email.pk).skip_reason == "no_email"
    blocked = LeadFactory()
    ProspectContactFactory(prospect=blocked, value="stop@example.lu")
    suppression_add(kind="email", value="stop@example.lu", reason="unsubscribed")
    preview = campaign_preview(template=template, prospect_id=blocked.pk)
    assert preview.skip_reason == "do_not_contact"
    assert preview.skip_message == "On the suppression list"


def test_html_body_escapes_values():
    template = template_create(
        data={
            "name": "Html",
            "subject_template": "Hi",
            "body_template": "Bonjour {business_name}",
            "html_template": "<p>Bonjour <b>{{ business_name }}</b></p>",
        }
    )
    lead = _lead()
    lead.business_name = "<script>alert(1)</script>"
    lead.save()
    preview = campaign_preview(template=template, prospect_id=lead.pk)
    assert "&lt;script&gt;" in preview.html and "<script>" not in preview.html


def test_update_validates_too():
    template = CampaignTemplateFactory(subject_template="Hi", body_template="Bonjour")
    with pytest.raises(ValidationError):
        template_update(template=template, data={"body_template": "{{ self.delete }}"})
    template.refresh_from_db()
    assert template.body_template == "Bonjour"


def test_the_ready_made_templates_cover_every_lead_type_in_french_german_and_english():
    call_command("loaddata", "campaign_templates", verbosity=0)
    call_command("loaddata", "campaign_templates", verbosity=0)  # loading twice changes nothing
    have = set(CampaignTemplate.objects.values_list("lead_type", "language"))
    for lead_type in ProspectScore.LeadType.values:
        for language in ("fr", "de", "en"):
            assert (lead_type, language) in have
    from prospecting.outreach.services.templates import template_validate

    for template in CampaignTemplate.objects.all():
        template_validate(template)  # every shipped template passes the same validation as a typed one
