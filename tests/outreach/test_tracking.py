"""What comes back from a message: unsubscribe (GET asks, POST unsubscribes), opens, clicks (never an open
redirect), bounces and complaints."""

import re

import pytest
from django.core.management import call_command

from prospecting.core.models import Suppression
from prospecting.outreach.links import click_url, open_pixel_url, unsubscribe_url
from prospecting.outreach.models import CampaignSend, SequenceEnrolment
from prospecting.outreach.services.sending import campaign_send
from prospecting.outreach.services.tracking import bounce_record
from tests.factories import SequenceEnrolmentFactory
from tests.outreach.helpers import email_template, lead_with_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(smtp_server):
    lead = lead_with_email(email="marie@weber.lu")
    campaign_send(template=email_template(), prospect_ids=[lead.pk], foreground=True)
    send = CampaignSend.objects.get()
    message = smtp_server.messages[0].message
    return send, message


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def test_unsubscribe_get_only_asks_and_post_unsubscribes(client, sent):
    send, message = sent
    url = _path(message["List-Unsubscribe"].strip().strip("<>"))
    enrolment = SequenceEnrolmentFactory(prospect=send.prospect)

    page = client.get(url)
    assert page.status_code == 200
    assert "Me désinscrire" in page.content.decode()  # the template's language
    assert not Suppression.objects.exists()  # a link scanner opening it changes nothing

    done = client.post(url, {"List-Unsubscribe": "One-Click"})  # RFC 8058 one-click, no CSRF token
    assert done.status_code == 200
    entry = Suppression.objects.get()
    assert (entry.value, entry.reason) == ("marie@weber.lu", "unsubscribed")
    assert CampaignSend.objects.get().unsubscribed_at is not None
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.exit_reason) == ("exited", "unsubscribed")
    assert client.post(url).status_code == 200  # twice is fine
    assert Suppression.objects.count() == 1


def test_a_forged_unsubscribe_link_is_a_404(client, sent):
    send, _ = sent
    good = _path(unsubscribe_url(send.pk))
    forged = good.replace(f"/u/{send.pk}:", f"/u/{send.pk + 1}:")
    assert client.post(forged).status_code == 404
    assert not Suppression.objects.exists()


def test_the_open_pixel_counts_opens(client, sent):
    send, message = sent
    html = message.get_body(("html",)).get_content()
    pixel = _path(re.search(r'<img src="([^"]+)"', html).group(1))
    assert client.get(pixel)["Content-Type"] == "image/gif"
    client.get(pixel)
    send.refresh_from_db()
    assert send.open_count == 2 and send.opened_at is not None


def test_a_click_redirects_to_the_link_of_the_message_and_counts(client, sent):
    send, message = sent
    text = message.get_body(("plain",)).get_content()
    tracked = re.search(r"https://prospecting\.agence\.lu/m/c/\S+", text).group(0)
    response = client.get(_path(tracked))
    assert response.status_code == 302 and response["Location"] == "https://agence.lu/https"
    send.refresh_from_db()
    assert send.click_count == 1 and send.clicked_at and send.opened_at


def test_no_open_redirect(client, sent):
    send, _ = sent
    assert client.get(_path(click_url(send.pk, 7))).status_code == 404  # no 8th link in that message
    forged = _path(click_url(send.pk, 0)).replace("/c/", "/c/x")
    assert client.get(forged).status_code == 404
    assert client.get(_path(click_url(send.pk, 0)) + "?url=https://evil.example").get("Location") == (
        "https://agence.lu/https"
    )
    assert client.get(_path(open_pixel_url(send.pk)).replace(".gif", "x.gif")).status_code == 404


def test_a_hard_bounce_blocks_the_address_at_once(sent):
    send, _ = sent
    enrolment = SequenceEnrolmentFactory(prospect=send.prospect)
    bounce_record(message_id=send.message_id.strip("<>"), kind="hard", detail="550 user unknown")
    send.refresh_from_db()
    assert send.bounce_type == "hard" and send.bounced_at
    assert Suppression.objects.get().reason == "bounced"
    enrolment.refresh_from_db()
    assert enrolment.exit_reason == SequenceEnrolment.ExitReason.BOUNCED


def test_a_complaint_blocks_the_address(sent):
    send, _ = sent
    bounce_record(message_id=send.message_id, kind="complaint")
    assert Suppression.objects.get().reason == "complained"


def test_three_soft_bounces_in_a_row_block_the_address_two_do_not(smtp_server):
    lead = lead_with_email(email="full@mailbox.lu")
    for number in range(3):
        template = email_template(name=f"Step {number}")
        campaign_send(template=template, prospect_ids=[lead.pk], foreground=True)
    sends = list(CampaignSend.objects.order_by("sent_at", "pk"))
    bounce_record(message_id=sends[0].message_id, kind="soft")
    bounce_record(message_id=sends[1].message_id, kind="soft")
    assert not Suppression.objects.exists()
    call_command("record_bounce", sends[2].message_id, "--kind", "soft", verbosity=0)
    assert Suppression.objects.get().value == "full@mailbox.lu"


def test_a_bounce_for_an_unknown_message_id_changes_nothing(api_client):
    response = api_client.post(
        "/api/admin/prospecting/campaigns/bounces", {"message_id": "<nope@x>", "kind": "hard"}, format="json"
    )
    assert response.status_code == 404
    assert not Suppression.objects.exists()


def test_an_esp_tracking_event_feeds_the_same_services(sent):
    from types import SimpleNamespace

    from prospecting.outreach.services.tracking import anymail_tracking_received

    send, _ = sent
    event = SimpleNamespace(event_type="opened", metadata={"prospecting_send_id": str(send.pk)}, message_id="x")
    anymail_tracking_received(sender=None, event=event, esp_name="Brevo")
    bounced = SimpleNamespace(event_type="bounced", metadata={}, message_id=send.message_id, description="550")
    anymail_tracking_received(sender=None, event=bounced, esp_name="Brevo")
    send.refresh_from_db()
    assert send.open_count == 1 and send.bounce_type == "hard"
    assert Suppression.objects.get().reason == "bounced"
