"""A person with data in every table the product writes, and a generic scan of every text and JSON column."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from prospecting.core.services import activity_log_record
from prospecting.core.suppression import suppression_add
from prospecting.discovery.models import DiscoverySource, RawRecord
from prospecting.outreach.models import CampaignSend
from prospecting.prospects import services
from prospecting.prospects.models import ImportBatch, ImportRow, Prospect
from tests.factories import CampaignSendFactory, InteractionFactory, ProspectFactory

EMAIL = "marie.weber@bakery.lu"
PHONE_DIGITS = "621555777"
NAME = "Marie Weber"


@dataclass
class World:
    prospect: Prospect
    other: Prospect


def person_everywhere() -> World:
    """Marie Weber, contact of the bakery: her address and mobile in a contact, an import line, a discovery
    record, a message sent to her, interactions, notes, the activity log and the do-not-contact list."""
    prospect = ProspectFactory(domain_name="bakery.lu", business_name="Bakery")
    services.prospect_update(prospect=prospect, data={"notes": f"Ask for {NAME}."})
    other = ProspectFactory(domain_name="mill.lu", business_name="Mill", notes="Friend of MARIE.WEBER@bakery.lu")
    services.contact_create(prospect=prospect, data={"contact_type": "email", "value": EMAIL, "label": NAME})
    services.contact_create(prospect=prospect, data={"contact_type": "phone", "value": "+352 621 555 777"})
    services.contact_create(prospect=prospect, data={"contact_type": "email", "value": "info@bakery.lu"})
    services.contact_create(prospect=other, data={"contact_type": "phone", "value": "+352 621 000 000"})
    batch = ImportBatch.objects.create(name="fair-leads.csv")
    ImportRow.objects.create(
        batch=batch,
        line_number=2,
        raw_payload={"domain": "bakery.lu", "email": "Marie.Weber@Bakery.lu", "phone": "00352 621 55 57 77",
                     "contact_name": NAME},
        data_hash="x",
        prospect=prospect,
        outcome="created",
    )  # fmt: skip
    source = DiscoverySource.objects.create(name="Directory", slug="directory", kind="directory")
    RawRecord.objects.create(
        source=source,
        data_hash="h",
        payload={"contact": {"mail": f"mailto:{EMAIL}", "tel": "+352621555777"}, "name": "Bakery"},
        fields={"email": EMAIL, "phone": "621 555 777", "name": "Bakery"},
        name="Bakery",
        prospect=prospect,
    )
    CampaignSendFactory(
        prospect=prospect,
        recipient=EMAIL,
        rendered_subject=f"Bonjour {NAME}",
        rendered_body=f"Bonjour {NAME},\nvotre site…",
        status=CampaignSend.Status.SENT,
    )
    InteractionFactory(prospect=prospect, subject=f"Call with {NAME}", notes=f"She gave {EMAIL}, mobile 621 555 777")
    activity_log_record(entity=prospect, action="noted", description=f"{NAME} asked for a quote")
    suppression_add(kind="email", value=EMAIL, reason="unsubscribed", note=f"unsubscribed: {EMAIL}")
    return World(prospect=prospect, other=other)


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def tables_holding(*, email: str = "", digits: str = "", name: str = "") -> dict[str, set[int]]:
    """Every row of every model (apps.get_models(): tables added later are covered) whose text or JSON columns
    hold the e-mail (any case), the phone's digits (any spelling) or the name: {model label: {pk, ...}}."""
    found: dict[str, set[int]] = {}
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        fields = text_fields(model)
        if not fields:
            continue
        for row in model._base_manager.values("pk", *(f.attname for f in fields)).iterator():
            text = " ".join(str(row[f.attname]) for f in fields if row[f.attname] is not None)
            hit = (email and email.lower() in text.lower()) or (name and name.lower() in text.lower())
            hit = hit or (digits and digits in re.sub(r"\D", "", text.replace(" ", "")))
            if hit:
                found.setdefault(model._meta.label, set()).add(row["pk"])
    return found
