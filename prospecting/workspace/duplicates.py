"""Possible duplicates and their merge: the same business arrived twice (an offline capture and later its
domain; `shop.example.lu` and `example.lu`).

Two prospects are possible duplicates when they share a registrable domain (the public suffix list, through
tldextract's bundled snapshot: never fetched), a phone number or e-mail address, or a business name and postal
code. The merge moves contacts, interactions, sends, enrolments, import lines, discovery records and activity
onto the prospect kept (whatever a higher app attaches to a prospect, found through the relations of the
model), fills its empty fields from the others, deletes the others and records the merge.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from prospecting.core.domains import registrable_domain
from prospecting.core.models import ActivityLog
from prospecting.core.services import activity_log_record
from prospecting.interactions.services import follow_ups_sync
from prospecting.prospects.models import Prospect, ProspectContact

User = AbstractBaseUser | AnonymousUser | None
_FILLED_FIELDS = ["business_name", "address", "city", "postal_code", "industry", "source", "owner", "captured_by"]


@dataclass
class DuplicateGroup:
    reason: str  # "domain", "phone", "email", "name"
    key: str
    prospects: list[Prospect] = field(default_factory=list)


def prospect_duplicates(*, prospect: Prospect, prospects: QuerySet[Prospect] | None = None) -> list[DuplicateGroup]:
    """The possible duplicates of one prospect (indexed lookups), by reason."""
    base = prospects if prospects is not None else Prospect.objects.all()
    base = base.exclude(pk=prospect.pk)
    groups = []
    if prospect.domain_name:
        parent = registrable_domain(prospect.domain_name)
        same = base.filter(Q(domain_name=parent) | Q(domain_name__endswith="." + parent))
        groups.append(DuplicateGroup("domain", parent, list(same[:50])))
    for contact_type in (ProspectContact.ContactType.PHONE, ProspectContact.ContactType.EMAIL):
        values = list(prospect.contacts.filter(contact_type=contact_type).values_list("value", flat=True)[:20])
        if values:
            same = base.filter(contacts__contact_type=contact_type, contacts__value__in=values).distinct()
            groups.append(DuplicateGroup(str(contact_type), ", ".join(values), list(same[:50])))
    if prospect.business_name.strip():
        same = base.annotate(name_key=Lower("business_name")).filter(
            name_key=prospect.business_name.strip().lower(), postal_code=prospect.postal_code
        )
        groups.append(DuplicateGroup("name", f"{prospect.business_name} {prospect.postal_code}", list(same[:50])))
    return [group for group in groups if group.prospects]


def duplicate_groups(*, prospects: QuerySet[Prospect] | None = None, limit: int = 100) -> list[DuplicateGroup]:
    """Groups of possible duplicates across all prospects (up to `limit` groups per reason).

    Shared phones/e-mails and name + postal code are GROUP BY queries. Shared registrable domains: only
    domains with a subdomain part can collide with another, so those few are read and looked up in bulk.
    """
    base = prospects if prospects is not None else Prospect.objects.all()
    groups: list[DuplicateGroup] = []
    contacts = ProspectContact.objects.filter(
        contact_type__in=[ProspectContact.ContactType.PHONE, ProspectContact.ContactType.EMAIL], prospect__in=base
    )
    shared = (
        contacts.values("contact_type", "value")
        .annotate(n=Count("prospect_id", distinct=True))
        .filter(n__gt=1)
        .order_by("-n", "value")[:limit]
    )
    for row in shared:
        members = base.filter(contacts__contact_type=row["contact_type"], contacts__value=row["value"]).distinct()
        groups.append(DuplicateGroup(row["contact_type"], row["value"], list(members[:20])))
    names = (
        base.exclude(business_name="")
        .annotate(name_key=Lower("business_name"))
        .values("name_key", "postal_code")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("-n", "name_key")[:limit]
    )
    for row in names:
        members = base.annotate(name_key=Lower("business_name")).filter(
            name_key=row["name_key"], postal_code=row["postal_code"]
        )
        groups.append(DuplicateGroup("name", f"{row['name_key']} {row['postal_code']}", list(members[:20])))
    groups.extend(_domain_groups(base, limit))
    return groups


def _domain_groups(base: QuerySet[Prospect], limit: int) -> list[DuplicateGroup]:
    by_parent: dict[str, list[int]] = defaultdict(list)
    candidates = base.filter(domain_name__regex=r"\..+\.").values_list("pk", "domain_name")
    for pk, domain in candidates.iterator(chunk_size=5000):
        parent = registrable_domain(domain)
        if parent != domain:
            by_parent[parent].append(pk)
    parents = list(by_parent)
    for start in range(0, len(parents), 1000):
        chunk = parents[start : start + 1000]
        for pk, domain in base.filter(domain_name__in=chunk).values_list("pk", "domain_name"):
            by_parent[domain].append(pk)
    groups = []
    for parent, ids in sorted(by_parent.items(), key=lambda item: (-len(item[1]), item[0])):
        if len(ids) > 1:
            groups.append(DuplicateGroup("domain", parent, list(base.filter(pk__in=ids[:20]))))
        if len(groups) >= limit:
            break
    return groups


# --- merge -----------------------------------------------------------------------------------------------------


def _move_rows(model: type[models.Model], fk: str, source: Prospect, keep: Prospect) -> tuple[int, int]:
    """Point `model` rows of `source` at `keep`: all at once, else row by row, leaving behind the rows a unique
    constraint refuses (a send of the same template, the same enrolment); they go with the merged prospect."""
    rows = model._default_manager.filter(**{fk: source})
    try:
        with transaction.atomic():
            return rows.update(**{fk: keep}), 0
    except IntegrityError:
        moved = left = 0
        for pk in rows.values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    moved += model._default_manager.filter(pk=pk).update(**{fk: keep})
            except IntegrityError:
                left += 1
        return moved, left


def prospects_merge(*, keep: Prospect, others: list[Prospect], user: User = None) -> Prospect:
    """Merge `others` into `keep` (see the module's docstring); all or nothing, and recorded."""
    others = [other for other in others if other.pk != keep.pk]
    if not others:
        raise ValidationError({"prospect_ids": ["Choose at least one other prospect to merge into this one."]})
    report: dict[str, Any] = {"merged": [], "moved": {}, "left": {}}
    with transaction.atomic():
        ids = sorted([keep.pk, *(other.pk for other in others)])
        locked = {p.pk: p for p in Prospect.objects.select_for_update().filter(pk__in=ids)}
        if keep.pk not in locked or len(locked) != len(ids):
            raise Prospect.DoesNotExist("A prospect of this merge was deleted meanwhile.")
        keep = locked[keep.pk]
        freed_domain = None
        for other in (locked[o.pk] for o in others):
            _merge_contacts(other, keep)
            for relation in Prospect._meta.related_objects:
                model, fk = relation.related_model, relation.field.name
                if model is ProspectContact:
                    continue
                if relation.one_to_one:
                    if not model._default_manager.filter(**{fk: keep}).exists():
                        moved, left = _move_rows(model, fk, other, keep)
                    else:
                        moved, left = 0, model._default_manager.filter(**{fk: other}).count()
                else:
                    moved, left = _move_rows(model, fk, other, keep)
                label = model._meta.label
                report["moved"][label] = report["moved"].get(label, 0) + moved
                if left:
                    report["left"][label] = report["left"].get(label, 0) + left
            ActivityLog.objects.filter(prospect_id=other.pk).update(prospect_id=keep.pk)
            for name in _FILLED_FIELDS:
                if not getattr(keep, name) and getattr(other, name):
                    setattr(keep, name, getattr(other, name))
            if not keep.domain_name and other.domain_name and freed_domain is None:
                freed_domain = other.domain_name
            keep.tags = sorted(set(keep.tags or []) | set(other.tags or []))
            if other.notes and other.notes not in keep.notes:
                keep.notes = "\n\n".join(part for part in (keep.notes, other.notes) if part)
            report["merged"].append({"id": other.pk, "name": other.display_name, "domain": other.domain_name})
            other.delete()
        if freed_domain:
            keep.domain_name = freed_domain
        keep.save()
        follow_ups_sync(prospect_ids=[keep.pk])
        names = ", ".join(item["name"] for item in report["merged"])
        activity_log_record(
            entity=keep, action="merged", actor=user, description=f"Merged {names} into this one", metadata=report
        )
    return keep


def _merge_contacts(other: Prospect, keep: Prospect) -> None:
    have = set(keep.contacts.values_list("contact_type", "value"))
    primary = set(keep.contacts.filter(is_primary=True).values_list("contact_type", flat=True))
    for contact in other.contacts.all():
        if (contact.contact_type, contact.value) in have:
            continue
        contact.prospect = keep
        if contact.is_primary and contact.contact_type in primary:
            contact.is_primary = False
        contact.save(update_fields=["prospect", "is_primary"])
        have.add((contact.contact_type, contact.value))
        if contact.is_primary:
            primary.add(contact.contact_type)
