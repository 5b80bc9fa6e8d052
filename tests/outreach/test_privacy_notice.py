"""The privacy notice (Art. 14) goes with a prospect's first message only, and sending it records the date."""

import pytest

from prospecting.outreach.services.sending import campaign_send
from prospecting.prospects.models import Prospect
from tests.outreach.helpers import email_template, lead_with_email

pytestmark = pytest.mark.django_db
NOTICE = "Nous traitons vos coordonnées professionnelles (intérêt légitime). Détails : https://agence.lu/vie-privee"


def test_the_first_message_carries_the_notice_and_records_when_the_prospect_was_informed(smtp_server, settings):
    settings.PRIVACY_NOTICE = "Privacy: https://agence.lu/privacy"
    settings.PRIVACY_NOTICE_BY_LANGUAGE = {"fr": NOTICE}
    lead = lead_with_email()
    assert lead.informed_at is None
    campaign_send(template=email_template(), prospect_ids=[lead.pk], foreground=True)
    first = smtp_server.messages[0].message
    assert NOTICE in first.get_body(("plain",)).get_content()
    assert "https://agence.lu/vie-privee" in first.get_body(("html",)).get_content()
    informed = Prospect.objects.get(pk=lead.pk).informed_at
    assert informed is not None

    campaign_send(template=email_template(name="Second"), prospect_ids=[lead.pk], foreground=True)
    second = smtp_server.messages[1].message
    assert NOTICE not in second.get_body(("plain",)).get_content()
    assert Prospect.objects.get(pk=lead.pk).informed_at == informed


def test_without_a_configured_notice_nothing_is_added_and_no_date_recorded(smtp_server, settings):
    settings.PRIVACY_NOTICE = ""
    settings.PRIVACY_NOTICE_BY_LANGUAGE = {}
    lead = lead_with_email()
    campaign_send(template=email_template(), prospect_ids=[lead.pk], foreground=True)
    assert Prospect.objects.get(pk=lead.pk).informed_at is None
