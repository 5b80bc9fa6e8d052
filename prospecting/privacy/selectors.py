"""Privacy reads: whom a request is about, the rows that hold them (access export), retention candidates."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from prospecting.core.models import ActivityLog, Suppression
from prospecting.core.suppression import suppression_hash
from prospecting.discovery.models import RawRecord
from prospecting.interactions.models import Interaction
from prospecting.outreach.models import CampaignSend
from prospecting.privacy.sweep import Term, email_term, phone_term, rows_find, text_term
from prospecting.prospects.models import Conversion, ImportRow, Prospect, ProspectContact

CSV_HEADER = ["section", "table", "record_id", "field", "value", "source"]
# Columns never shown in an export, whatever table matched (secrets, keys).
_HIDDEN = ("password", "_encrypted", "api_key", "value_hash", "token", "secret")


@dataclass
class Subject:
    """Whom a request is about, normalized the way the suppression list hashes it."""

    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.emails or self.phones or self.domains)


def subject_terms(subject: Subject) -> list[Term]:
    return [
        *(email_term(email) for email in subject.emails),
        *(phone_term(phone) for phone in subject.phones),
        *(text_term(domain) for domain in subject.domains),
    ]


def contacts_of(subject: Subject) -> QuerySet[ProspectContact]:
    """The contacts holding the subject's e-mails or phones (a phone in any spelling)."""
    condition = Q(contact_type=ProspectContact.ContactType.EMAIL, value__in=subject.emails or [""])
    for phone in subject.phones:
        condition |= Q(contact_type=ProspectContact.ContactType.PHONE) & phone_term(phone).q("value")
    return ProspectContact.objects.filter(condition)


def linked_scopes(prospect_ids: list[int]) -> dict[str, Q]:
    """Per model label, the rows that belong to these prospects: the prospects, every table with a foreign key
    to Prospect (found generically), and the activity entries about them."""
    scopes = {Prospect._meta.label: Q(pk__in=prospect_ids), ActivityLog._meta.label: Q(prospect_id__in=prospect_ids)}
    for model in apps.get_models():
        for relation in model._meta.concrete_fields:
            if relation.is_relation and relation.related_model is Prospect:
                scopes[model._meta.label] = scopes.get(model._meta.label, Q()) | Q(
                    **{f"{relation.attname}__in": prospect_ids}
                )
    return scopes


def retention_candidates(*, cutoff: datetime.datetime) -> QuerySet[Prospect]:
    """Prospects created before `cutoff` that were never contacted (no message sent, no interaction logged,
    no contacted date) and never converted: what the retention purge removes."""
    sent = CampaignSend.objects.filter(prospect_id=OuterRef("pk"), sent_at__isnull=False)
    return (
        Prospect.objects.filter(created_at__lt=cutoff, contacted_at__isnull=True)
        .exclude(status__in=[Prospect.Status.CONTACTED, Prospect.Status.CONVERTED])
        .exclude(Exists(Conversion.objects.filter(prospect_id=OuterRef("pk"))))
        .exclude(Exists(Interaction.objects.filter(prospect_id=OuterRef("pk"))))
        .exclude(Exists(sent))
        .order_by("pk")
    )


# --- access export (Art. 15) -----------------------------------------------------------------------------


def _safe(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def _row(obj: models.Model) -> dict[str, Any]:
    return {
        f.attname: _safe(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if not any(part in f.attname for part in _HIDDEN)
    }


def _source_of(obj: models.Model) -> str:
    """Where a row that mentions the person came from, in words."""
    if isinstance(obj, ImportRow):
        return f"import batch {obj.batch_id} ({obj.batch.name}), line {obj.line_number}"
    if isinstance(obj, RawRecord):
        parts = [f"discovery source {obj.source.name}", obj.source_url, obj.attribution]
        return ", ".join(part for part in parts if part)
    if isinstance(obj, CampaignSend):
        return f"message of the agency ({obj.get_status_display()})"
    if isinstance(obj, Interaction):
        return "logged by staff" + (f" ({obj.created_by})" if getattr(obj, "created_by_id", None) else "")
    if isinstance(obj, ActivityLog):
        return "activity log of the product"
    if isinstance(obj, ProspectContact):
        return contact_source(obj)
    return f"{obj._meta.verbose_name} (recorded by the product)"


def contact_source(contact: ProspectContact) -> str:
    parts = [contact.source or "unknown", contact.source_detail, contact.source_url]
    return ", ".join(part for part in parts if part)


def person_data(*, subject: Subject) -> dict[str, Any]:
    """Everything held on a person: the suppression entries for their values, the prospects they are a
    contact of (with each field's origin and the lawful basis), their contacts (with origin), and every other
    row of every table that holds one of their values or, among the rows of those prospects, their name."""
    contacts = list(contacts_of(subject).select_related("prospect", "added_by"))
    linked = {contact.prospect_id for contact in contacts}
    linked |= set(CampaignSend.objects.filter(recipient__in=subject.emails).values_list("prospect_id", flat=True))
    found = rows_find(subject_terms(subject))
    names = set(subject.names) | {c.label.split(",")[0].strip() for c in contacts if len(c.label.strip()) >= 3}
    if names and linked:
        by_name = rows_find([text_term(name) for name in sorted(names)], scopes=linked_scopes(sorted(linked)))
        for model, pks in by_name.items():
            found[model] = sorted(set(found.get(model, [])) | set(pks))
    hashes = [
        suppression_hash(kind, value)
        for kind, values in (("email", subject.emails), ("phone", subject.phones), ("domain", subject.domains))
        for value in values
    ]
    data: dict[str, Any] = {
        "subject": {"emails": subject.emails, "phones": subject.phones, "domains": subject.domains},
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "suppression": [
            {"kind": e.kind, "reason": e.reason, "since": _safe(e.created_at)}
            for e in Suppression.objects.filter(value_hash__in=hashes)
        ],
        "prospects": [
            {
                "id": p.pk,
                "business_name": p.business_name,
                "domain_name": p.domain_name,
                "status": p.status,
                "source": p.source,
                "lawful_basis": p.lawful_basis,
                "informed_at": _safe(p.informed_at),
                "first_contacted_at": _safe(p.contacted_at),
                "created_at": _safe(p.created_at),
                "owner": p.owner.get_username() if p.owner else "",
                "field_sources": p.field_sources,
            }
            for p in Prospect.objects.filter(pk__in=linked).select_related("owner").order_by("pk")
        ],
        "contacts": [
            {
                "id": c.pk,
                "prospect_id": c.prospect_id,
                "type": c.contact_type,
                "value": c.value,
                "label": c.label,
                "source": contact_source(c),
                "added_by": c.added_by.get_username() if c.added_by else "",
                "created_at": _safe(c.created_at),
            }
            for c in contacts
        ],
        "records": {},
    }
    skip = {Prospect, ProspectContact}
    for model, pks in sorted(found.items(), key=lambda item: item[0]._meta.label):
        if model in skip:
            pks = [pk for pk in pks if pk not in linked] if model is Prospect else []
            if not pks:
                continue
        queryset = model._base_manager.filter(pk__in=pks).order_by("pk")
        if model is ImportRow:
            queryset = queryset.select_related("batch")
        elif model is RawRecord:
            queryset = queryset.select_related("source")
        data["records"][model._meta.label] = [
            {"table": model._meta.label, "id": obj.pk, "source": _source_of(obj), "fields": _row(obj)}
            for obj in queryset
        ]
    return data


def person_data_csv_rows(data: dict[str, Any]) -> Iterator[list[str]]:
    """The export as CSV rows: section, table, record id, field, value, where it came from."""
    yield CSV_HEADER

    def text(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)

    for entry in data["suppression"]:
        yield ["suppression", "core.Suppression", "", entry["kind"], entry["reason"], f"since {entry['since']}"]
    for prospect in data["prospects"]:
        sources = prospect.get("field_sources") or {}
        for name, value in prospect.items():
            if name in {"id", "field_sources"}:
                continue
            origin = sources.get(name) or {}
            source = ", ".join(str(origin[k]) for k in ("source", "detail", "at") if origin.get(k))
            yield ["prospect", "prospects.Prospect", str(prospect["id"]), name, text(value), source]
    for contact in data["contacts"]:
        for name in ("type", "value", "label", "added_by", "created_at"):
            row_id = str(contact["id"])
            yield ["contact", "prospects.ProspectContact", row_id, name, text(contact[name]), contact["source"]]
    for label, rows in data["records"].items():
        for row in rows:
            for name, value in row["fields"].items():
                if value in (None, "", [], {}):
                    continue
                yield ["record", label, str(row["id"]), name, text(value), row["source"]]
