"""Discovery writes: run a source as a job, keep every listing as a raw record, turn records into prospects
through the same matching as imports, count what each provider costs, find e-mails with a provider."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from prospecting.core.db import rows_insert, rows_update
from prospecting.core.domains import InvalidDomainError, normalize_domain
from prospecting.core.emails import InvalidEmailError, email_normalize
from prospecting.core.events import prospects_changed_announce
from prospecting.core.jobs import JobContext, job_start
from prospecting.core.models import ScanJob
from prospecting.core.services import activity_log_record
from prospecting.core.suppression import (
    payload_redact,
    string_is_suppressed,
    suppression_check,
    suppression_check_payloads,
)
from prospecting.discovery.models import DiscoverySource, ProviderUsage, RawRecord, month_start
from prospecting.discovery.sources.base import Listing, Search, SourceAdapter, SourceStopped
from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.prospects.services.matching import ProspectKey, prospect_key, prospects_by_key

User = AbstractBaseUser | AnonymousUser | None
CHUNK_SIZE = 1000
# A listing's "website" on these platforms is a page of the business there, not its own domain.
PLATFORM_DOMAINS = {
    "facebook.com",
    "m.facebook.com",
    "instagram.com",
    "linkedin.com",
    "twitter.com",
    "x.com",
    "youtube.com",
    "tiktok.com",
    "google.com",
    "maps.google.com",
    "goo.gl",
    "tripadvisor.com",
    "booking.com",
}


# --- sources and usage ------------------------------------------------------------------------------------


def discovery_adapter(source: DiscoverySource) -> SourceAdapter:
    """The code that reads this kind of source."""
    from prospecting.discovery.sources.directory import DirectorySource
    from prospecting.discovery.sources.osm import OverpassSource
    from prospecting.discovery.sources.providers import GooglePlacesSource

    if source.kind == DiscoverySource.Kind.OSM:
        return OverpassSource(source.base_url)
    if source.kind == DiscoverySource.Kind.DIRECTORY:
        return DirectorySource(source.config)
    if source.kind == DiscoverySource.Kind.GOOGLE_PLACES:
        return GooglePlacesSource(source.base_url, source.api_key)
    raise ValueError(f"{source} does not list businesses (it is a {source.get_kind_display()}).")


def usage_check(*, source: DiscoverySource, calls: int = 1, today: datetime.date | None = None) -> None:
    """Refuse a call that would pass the source's monthly limit, saying when it resets."""
    if source.monthly_call_limit is None:
        return
    month = month_start(today or timezone.localdate())
    used = ProviderUsage.objects.filter(source=source, month=month).values_list("calls", flat=True).first() or 0
    if used + calls > source.monthly_call_limit:
        next_month = (month + datetime.timedelta(days=32)).replace(day=1)
        raise SourceStopped(
            f"{source.name} reached its monthly limit of {source.monthly_call_limit} calls "
            f"({used} used this month). It resets on {next_month:%Y-%m-%d}; raise the limit on the source to go on now."
        )


def usage_record(
    *, source: DiscoverySource, calls: int = 0, leads: int = 0, today: datetime.date | None = None
) -> None:
    """Count calls and leads for this month, with their cost (safe with several workers at once)."""
    if not calls and not leads:
        return
    month = month_start(today or timezone.localdate())
    cost = Decimal(calls) * source.cost_per_call + Decimal(leads) * source.cost_per_lead
    with transaction.atomic():
        usage, _ = ProviderUsage.objects.select_for_update().get_or_create(source=source, month=month)
        ProviderUsage.objects.filter(pk=usage.pk).update(
            calls=F("calls") + calls, leads=F("leads") + leads, cost=F("cost") + cost
        )


# --- raw records ------------------------------------------------------------------------------------------


@dataclass
class StoreResult:
    new: int = 0  # listings kept for the first time
    suppressed: int = 0  # listings left out, or kept without an e-mail or phone, because of the suppression list


def raw_records_store(
    *, source: DiscoverySource, listings: Iterable[Listing], job_id: int | None = None, country: str = "LU"
) -> StoreResult:
    """Keep each listing as found (a listing this source gave before is kept once), except what the suppression
    list forbids: a listing whose website is a suppressed domain is not kept at all; a suppressed e-mail or
    phone is blanked in its payload and fields. Both are counted."""
    listings = list(listings)
    result = StoreResult()
    check = suppression_check_payloads([[listing.raw, listing.fields()] for listing in listings], region=country)
    suppressed = string_is_suppressed(check)
    records = {}
    for listing in listings:
        payload, fields = listing.raw, listing.fields()
        if check:
            if check.domain(_website_domain(listing.website)):
                result.suppressed += 1
                continue
            payload, in_payload = payload_redact(payload, suppressed)
            fields, in_fields = payload_redact(fields, suppressed)
            result.suppressed += 1 if in_payload or in_fields else 0
        digest = listing.data_hash()
        records[digest] = RawRecord(
            source=source,
            job_id=job_id,
            external_id=listing.external_id[:255],
            data_hash=digest,
            payload=payload,
            fields=fields,
            source_url=listing.source_url[:2000],
            attribution=source.attribution,
            name=listing.name[:255],
        )
    if not records:
        return result
    before = RawRecord.objects.filter(source=source, data_hash__in=list(records)).count()
    RawRecord.objects.bulk_create(list(records.values()), ignore_conflicts=True, batch_size=CHUNK_SIZE)
    result.new = len(records) - before
    return result


@dataclass
class NormalizeSummary:
    imported: int = 0  # new prospects
    merged: int = 0  # existing prospects completed
    skipped: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.imported + self.merged + self.skipped + self.failed


def _website_domain(url: str) -> str | None:
    if not url:
        return None
    try:
        domain = normalize_domain(url)
    except InvalidDomainError:
        return None
    return None if domain in PLATFORM_DOMAINS or domain.endswith(".facebook.com") else domain


def _decimal_rating(value: Any) -> Decimal | None:
    try:
        rating = Decimal(str(value)).quantize(Decimal("0.1"))
    except (ArithmeticError, ValueError, TypeError):
        return None
    return rating if Decimal(0) <= rating <= Decimal(5) else None


def raw_records_normalize(
    *, records: list[RawRecord], source: DiscoverySource, country: str = "LU", user: User = None
) -> NormalizeSummary:
    """Turn records into prospects, all or nothing per call: a record whose website, or name and postal code,
    is already a prospect completes it (empty fields only; ratings are refreshed) instead of creating a
    second one. Contacts (phone, e-mail, website) keep the source and the page they came from."""
    summary = NormalizeSummary()
    parsed: list[tuple[RawRecord, dict[str, Any], ProspectKey | None]] = []
    for record in records:
        fields = record.fields or {}
        domain = _website_domain(fields.get("website", ""))
        key = prospect_key(
            domain=domain, business_name=fields.get("name", ""), postal_code=fields.get("postal_code", "")
        )
        parsed.append((record, {**fields, "domain": domain}, key))
    with transaction.atomic():
        existing = prospects_by_key(key for _, _, key in parsed)
        to_create: dict[ProspectKey, Prospect] = {}
        to_update: dict[int, Prospect] = {}
        for record, fields, key in parsed:
            if key is None:
                record.status, record.error = RawRecord.Status.SKIPPED, "No website and no name: nothing identifies it."
                summary.skipped += 1
                continue
            prospect = existing.get(key) or to_create.get(key)
            if prospect is None:
                prospect = Prospect(
                    channel=Prospect.Channel.DIGITAL if fields["domain"] else Prospect.Channel.OFFLINE,
                    domain_name=fields["domain"],
                    business_name=fields.get("name", "")[:255],
                    address=fields.get("street", "")[:500],
                    city=fields.get("city", "")[:100],
                    postal_code=fields.get("postal_code", "")[:10],
                    country=(fields.get("country") or country or "LU")[:2].upper(),
                    source=source.slug,
                    industry=fields.get("category", "")[:100],
                    rating=_decimal_rating(fields.get("rating")),
                    review_count=fields.get("review_count"),
                    price_level=fields.get("price_level"),
                    captured_by=user if user is not None and user.is_authenticated else None,
                )
                to_create[key] = prospect
                record.status = RawRecord.Status.IMPORTED
                summary.imported += 1
            else:
                _complete(prospect, fields)
                if prospect.pk:
                    to_update[prospect.pk] = prospect
                record.status = RawRecord.Status.MERGED
                summary.merged += 1
            record.prospect = prospect
        created = list(to_create.values())
        # A prospect created by another writer meanwhile raises IntegrityError: the job redoes the chunk.
        rows_insert(Prospect, created)
        rows_update(
            Prospect,
            list(to_update.values()),
            ["business_name", "address", "city", "postal_code", "industry", "rating", "review_count",
             "price_level", "updated_at"],
        )  # fmt: skip
        _contacts_create(parsed, source)
        _records_mark([record for record, _, _ in parsed])
        prospects_changed_announce(prospect_ids={p.pk for p in [*created, *to_update.values()]})
    return summary


def _records_mark(records: list[RawRecord]) -> None:
    rows_update(RawRecord, records, ["status", "error", "prospect"])


def _complete(prospect: Prospect, fields: dict[str, Any]) -> None:
    for name, value, length in (
        ("business_name", fields.get("name", ""), 255),
        ("address", fields.get("street", ""), 500),
        ("city", fields.get("city", ""), 100),
        ("postal_code", fields.get("postal_code", ""), 10),
        ("industry", fields.get("category", ""), 100),
    ):
        if value and not getattr(prospect, name):
            setattr(prospect, name, value[:length])
    rating = _decimal_rating(fields.get("rating"))
    if rating is not None:
        prospect.rating = rating
    for name in ("review_count", "price_level"):
        if fields.get(name) is not None:
            setattr(prospect, name, fields[name])
    prospect.updated_at = timezone.now()


def _contacts_create(
    parsed: list[tuple[RawRecord, dict[str, Any], ProspectKey | None]], source: DiscoverySource
) -> None:
    contacts: list[ProspectContact] = []
    seen: set[tuple[int, str, str]] = set()
    check = suppression_check(
        emails=[fields.get("email", "") for _, fields, _ in parsed],
        phones=[fields.get("phone", "") for _, fields, _ in parsed],
    )
    for record, fields, _ in parsed:
        prospect = record.prospect
        if prospect is None or record.status not in {RawRecord.Status.IMPORTED, RawRecord.Status.MERGED}:
            continue
        email = ""
        if fields.get("email"):
            try:
                email = email_normalize(fields["email"])
            except InvalidEmailError:
                email = ""
        website = f"https://{fields['domain']}" if fields.get("domain") else ""
        phone = fields.get("phone", "")[:500]
        email = "" if check.email(email) else email
        phone = "" if check.phone(phone) else phone
        for contact_type, value in (("phone", phone), ("email", email), ("website", website)):
            identity = (prospect.pk, contact_type, value)
            if value and identity not in seen:
                seen.add(identity)
                contacts.append(
                    ProspectContact(
                        prospect=prospect,
                        contact_type=contact_type,
                        value=value,
                        source=source.slug,
                        source_url=record.source_url[:2000],
                        source_detail=f"discovery record {record.pk}",
                    )
                )
    rows_insert(ProspectContact, contacts, ignore_conflicts=True)


# --- discovery jobs ---------------------------------------------------------------------------------------


def discovery_start(
    *,
    source: DiscoverySource,
    search: Search,
    user: User = None,
    auto_import: bool = True,
    foreground: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ScanJob:
    """Search a source for businesses as a job (admin, API and `manage.py discover` start it here)."""
    if not source.enabled:
        raise ValueError(f"{source.name} is disabled.")
    discovery_adapter(source)  # a source that cannot run is refused before any job exists
    if source.kind == DiscoverySource.Kind.OSM:
        from prospecting.discovery.sources.osm import category_filter

        category_filter(search.query)
    params = {"source_id": source.pk, "search": asdict(search), "auto_import": auto_import}
    params["search"]["postal_codes"] = list(search.postal_codes)
    return job_start(
        job_type=ScanJob.JobType.DISCOVERY,
        task=discovery_job,
        params=params,
        user=user,
        total_items=search.max_results,
        foreground=foreground,
        on_progress=on_progress,
    )


def discovery_job(job: JobContext) -> None:
    """Fetch the source page by page (each page kept before the next is asked for, so a resumed job goes on
    from its cursor), then normalize the job's new records. A provider limit stops the fetching with a
    message; what was found is still imported."""
    source = DiscoverySource.objects.get(pk=job.params["source_id"])
    search_params = dict(job.params["search"])
    search_params["postal_codes"] = tuple(search_params.get("postal_codes") or ())
    search = Search(**search_params)
    stopped = ""
    if not job.params.get("fetched"):
        stopped = _fetch(job, source, search)
    if job.params.get("auto_import", True):
        _normalize_job_records(job, source, search.country)
    activity_log_record(
        entity=job.job,
        action="discovered",
        description=(
            f"{source.name}: {job.params.get('found', 0)} listings, {job.params.get('stored', 0)} new, "
            f"{job.params.get('suppressed', 0)} suppressed"
        ),
        metadata={"source": source.slug, "query": search.query, "city": search.city},
    )
    if stopped:
        raise SourceStopped(stopped)


def _fetch(job: JobContext, source: DiscoverySource, search: Search) -> str:
    adapter = discovery_adapter(source)
    found = job.params.get("found", 0)
    stored = job.params.get("stored", 0)
    suppressed = job.params.get("suppressed", 0)
    if job.params.get("cursor") is None and found:  # the last page was fetched before the stop
        job.update_params(fetched=True)
        return ""
    pages = adapter.pages(search, job.params.get("cursor"))
    stopped = ""
    try:
        while found < search.max_results:
            job.raise_if_cancelled()
            if source.kind != DiscoverySource.Kind.DIRECTORY:
                usage_check(source=source)
            page = next(pages, None)
            if page is None:
                break
            listings = page.listings[: search.max_results - found]
            with transaction.atomic():
                kept = raw_records_store(source=source, listings=listings, job_id=job.job_id, country=search.country)
                stored += kept.new
                suppressed += kept.suppressed
                found += len(listings)
                usage_record(source=source, calls=page.calls)
                job.update_params(cursor=page.cursor, found=found, stored=stored, suppressed=suppressed)
                if kept.suppressed:
                    job.add_outcomes({"suppressed": kept.suppressed})
            if page.cursor is None:
                break
    except SourceStopped as exc:
        stopped = str(exc)
    job.update_params(fetched=not stopped, stop_reason=stopped)
    return stopped


def _normalize_job_records(job: JobContext, source: DiscoverySource, country: str) -> None:
    records = RawRecord.objects.filter(job_id=job.job_id)
    job.set_total(records.count())
    job.set_counts(
        processed=records.exclude(status=RawRecord.Status.NEW).count(),
        failed=records.filter(status=RawRecord.Status.FAILED).count(),
    )
    _normalize_in_chunks(job, records.filter(status=RawRecord.Status.NEW), source, country)


_NORMALIZE_FIELDS = ("pk", "fields", "source_url", "status", "error", "prospect_id", "source_id")


def _normalize_retrying(
    records: list[RawRecord], source: DiscoverySource, country: str, user: User
) -> NormalizeSummary:
    """Normalize a chunk; a prospect created meanwhile by another writer (IntegrityError) redoes it once."""
    try:
        return raw_records_normalize(records=records, source=source, country=country, user=user)
    except IntegrityError:
        fresh = list(RawRecord.objects.filter(pk__in=[record.pk for record in records]).only(*_NORMALIZE_FIELDS))
        return raw_records_normalize(records=fresh, source=source, country=country, user=user)


def _normalize_in_chunks(job: JobContext, todo: Any, source: DiscoverySource, country: str) -> None:
    user = job.job.created_by
    last_pk = 0
    while True:
        job.raise_if_cancelled()
        # The payload stays in the database: normalizing reads the fields read from it.
        chunk = list(todo.filter(pk__gt=last_pk).only(*_NORMALIZE_FIELDS).order_by("pk")[:CHUNK_SIZE])
        if not chunk:
            return
        summary = _normalize_retrying(chunk, source, country, user)
        usage_record(source=source, leads=summary.imported)
        job.advance(processed=len(chunk), failed=summary.failed)
        last_pk = chunk[-1].pk


def raw_records_import_start(*, record_ids: list[int], user: User = None, foreground: bool = False) -> ScanJob:
    """Import chosen raw records (the admin's "Import selected") as a job."""
    return job_start(
        job_type=ScanJob.JobType.DISCOVERY,
        task=raw_records_import_job,
        params={"record_ids": sorted(set(record_ids))},
        user=user,
        total_items=len(set(record_ids)),
        foreground=foreground,
    )


def raw_records_import_job(job: JobContext) -> None:
    """Walk the chosen ids a chunk at a time (one query with every id would cost more at each chunk)."""
    ids = job.params["record_ids"]
    id_chunks = [ids[start : start + CHUNK_SIZE] for start in range(0, len(ids), CHUNK_SIZE)]
    done = sum(
        RawRecord.objects.filter(pk__in=chunk).exclude(status=RawRecord.Status.NEW).count() for chunk in id_chunks
    )
    job.set_counts(processed=done)
    sources: dict[int, DiscoverySource] = {}
    user = job.job.created_by
    for id_chunk in id_chunks:
        job.raise_if_cancelled()
        by_source: dict[int, list[RawRecord]] = {}
        new = RawRecord.objects.filter(pk__in=id_chunk, status=RawRecord.Status.NEW).only(*_NORMALIZE_FIELDS)
        for record in new.order_by("pk"):
            by_source.setdefault(record.source_id, []).append(record)
        for source_id, records in by_source.items():
            if source_id not in sources:
                sources[source_id] = DiscoverySource.objects.get(pk=source_id)
            summary = _normalize_retrying(records, sources[source_id], "LU", user)
            usage_record(source=sources[source_id], leads=summary.imported)
            job.advance(processed=len(records), failed=summary.failed)


# --- e-mail finder ----------------------------------------------------------------------------------------


def emails_find_start(
    *, source: DiscoverySource, prospect_ids: list[int], user: User = None, foreground: bool = False
) -> ScanJob:
    """Ask an e-mail finder for the addresses of these prospects' domains, as a job."""
    if source.kind != DiscoverySource.Kind.EMAIL_FINDER:
        raise ValueError(f"{source.name} is not an e-mail finder.")
    ids = sorted(
        set(Prospect.objects.filter(pk__in=prospect_ids, domain_name__isnull=False).values_list("pk", flat=True))
    )
    return job_start(
        job_type=ScanJob.JobType.EMAIL_FINDER,
        task=emails_find_job,
        params={"source_id": source.pk, "prospect_ids": ids},
        user=user,
        total_items=len(ids),
        foreground=foreground,
    )


def emails_find_job(job: JobContext) -> None:
    """One provider call per prospect with a domain (prospects asked since the job started are skipped on a
    resume); each address becomes a contact with the provider as its source and its confidence."""
    from prospecting.discovery.sources.providers import email_finder_search

    source = DiscoverySource.objects.get(pk=job.params["source_id"])
    done = set(job.params.get("done", []))
    job.set_counts(processed=len(done))
    for prospect in Prospect.objects.filter(pk__in=job.params["prospect_ids"]).exclude(pk__in=done).order_by("pk"):
        job.raise_if_cancelled()
        usage_check(source=source)
        found = email_finder_search(url=source.base_url, api_key=source.api_key, domain=prospect.domain_name)
        with transaction.atomic():
            added = _found_emails_store(prospect, found, source)
            usage_record(source=source, calls=1, leads=1 if added else 0)
            done.add(prospect.pk)
            job.update_params(done=sorted(done))
            job.advance(processed=1)


def _found_emails_store(prospect: Prospect, found: list[Any], source: DiscoverySource) -> int:
    """Keep the addresses found as contacts, except suppressed ones (left out)."""
    contacts = []
    check = suppression_check(emails=[str(item.value) for item in found])
    for item in found:
        try:
            value = email_normalize(item.value)
        except InvalidEmailError:
            continue
        if check.email(value):
            continue
        label = ", ".join(part for part in (item.name, item.position) if part)[:100]
        contacts.append(
            ProspectContact(
                prospect=prospect,
                contact_type=ProspectContact.ContactType.EMAIL,
                value=value,
                label=label,
                source=source.slug,
                confidence=item.confidence if isinstance(item.confidence, int) else None,
            )
        )
    before = ProspectContact.objects.filter(prospect=prospect, contact_type="email").count()
    ProspectContact.objects.bulk_create(contacts, ignore_conflicts=True)
    added = ProspectContact.objects.filter(prospect=prospect, contact_type="email").count() - before
    if added:
        prospects_changed_announce(prospect_ids=[prospect.pk])
    return added
