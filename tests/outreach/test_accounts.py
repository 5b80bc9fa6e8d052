"""Sender accounts: failover when the first server refuses, daily and hourly caps, the sending window
(Europe/Luxembourg), all against a real SMTP server and with frozen time."""

import datetime
import zoneinfo

import pytest
import time_machine

from prospecting.outreach.models import CampaignSend, SenderAccount
from prospecting.outreach.services.accounts import account_connection
from prospecting.outreach.services.sending import campaign_send
from prospecting.outreach.services.sequences import outreach_tick
from tests.factories import SenderAccountFactory
from tests.outreach.helpers import email_template, lead_with_email
from tests.outreach.smtp import free_port

pytestmark = pytest.mark.django_db
LUX = zoneinfo.ZoneInfo("Europe/Luxembourg")


def _leads(count):
    return [lead_with_email().pk for _ in range(count)]


def test_a_refusing_first_account_fails_over_to_the_next(smtp_server):
    dead = SenderAccountFactory(name="Primary", port=free_port(), priority=1)  # nothing listens there
    backup = SenderAccountFactory(name="Backup", port=smtp_server.port, priority=2, from_email="backup@agence.lu")
    campaign_send(template=email_template(), prospect_ids=_leads(3), foreground=True)
    assert len(smtp_server.messages) == 3
    assert {r.mail_from for r in smtp_server.messages} == {"backup@agence.lu"}
    assert set(CampaignSend.objects.values_list("status", "sender_account")) == {("sent", backup.pk)}
    assert dead.sends.count() == 0


def test_when_every_account_fails_the_messages_wait_and_are_not_lost(settings):
    SenderAccountFactory(port=free_port())
    plan = campaign_send(template=email_template(), prospect_ids=_leads(2), foreground=True)
    sends = list(CampaignSend.objects.all())
    assert {send.status for send in sends} == {"queued"}
    assert all(send.not_before and "No sender account" in send.wait_reason for send in sends)
    assert plan.job.params["waiting"] == 2


def test_the_hourly_cap_holds_messages_until_the_hour_has_passed(smtp_server):
    SenderAccountFactory(port=smtp_server.port, hourly_limit=2)
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=LUX), tick=False):
        campaign_send(template=email_template(), prospect_ids=_leads(5), foreground=True)
        assert len(smtp_server.messages) == 2
        waiting = CampaignSend.objects.filter(status="queued")
        assert waiting.count() == 3
        assert {send.not_before for send in waiting} == {datetime.datetime(2026, 11, 24, 11, 0, tzinfo=LUX)}
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 59, tzinfo=LUX), tick=False):
        outreach_tick(foreground=True)
        assert len(smtp_server.messages) == 2  # not yet
    with time_machine.travel(datetime.datetime(2026, 11, 24, 11, 0, 1, tzinfo=LUX), tick=False):
        outreach_tick(foreground=True)
        assert len(smtp_server.messages) == 4
    with time_machine.travel(datetime.datetime(2026, 11, 24, 12, 0, 2, tzinfo=LUX), tick=False):
        outreach_tick(foreground=True)
    assert len(smtp_server.messages) == 5
    assert len({r.rcpt_tos[0] for r in smtp_server.messages}) == 5


def test_the_daily_cap_spills_over_to_the_next_account_then_waits_for_tomorrow(smtp_server):
    first = SenderAccountFactory(port=smtp_server.port, daily_limit=2, priority=1)
    second = SenderAccountFactory(port=smtp_server.port, daily_limit=1, priority=2)
    with time_machine.travel(datetime.datetime(2026, 11, 24, 16, 0, tzinfo=LUX), tick=False):
        campaign_send(template=email_template(), prospect_ids=_leads(4), foreground=True)
    assert first.sends.count() == 2 and second.sends.count() == 1
    waiting = CampaignSend.objects.get(status="queued")
    assert waiting.not_before == datetime.datetime(2026, 11, 25, 0, 0, tzinfo=LUX)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 0, 5, tzinfo=LUX), tick=False):
        outreach_tick(foreground=True)
    assert len(smtp_server.messages) == 4


def test_outside_the_sending_window_nothing_goes_out_until_it_opens(smtp_server):
    SenderAccountFactory(
        port=smtp_server.port,
        window_days=[0, 1, 2, 3, 4],
        window_start=datetime.time(8, 30),
        window_end=datetime.time(17, 0),
        time_zone="Europe/Luxembourg",
    )
    saturday = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=LUX)
    with time_machine.travel(saturday, tick=False):
        campaign_send(template=email_template(), prospect_ids=_leads(2), foreground=True)
    assert not smtp_server.messages
    monday_opening = datetime.datetime(2026, 11, 30, 8, 30, tzinfo=LUX)
    assert set(CampaignSend.objects.values_list("not_before", flat=True)) == {monday_opening}
    with time_machine.travel(datetime.datetime(2026, 11, 30, 8, 29, tzinfo=LUX), tick=False):
        outreach_tick(foreground=True)
    assert not smtp_server.messages
    with time_machine.travel(datetime.datetime(2026, 11, 30, 8, 31, tzinfo=LUX), tick=False):
        outreach_tick(foreground=True)
    assert len(smtp_server.messages) == 2


def test_a_stored_password_is_encrypted_and_used_for_the_connection():
    account = SenderAccountFactory()
    account.password = "s3cret-pass"
    account.save()
    stored = SenderAccount.objects.get(pk=account.pk)
    assert "s3cret-pass" not in stored.password_encrypted
    assert account_connection(stored).password == "s3cret-pass"


def test_a_password_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SMTP_SALES_PASSWORD", "from-env")
    account = SenderAccountFactory(password_env="SMTP_SALES_PASSWORD")
    assert account_connection(account).password == "from-env"
