"""Sequences progress step by step with their delays and stop on a reply; the send_campaign and
run_sequences commands."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from prospecting.interactions.models import Interaction
from prospecting.outreach.models import CampaignSend, SequenceEnrolment
from prospecting.outreach.services.sequences import outreach_tick, sequence_enrol
from tests.factories import SequenceFactory, SequenceStepFactory
from tests.outreach.helpers import email_template, lead_with_email

pytestmark = pytest.mark.django_db
LUX = zoneinfo.ZoneInfo("Europe/Luxembourg")


def _sequence():
    sequence = SequenceFactory(name="No HTTPS")
    SequenceStepFactory(sequence=sequence, position=1, delay_days=0, template=email_template(name="First"))
    SequenceStepFactory(sequence=sequence, position=2, delay_days=3, template=email_template(name="Follow-up"))
    return sequence


def _subjects(server):
    return [r.message["Subject"] for r in server.messages]


def test_a_sequence_sends_each_step_after_its_delay_then_completes(smtp_server):
    sequence = _sequence()
    lead = lead_with_email()
    day_0 = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=LUX)
    with time_machine.travel(day_0, tick=False):
        assert sequence_enrol(sequence=sequence, prospect_ids=[lead.pk, lead.pk]) == 1
        outreach_tick(foreground=True)
    assert len(smtp_server.messages) == 1
    enrolment = SequenceEnrolment.objects.get()
    assert enrolment.last_position == 1
    assert enrolment.next_send_at == day_0 + datetime.timedelta(days=3)
    with time_machine.travel(day_0 + datetime.timedelta(days=2), tick=False):
        outreach_tick(foreground=True)
    assert len(smtp_server.messages) == 1  # not due yet
    with time_machine.travel(day_0 + datetime.timedelta(days=3, minutes=1), tick=False):
        outreach_tick(foreground=True)
        outreach_tick(foreground=True)  # a second run sends nothing more
    assert len(smtp_server.messages) == 2
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.last_position, enrolment.next_send_at) == ("completed", 2, None)
    assert CampaignSend.objects.filter(step__sequence=sequence).count() == 2


def test_a_reply_takes_the_prospect_out_before_the_next_step(smtp_server):
    sequence = _sequence()
    lead = lead_with_email()
    day_0 = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=LUX)
    with time_machine.travel(day_0, tick=False):
        sequence_enrol(sequence=sequence, prospect_ids=[lead.pk])
        outreach_tick(foreground=True)
    with time_machine.travel(day_0 + datetime.timedelta(days=1), tick=False):
        Interaction.objects.create(prospect=lead, interaction_type="email_received", subject="Re: votre site")
    with time_machine.travel(day_0 + datetime.timedelta(days=4), tick=False):
        outreach_tick(foreground=True)
    assert len(smtp_server.messages) == 1
    enrolment = SequenceEnrolment.objects.get()
    assert (enrolment.status, enrolment.exit_reason) == ("exited", "replied")


def test_a_converted_prospect_leaves_the_sequence(smtp_server):
    sequence = _sequence()
    lead = lead_with_email()
    sequence_enrol(sequence=sequence, prospect_ids=[lead.pk])
    lead.status = "converted"
    lead.save()
    call_command("run_sequences", stdout=io.StringIO())
    assert not smtp_server.messages
    assert SequenceEnrolment.objects.get().exit_reason == "converted"


def test_send_campaign_dry_run_lists_who_gets_what_and_sends_nothing(smtp_server):
    template = email_template()
    good = lead_with_email(city="Diekirch")
    lead_with_email(email=False, city="Diekirch")
    lead_with_email(city="Wiltz")
    out = io.StringIO()
    call_command("send_campaign", "--template", str(template.pk), "--city", "Diekirch", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"info@{good.domain_name}\tsend" in text
    assert "skip: No e-mail address" in text
    assert "Wiltz" not in text and "to send: 1" in text
    assert not smtp_server.messages and not CampaignSend.objects.exists()


def test_send_campaign_sends_to_the_filtered_leads(smtp_server):
    template = email_template()
    lead_with_email(city="Diekirch")
    out = io.StringIO()
    call_command("send_campaign", "--template", str(template.pk), "--city", "Diekirch", "--no-progress", stdout=out)
    assert "Sent 1" in out.getvalue()
    assert len(smtp_server.messages) == 1


def test_send_campaign_refuses_an_unknown_template():
    with pytest.raises(CommandError, match="No campaign template"):
        call_command("send_campaign", "--template", "999", "--dry-run")
