"""The public pages a message links to (no login): unsubscribe, open pixel, click redirect. Every link is
signed (`links.py`); a forged or altered one is a 404, and a click goes only to a URL that was in that message."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from prospecting.outreach.links import click_token_read, open_token_read, unsubscribe_token_read
from prospecting.outreach.models import CampaignSend
from prospecting.outreach.services.tracking import send_click_record, send_open_record
from prospecting.outreach.services.unsubscribe import unsubscribe

_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

TEXTS = {
    "fr": {
        "title": "Désinscription",
        "question": "Ne plus recevoir nos messages à l'adresse {email} ?",
        "button": "Me désinscrire",
        "done": "C'est fait : nous n'écrirons plus à {email}.",
    },
    "de": {
        "title": "Abmelden",
        "question": "Keine Nachrichten mehr an {email} erhalten?",
        "button": "Abmelden",
        "done": "Erledigt: Wir schreiben nicht mehr an {email}.",
    },
    "en": {
        "title": "Unsubscribe",
        "question": "Stop receiving our messages at {email}?",
        "button": "Unsubscribe",
        "done": "Done: we will not write to {email} again.",
    },
}
TEXTS["lb"] = TEXTS["de"]


def _masked(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:2]}…@{domain}" if domain else "…"


@csrf_exempt  # mail clients POST the one-click unsubscribe (RFC 8058) without a CSRF token; the link is signed
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST unsubscribes at once."""
    send_id = unsubscribe_token_read(token)
    send = CampaignSend.objects.select_related("template").filter(pk=send_id).first() if send_id else None
    if send is None:
        raise Http404("Unknown or altered link.")
    texts = TEXTS.get(send.template.language, TEXTS["en"])
    email = _masked(send.recipient)
    if request.method == "POST":
        unsubscribe(send=send)
        return render(
            request,
            "outreach/unsubscribe.html",
            {"texts": texts, "message": texts["done"].format(email=email), "done": True},
        )
    context = {"texts": texts, "message": texts["question"].format(email=email), "done": False}
    return render(request, "outreach/unsubscribe.html", context)


@never_cache
@require_http_methods(["GET"])
def open_view(request: HttpRequest, token: str) -> HttpResponse:
    send_id = open_token_read(token)
    if send_id is None:
        raise Http404("Unknown or altered link.")
    send_open_record(send_id=send_id)
    return HttpResponse(_PIXEL, content_type="image/gif")


@never_cache
@require_http_methods(["GET"])
def click_view(request: HttpRequest, token: str) -> HttpResponse:
    found = click_token_read(token)
    url = send_click_record(send_id=found[0], index=found[1]) if found else None
    if url is None:
        raise Http404("Unknown or altered link.")
    return HttpResponseRedirect(url)
