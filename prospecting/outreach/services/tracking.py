"""What happens to a message after it left: opened, clicked, bounced, reported as spam."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from prospecting.core.models import Suppression
from prospecting.core.suppression import suppression_add
from prospecting.outreach.models import CampaignSend, SequenceEnrolment

SOFT_BOUNCES_IN_A_ROW = 3


class BounceKind:
    HARD = "hard"
    SOFT = "soft"
    COMPLAINT = "complaint"
    ALL = (HARD, SOFT, COMPLAINT)


def send_open_record(*, send_id: int) -> bool:
    """The open pixel was loaded: first open time and a count."""
    now = timezone.now()
    return bool(
        CampaignSend.objects.filter(pk=send_id, status=CampaignSend.Status.SENT).update(
            opened_at=Coalesce(F("opened_at"), now), open_count=F("open_count") + 1
        )
    )


def send_click_record(*, send_id: int, index: int) -> str | None:
    """A tracked link was followed: the URL it stands for (only a URL that was in that message), or None."""
    links = CampaignSend.objects.filter(pk=send_id).values_list("links", flat=True).first()
    if not isinstance(links, list) or not 0 <= index < len(links):
        return None
    now = timezone.now()
    CampaignSend.objects.filter(pk=send_id).update(
        clicked_at=Coalesce(F("clicked_at"), now),
        click_count=F("click_count") + 1,
        opened_at=Coalesce(F("opened_at"), now),  # a click means it was opened, images or not
    )
    url = links[index]
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def _find(message_id: str) -> CampaignSend | None:
    value = message_id.strip()
    if not value:
        return None
    if not value.startswith("<"):
        value = f"<{value}>"
    return CampaignSend.objects.filter(message_id=value).first()


def bounce_record(*, message_id: str, kind: str, detail: str = "") -> CampaignSend | None:
    """Record a bounce or complaint for a Message-ID. A hard bounce or a complaint puts the address on the
    suppression list at once; soft bounces do when the last three messages to the address all bounced.
    Returns the send, or None when no message has this id."""
    from prospecting.outreach.services.sequences import enrolments_exit

    if kind not in BounceKind.ALL:
        raise ValueError(f"Unknown bounce kind {kind!r}: use one of {', '.join(BounceKind.ALL)}.")
    send = _find(message_id)
    if send is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        if kind == BounceKind.COMPLAINT:
            CampaignSend.objects.filter(pk=send.pk).update(complained_at=Coalesce(F("complained_at"), now))
            reason = Suppression.Reason.COMPLAINED
        else:
            CampaignSend.objects.filter(pk=send.pk).update(
                bounced_at=Coalesce(F("bounced_at"), now),
                bounce_type=CampaignSend.BounceType.HARD if kind == BounceKind.HARD else CampaignSend.BounceType.SOFT,
                error=detail[:2000] or F("error"),
            )
            reason = Suppression.Reason.BOUNCED
        blocked = kind != BounceKind.SOFT or _soft_bounces_in_a_row(send.recipient)
        if blocked and send.recipient:
            note = f"{kind} bounce" if kind != BounceKind.COMPLAINT else "spam complaint"
            suppression_add(
                kind=Suppression.Kind.EMAIL,
                value=send.recipient,
                reason=reason,
                note=f"{note}: {detail}"[:500],
                origin=f"campaign send #{send.pk}",
            )
            exit_reason = (
                SequenceEnrolment.ExitReason.UNSUBSCRIBED
                if kind == BounceKind.COMPLAINT
                else SequenceEnrolment.ExitReason.BOUNCED
            )
            enrolments_exit(prospect_ids=[send.prospect_id], reason=exit_reason)
    send.refresh_from_db()
    return send


def _soft_bounces_in_a_row(recipient: str) -> bool:
    if not recipient:
        return False
    last = list(
        CampaignSend.objects.filter(recipient=recipient, sent_at__isnull=False)
        .order_by("-sent_at", "-pk")
        .values_list("bounce_type", flat=True)[:SOFT_BOUNCES_IN_A_ROW]
    )
    return len(last) == SOFT_BOUNCES_IN_A_ROW and all(kind == CampaignSend.BounceType.SOFT for kind in last)


def esp_event_record(*, event_type: str, send_id: int | None, message_id: str = "", detail: str = "") -> bool:
    """An ESP's tracking event (django-anymail's normalized `tracking` signal): opened, clicked, bounced,
    deferred (soft), complained, unsubscribed — fed to the same services as our own links and bounce reports.
    Returns whether a send was found."""
    from prospecting.outreach.services.unsubscribe import unsubscribe

    send = CampaignSend.objects.filter(pk=send_id).first() if send_id else _find(message_id or "")
    if send is None:
        return False
    if event_type == "opened":
        send_open_record(send_id=send.pk)
    elif event_type == "clicked":
        now = timezone.now()
        CampaignSend.objects.filter(pk=send.pk).update(
            clicked_at=Coalesce(F("clicked_at"), now), click_count=F("click_count") + 1
        )
    elif event_type in {"bounced", "rejected"}:
        bounce_record(message_id=send.message_id, kind=BounceKind.HARD, detail=detail)
    elif event_type == "deferred":
        bounce_record(message_id=send.message_id, kind=BounceKind.SOFT, detail=detail)
    elif event_type == "complained":
        bounce_record(message_id=send.message_id, kind=BounceKind.COMPLAINT, detail=detail)
    elif event_type == "unsubscribed":
        unsubscribe(send=send)
    return True


def anymail_tracking_received(sender: object, event: object, esp_name: str = "", **kwargs: object) -> None:
    """Receiver of `anymail.signals.tracking` (connected when django-anymail is installed)."""
    metadata = getattr(event, "metadata", None) or {}
    send_id = metadata.get("prospecting_send_id")
    esp_event_record(
        event_type=str(getattr(event, "event_type", "")),
        send_id=int(send_id) if str(send_id or "").isdigit() else None,
        message_id=str(getattr(event, "message_id", "") or ""),
        detail=str(getattr(event, "description", "") or getattr(event, "mta_response", "") or ""),
    )
