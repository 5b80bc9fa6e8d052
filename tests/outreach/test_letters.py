"""Letters: a print-ready PDF (text read back from it), recorded as sends with a letter_sent interaction;
calls and visits planned as follow-up tasks."""

import datetime
import io

import pytest
from pypdf import PdfReader

from prospecting.interactions.models import Interaction
from prospecting.outreach.models import CampaignSend
from prospecting.outreach.services.letters import calls_plan, letters_print, letters_start
from prospecting.outreach.services.templates import template_create
from prospecting.prospects.models import Prospect
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


def _letter_template():
    return template_create(
        data={
            "name": "Lettre sans site",
            "channel": "letter",
            "language": "fr",
            "lead_type": "no_website",
            "subject_template": "Votre présence en ligne, {business_name}",
            "body_template": (
                "Madame, Monsieur,\n\nNous avons cherché {business_name} à {city} sur Internet.\n\n{sender_name}"
            ),
        }
    )


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_letters_pdf_has_one_page_per_prospect_with_the_address_and_the_text(settings):
    settings.OUTREACH_LETTER_SENDER = "Agence Web|1, rue de la Gare|L-1611 Luxembourg"
    template = _letter_template()
    first = ProspectFactory(
        business_name="Boulangerie Schmit", address="12, rue Principale", postal_code="L-9530", city="Wiltz"
    )
    second = ProspectFactory(
        business_name="Garage Müller", address="3, route d'Arlon", postal_code="L-8210", city="Mamer"
    )
    nowhere = ProspectFactory(address="", postal_code="", city="")

    pdf, run = letters_print(template=template, prospect_ids=[first.pk, second.pk, nowhere.pk])

    pages = _pages(pdf)
    assert len(pages) == 2 and run.printed == 2 and run.skipped == {"no_address": 1}
    assert "Boulangerie Schmit" in pages[0] and "12, rue Principale" in pages[0] and "L-9530 Wiltz" in pages[0]
    assert "Votre présence en ligne, Boulangerie Schmit" in pages[0]
    assert "Nous avons cherché Boulangerie Schmit à Wiltz sur Internet." in pages[0]
    assert "Garage Müller" in pages[1] and "Agence Web" in pages[1]
    sends = CampaignSend.objects.filter(channel="letter", status="sent")
    assert set(sends.values_list("prospect_id", flat=True)) == {first.pk, second.pk}
    assert Interaction.objects.filter(interaction_type="letter_sent").count() == 2
    assert Prospect.objects.get(pk=first.pk).status == Prospect.Status.CONTACTED


def test_a_letter_is_recorded_once_and_reprinted_only_on_request():
    template = _letter_template()
    prospect = ProspectFactory(address="1, Grand-Rue", city="Luxembourg")
    letters_print(template=template, prospect_ids=[prospect.pk])
    pdf, run = letters_print(template=template, prospect_ids=[prospect.pk])
    assert run.printed == 0 and run.already == 1 and pdf == b""
    pdf, run = letters_print(template=template, prospect_ids=[prospect.pk], reprint=True)
    assert len(_pages(pdf)) == 1
    assert CampaignSend.objects.count() == 1 and Interaction.objects.count() == 1


def test_letters_as_a_job_keep_the_pdf_in_media(settings):
    template = _letter_template()
    prospect = ProspectFactory(address="1, Grand-Rue", city="Luxembourg")
    job = letters_start(template=template, prospect_ids=[prospect.pk], foreground=True)
    assert job.status == "completed" and job.params["printed"] == 1
    from django.core.files.storage import default_storage

    with default_storage.open(job.params["file"]) as handle:
        assert "Grand-Rue" in _pages(handle.read())[0]


def test_an_e_mail_template_cannot_be_printed():
    from tests.outreach.helpers import email_template

    with pytest.raises(ValueError, match="not a letter template"):
        letters_print(template=email_template(), prospect_ids=[ProspectFactory().pk])


def test_plan_calls_creates_a_follow_up_task_per_live_prospect(staff_user):
    live = ProspectFactory(business_name="Café Luna")
    ProspectFactory(status=Prospect.Status.CONVERTED)
    due = datetime.date(2026, 12, 1)
    planned = calls_plan(
        prospect_ids=list(Prospect.objects.values_list("pk", flat=True)), kind="call", due=due, user=staff_user
    )
    assert planned == 1
    task = Interaction.objects.get()
    assert (task.prospect_id, task.next_action, task.next_action_date) == (live.pk, "Call Café Luna", due)
