"""Which existing prospect a new record (an import line, a discovered listing) is: one rule for every source.

A record with a website is the prospect with that normalized domain; one without is the offline prospect
with the same business name (case-insensitive) and postal code (spaces ignored).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.db.models.functions import Lower

from prospecting.prospects.models import Prospect

ProspectKey = tuple[str, ...]


def prospect_key(*, domain: str | None, business_name: str, postal_code: str) -> ProspectKey | None:
    """The key a record is matched by (None: nothing identifies it)."""
    if domain:
        return ("d", domain)
    if business_name.strip():
        return ("o", business_name.strip().casefold(), postal_code.replace(" ", ""))
    return None


def prospects_by_key(keys: Iterable[ProspectKey | None]) -> dict[ProspectKey, Prospect]:
    """The prospects already in the database for these keys, in two queries at most."""
    keys = [key for key in keys if key]
    domains = [key[1] for key in keys if key[0] == "d"]
    offline_names = {key[1] for key in keys if key[0] == "o"}
    found: dict[ProspectKey, Prospect] = {}
    if domains:
        for prospect in Prospect.objects.filter(domain_name__in=domains):
            found[("d", prospect.domain_name)] = prospect
    if offline_names:
        candidates = Prospect.objects.annotate(name_key=Lower("business_name")).filter(
            Q(domain_name__isnull=True), name_key__in=offline_names
        )
        for prospect in candidates:
            found[("o", prospect.business_name.casefold(), prospect.postal_code.replace(" ", ""))] = prospect
    return found
