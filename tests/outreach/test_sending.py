"""Sending through a real SMTP server on 127.0.0.1: headers and body, skips, never twice (second click, task
run twice, worker dying mid-send), refused recipients."""

import pytest

from prospecting.core.jobs import job_resume, job_run
from prospecting.core.models import ScanJob
from prospecting.core.suppression import suppression_add
from prospecting.interactions.models import Interaction
from prospecting.outreach.models import CampaignSend
from prospecting.outreach.services import sending
from prospecting.outreach.services.sending import campaign_plan, campaign_send, campaign_targets
from prospecting.prospects.models import Prospect
from tests.outreach.helpers import email_template, lead_with_email

pytestmark = pytest.mark.django_db


def test_each_message_arrives_once_with_message_id_unsubscribe_headers_and_body(smtp_server):
    template = email_template()
    leads = [lead_with_email(business_name=f"Garage {n}") for n in range(3)]
    plan = campaign_send(template=template, prospect_ids=[lead.pk for lead in leads], foreground=True)

    assert plan.to_send == 3 and plan.job.status == ScanJob.Status.COMPLETED
    received = smtp_server.messages
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(f"info@{lead.domain_name}" for lead in leads)
    sends = {send.recipient: send for send in CampaignSend.objects.all()}
    for item in received:
        message = item.message
        send = sends[item.rcpt_tos[0]]
        assert send.status == CampaignSend.Status.SENT and send.sent_at
        assert message["Message-ID"] == send.message_id
        assert message["List-Unsubscribe"].strip().startswith("<https://prospecting.agence.lu/m/u/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["From"] == "Agence Web <hello@agence.lu>"
        assert message["Subject"] == f"{send.prospect.business_name} : site non sécurisé"
        text = message.get_body(("plain",)).get_content()
        assert "Bonjour Madame, Monsieur," in text
        assert "votre site n'est pas sécurisé (pas de HTTPS)" in text
        assert "https://prospecting.agence.lu/m/u/" in text  # unsubscribe link in the body
        assert "https://prospecting.agence.lu/m/c/" in text  # the link is tracked
        html = message.get_body(("html",)).get_content()
        assert "https://prospecting.agence.lu/m/o/" in html  # open pixel
        assert send.rendered_body == text.replace("\r\n", "\n") or send.rendered_body.strip() == text.strip()
    assert Interaction.objects.filter(interaction_type="email_sent").count() == 3
    assert set(Prospect.objects.values_list("status", flat=True)) == {Prospect.Status.CONTACTED}


def test_skips_are_recorded_with_their_reason_and_nothing_is_sent_to_them(smtp_server):
    template = email_template()
    good = lead_with_email()
    no_email = lead_with_email(email=False)
    blocked = lead_with_email(email="stop@example.lu")
    suppression_add(kind="email", value="stop@example.lu", reason="unsubscribed")
    converted = lead_with_email(status=Prospect.Status.CONVERTED)
    inactive = lead_with_email(status=Prospect.Status.INACTIVE)
    ids = [good.pk, no_email.pk, blocked.pk, converted.pk, inactive.pk]

    dry = campaign_plan(template=template, targets=campaign_targets(prospect_ids=ids))
    assert dry.to_send == 1 and not smtp_server.messages and not CampaignSend.objects.exists()
    plan = campaign_send(template=template, prospect_ids=ids, foreground=True)

    assert plan.skipped == dry.skipped == {"no_email": 1, "do_not_contact": 1, "converted": 1, "inactive": 1}
    assert [r.rcpt_tos for r in smtp_server.messages] == [[f"info@{good.domain_name}"]]
    reasons = dict(CampaignSend.objects.values_list("prospect_id", "skip_reason"))
    assert reasons == {
        good.pk: "",
        no_email.pk: "no_email",
        blocked.pk: "do_not_contact",
        converted.pk: "converted",
        inactive.pk: "inactive",
    }
    assert Prospect.objects.get(pk=converted.pk).status == Prospect.Status.CONVERTED


def test_an_address_blocked_after_queueing_is_skipped_at_send_time(smtp_server):
    template = email_template()
    lead = lead_with_email(email="late@example.lu")
    plan = campaign_send(template=template, prospect_ids=[lead.pk])  # queued for the workers, not run
    suppression_add(kind="email", value="late@example.lu", reason="manual")
    job_run(job_id=plan.job.pk)
    send = CampaignSend.objects.get()
    assert (send.status, send.skip_reason) == ("skipped", "do_not_contact")
    assert not smtp_server.messages


def test_a_second_click_sends_nothing_again(smtp_server):
    template = email_template()
    leads = [lead_with_email() for _ in range(2)]
    ids = [lead.pk for lead in leads]
    campaign_send(template=template, prospect_ids=ids, foreground=True)
    again = campaign_send(template=template, prospect_ids=ids, foreground=True)
    assert again.already_sent == 2 and again.to_send == 0
    assert len(smtp_server.messages) == 2
    assert CampaignSend.objects.count() == 2


def test_a_job_run_twice_sends_each_message_once(smtp_server):
    template = email_template()
    ids = [lead_with_email().pk for _ in range(4)]
    plan = campaign_send(template=template, prospect_ids=ids)
    job_run(job_id=plan.job.pk)
    ScanJob.objects.filter(pk=plan.job.pk).update(status=ScanJob.Status.INTERRUPTED)  # a redelivered task
    job_resume(job=plan.job, foreground=True)
    assert len(smtp_server.messages) == 4


class WorkerKilled(BaseException):
    """Stands for the process being killed (not an Exception: nothing catches it on the way out)."""


def test_a_worker_killed_mid_send_never_sends_twice_and_marks_the_unknown_for_review(
    smtp_server, settings, monkeypatch
):
    settings.OUTREACH_CHUNK_SIZE = 3
    template = email_template()
    ids = [lead_with_email().pk for _ in range(7)]
    plan = campaign_send(template=template, prospect_ids=ids)
    real_record = sending._Run.record
    calls = []

    def die_on_second_chunk(self, outcomes, claimed):
        calls.append(1)
        if len(calls) == 2:  # the messages went out, the worker dies before writing it down
            raise WorkerKilled
        return real_record(self, outcomes, claimed)

    monkeypatch.setattr(sending._Run, "record", die_on_second_chunk)
    with pytest.raises(WorkerKilled):
        job_run(job_id=plan.job.pk)
    assert len(smtp_server.messages) == 6
    monkeypatch.setattr(sending._Run, "record", real_record)

    job_resume(job=plan.job, foreground=True)

    recipients = [r.rcpt_tos[0] for r in smtp_server.messages]
    assert len(recipients) == 7 == len(set(recipients))  # all arrived, none twice
    statuses = sorted(CampaignSend.objects.values_list("status", flat=True))
    assert statuses == ["review"] * 3 + ["sent"] * 4
    review = CampaignSend.objects.filter(status="review").first()
    assert "Outcome unknown" in review.error
    job = ScanJob.objects.get(pk=plan.job.pk)
    assert (job.status, job.processed_items, job.failed_items) == ("completed", 7, 3)


def test_a_refused_recipient_fails_alone(smtp_server):
    template = email_template()
    refused = lead_with_email(email="refuse-me@example.lu")
    fine = lead_with_email()
    campaign_send(template=template, prospect_ids=[refused.pk, fine.pk], foreground=True)
    statuses = dict(CampaignSend.objects.values_list("prospect_id", "status"))
    assert statuses == {refused.pk: "failed", fine.pk: "sent"}
    assert "550" in CampaignSend.objects.get(prospect=refused).error
    assert Prospect.objects.get(pk=refused.pk).status == Prospect.Status.PENDING
    # A failed message may be queued again later; the sent one is not.
    again = campaign_send(template=template, prospect_ids=[refused.pk, fine.pk], foreground=True)
    assert (again.to_send, again.already_sent) == (1, 1)


def test_sending_with_a_lead_filter_reaches_only_the_matching_leads(smtp_server):
    template = email_template()
    esch = lead_with_email(city="Esch-sur-Alzette")
    lead_with_email(city="Wiltz")
    plan = campaign_send(template=template, lead_filter={"city": "esch-sur-alzette"}, foreground=True)
    assert plan.to_send == 1
    assert [r.rcpt_tos[0] for r in smtp_server.messages] == [f"info@{esch.domain_name}"]


def test_an_invalid_lead_filter_is_refused():
    with pytest.raises(ValueError, match="Invalid lead filter"):
        campaign_targets(lead_filter={"lead_tier": "nope"})


def test_a_big_send_leaves_writing_the_rows_to_the_job(smtp_server, settings):
    settings.OUTREACH_INLINE_PLAN_MAX = 2
    template = email_template()
    ids = [lead_with_email().pk for _ in range(3)] + [lead_with_email(email=False).pk]
    plan = campaign_send(template=template, prospect_ids=ids)  # queued: nothing written in the request
    assert not CampaignSend.objects.exists() and plan.to_send == 0
    job_run(job_id=plan.job.pk)
    job = ScanJob.objects.get(pk=plan.job.pk)
    assert len(smtp_server.messages) == 3
    assert (job.status, job.total_items, job.processed_items) == ("completed", 4, 4)
    assert job.params["skipped"] == {"no_email": 1}


def test_a_template_that_no_longer_renders_fails_its_messages_with_the_reason(smtp_server):
    from prospecting.outreach.models import CustomVariable

    CustomVariable.objects.create(key="offer", default_value="un audit")
    template = email_template(body_template="Bonjour, {offer}")
    CustomVariable.objects.all().delete()  # deleted behind the service's back
    plan = campaign_send(template=template, prospect_ids=[lead_with_email().pk], foreground=True)
    send = CampaignSend.objects.get()
    assert send.status == "failed" and "{offer}" in send.error
    assert plan.job.status == ScanJob.Status.COMPLETED and not smtp_server.messages
