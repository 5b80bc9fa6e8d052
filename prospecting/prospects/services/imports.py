"""Importing prospects from a file: the one implementation behind the admin, the API, the command and the
worker task.

Rows are processed in chunks; each chunk (its prospects, contacts, ImportRow records and the batch
counters) commits in one transaction, so a crash loses at most the chunk in flight, and a re-run skips
every line already recorded: imports are resumable and safe to retry.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from prospecting.core.domains import InvalidDomainError, normalize_domain
from prospecting.core.emails import InvalidEmailError, email_normalize
from prospecting.core.jobs import JobCancelled, JobContext, job_resume, job_start
from prospecting.core.models import ScanJob
from prospecting.core.services import activity_log_record
from prospecting.core.suppression import SuppressionCheck, payload_redact, string_is_suppressed, suppression_check
from prospecting.prospects.models import ImportBatch, ImportRow, Prospect, ProspectContact
from prospecting.prospects.provenance import IMPORT, field_sources_record, import_detail, provenance
from prospecting.prospects.selectors import prospects_created_by_import
from prospecting.prospects.services.matching import prospect_key, prospects_by_key
from prospecting.prospects.tabular import ROW_ERROR, TabularFileError, tabular_file_open

CHUNK_SIZE = 1000
_RACE_ATTEMPTS = 3
_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_UPDATABLE_FIELDS = ["business_name", "address", "city", "postal_code", "country", "notes", "source"]


class ImportMode(enum.StrEnum):
    CREATE = "create"  # new prospects only; existing ones are counted as duplicates
    UPDATE = "update"  # create new ones and update existing ones (matched by domain)
    UPDATE_ONLY = "update_only"  # update existing ones; never create


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


@cache
def public_mailbox_domains() -> frozenset[str]:
    """Mailbox providers whose domain never identifies a company (data/public_mailbox_domains.txt)."""
    text = (_DATA_DIR / "public_mailbox_domains.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@dataclass
class _ParsedRow:
    line_number: int
    raw: dict[str, str]
    data_hash: str
    key: tuple[str, ...] | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    email: str = ""
    phone: str = ""
    contact_name: str = ""
    error: str = ""
    suppressed: str = ""  # "row": the whole line is on the suppression list; "values": its e-mail or phone


def _data_hash(raw: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _parse_row(line_number: int, raw: dict[str, str], mapping: dict[str, str], defaults: dict[str, str]) -> _ParsedRow:
    """Turn one file row into prospect fields, or an error message a person can act on."""
    row = _ParsedRow(line_number=line_number, raw=raw, data_hash=_data_hash(raw))
    if ROW_ERROR in raw:
        row.error = raw[ROW_ERROR]
        return row
    values: dict[str, str] = {}
    for header, canonical in mapping.items():
        value = (raw.get(header) or "").strip()
        if value and canonical not in values:
            values[canonical] = value

    email = values.get("email", "").lower()
    if email:
        try:
            email = email_normalize(email)
        except InvalidEmailError as exc:
            row.error = str(exc)
            return row
    domain = None
    if values.get("domain_name"):
        try:
            domain = normalize_domain(values["domain_name"])
        except InvalidDomainError as exc:
            row.error = f"Invalid domain: {exc}"
            return row
    elif email:
        email_domain = email.rpartition("@")[2]
        if "@" in email and email_domain not in public_mailbox_domains():
            try:
                domain = normalize_domain(email_domain)
            except InvalidDomainError as exc:
                row.error = f"Invalid e-mail address {email!r}: {exc}"
                return row

    business_name = values.get("business_name", "")[:255]
    channel = (values.get("channel") or defaults["channel"]).lower()
    if channel not in Prospect.Channel.values:
        row.error = f"Unknown channel {channel!r} (use digital or offline)."
        return row
    if not domain:
        if not business_name:
            row.error = (
                f"{email} is a public mailbox address; add the company's website or name."
                if email
                else "No domain and no business name: nothing identifies this prospect."
            )
            return row
        channel = Prospect.Channel.OFFLINE  # a lead without a website can only be an offline one

    country = (values.get("country") or defaults["country"]).upper()
    if len(country) != 2 or not country.isalpha():
        row.error = f"Country {values.get('country')!r} is not a two-letter ISO code (e.g. LU)."
        return row
    tags = [tag.strip() for tag in values.get("tags", "").split(",") if tag.strip()]
    row.fields = {
        "domain_name": domain,
        "business_name": business_name,
        "channel": channel,
        "address": values.get("address", "")[:500],
        "city": values.get("city", "")[:100],
        "postal_code": values.get("postal_code", "")[:10],
        "country": country,
        "notes": values.get("notes", ""),
        "source": (values.get("source") or defaults["source"])[:100],
        "tags": tags,
    }
    row.email = email if "@" in email else ""
    row.phone = values.get("phone", "")[:500]
    row.contact_name = values.get("contact_name", "")[:100]
    row.key = prospect_key(domain=domain, business_name=business_name, postal_code=row.fields["postal_code"])
    return row


def _chunks(iterable: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _DryRunRollback(Exception):
    pass


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    failed: int = 0
    suppressed: int = 0  # lines skipped whole because they are on the suppression list
    suppressed_values: int = 0  # e-mails and phones left out of lines that were imported
    skipped_already_done: int = 0
    outcomes: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, outcome, label, error)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.duplicates + self.failed + self.suppressed


def prospect_import(
    *,
    batch: ImportBatch,
    rows: Iterable[tuple[int, dict[str, str]]],
    mapping: dict[str, str],
    user: AbstractBaseUser | None = None,
    dry_run: bool = False,
    keep_outcomes: int = 0,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import numbered rows into `batch` according to its settings (mode, source, channel, country).

    Lines already recorded on the batch are skipped (resume). With `dry_run` nothing is written and the
    returned summary says what would happen; `keep_outcomes` keeps that many per-line outcomes for a preview.
    `on_progress(lines, failed)` is called after each chunk with the lines it recorded (skipped ones excluded).
    """
    settings = batch.settings
    mode = ImportMode(settings.get("mode", ImportMode.CREATE))
    defaults = {
        "channel": settings.get("channel") or Prospect.Channel.DIGITAL,
        "source": settings.get("source") or "import",
        "country": settings.get("country") or "LU",
    }
    summary = ImportSummary()
    seen_keys: set[tuple[str, ...]] = set()
    try:
        # A dry run is one transaction that is rolled back; a real run commits chunk by chunk.
        with transaction.atomic() if dry_run else nullcontext():
            for chunk in _chunks(rows, CHUNK_SIZE):
                parsed = [_parse_row(line, raw, mapping, defaults) for line, raw in chunk]
                failed_before, done_before = summary.failed, summary.total
                _suppression_apply(parsed, region=defaults["country"])
                _import_chunk_retrying(batch, parsed, mode, user, seen_keys, summary, keep_outcomes, dry_run)
                if on_progress:
                    on_progress(summary.total - done_before, summary.failed - failed_before)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return summary


def _suppression_apply(parsed: list[_ParsedRow], *, region: str) -> None:
    """Consult the suppression list for a chunk (one query): a line whose domain is suppressed is skipped
    whole and keeps nothing of its content; a suppressed e-mail or phone is left out, with the contact name
    that came with it, and blanked in the line's recorded payload."""
    good = [row for row in parsed if not row.error]
    check = suppression_check(
        emails=[row.email for row in good],
        phones=[row.phone for row in good],
        domains=[row.fields.get("domain_name") for row in good],
        region=region,
    )
    if not check:
        return
    for row in good:
        _row_suppress(row, check)


def _row_suppress(row: _ParsedRow, check: SuppressionCheck) -> None:
    if check.domain(row.fields.get("domain_name")):
        row.suppressed, row.raw, row.data_hash = "row", {}, ""
        row.email = row.phone = row.contact_name = ""
        return
    dropped = []
    if check.email(row.email):
        dropped.append(row.email)
        row.email = ""
    if check.phone(row.phone):
        dropped.append(row.phone)
        row.phone = ""
    if dropped:
        name = row.contact_name
        row.suppressed, row.contact_name = "values", ""
        row.raw, _ = payload_redact(
            row.raw, lambda text: string_is_suppressed(check)(text) or bool(name and text.strip() == name)
        )
        row.data_hash = _data_hash(row.raw)


def import_round_robin_owners() -> list[int]:
    """With IMPORT_ROUND_ROBIN, the users new imported prospects are dealt to in turn: the active staff
    members of the Sales group (by id); else none (imports stay unassigned)."""
    if not django_settings.IMPORT_ROUND_ROBIN:
        return []
    users = get_user_model().objects.filter(is_active=True, is_staff=True, groups__name="Sales")
    return sorted(set(users.values_list("pk", flat=True)))


def _import_chunk_retrying(
    batch: ImportBatch,
    parsed: list[_ParsedRow],
    mode: ImportMode,
    user: AbstractBaseUser | None,
    seen_keys: set[tuple[str, ...]],
    summary: ImportSummary,
    keep_outcomes: int,
    dry_run: bool,
) -> None:
    """Import a chunk; when another import created the same prospects at the same moment (a unique-domain
    conflict), the chunk rolled back whole: read the database again and redo it, so that those rows count as
    duplicates (or updates) instead of failing the batch."""
    for attempt in range(1, _RACE_ATTEMPTS + 1):
        keys_before = set(seen_keys)
        try:
            _import_chunk(batch, parsed, mode, user, seen_keys, summary, keep_outcomes, dry_run)
            return
        except IntegrityError:
            if attempt == _RACE_ATTEMPTS:
                raise
            seen_keys.clear()
            seen_keys.update(keys_before)


def _import_chunk(
    batch: ImportBatch,
    parsed: list[_ParsedRow],
    mode: ImportMode,
    user: AbstractBaseUser | None,
    seen_keys: set[tuple[str, ...]],
    summary: ImportSummary,
    keep_outcomes: int,
    dry_run: bool,
) -> None:
    with transaction.atomic():
        done_lines = set(
            ImportRow.objects.filter(
                batch=batch, line_number__gte=parsed[0].line_number, line_number__lte=parsed[-1].line_number
            ).values_list("line_number", flat=True)
        )
        todo = []
        for row in parsed:
            if row.line_number in done_lines:
                summary.skipped_already_done += 1
                if row.key:
                    seen_keys.add(row.key)
            else:
                todo.append(row)
        if not todo:
            return
        existing = prospects_by_key(row.key for row in todo)

        to_create: list[tuple[_ParsedRow, Prospect]] = []
        to_update: dict[int, Prospect] = {}
        outcome_of: dict[int, tuple[str, str, Prospect | None]] = {}  # line -> (outcome, error, prospect)
        now = timezone.now()
        for row in todo:
            if row.error:
                outcome_of[row.line_number] = (ImportRow.Outcome.FAILED, row.error, None)
                continue
            if row.suppressed == "row":
                outcome_of[row.line_number] = (ImportRow.Outcome.SUPPRESSED, "On the suppression list.", None)
                continue
            origin = provenance(IMPORT, import_detail(batch.pk, row.line_number), at=now)
            if row.key in seen_keys:
                outcome_of[row.line_number] = (ImportRow.Outcome.DUPLICATE, "Duplicate of an earlier line.", None)
                continue
            seen_keys.add(row.key)
            current = existing.get(row.key)
            if current is not None:
                if mode == ImportMode.CREATE:
                    outcome_of[row.line_number] = (ImportRow.Outcome.DUPLICATE, "Already in the database.", current)
                else:
                    changed = {}
                    for name in _UPDATABLE_FIELDS:
                        if row.fields[name] and name != "source":
                            setattr(current, name, row.fields[name])
                            changed[name] = row.fields[name]
                    if row.fields["tags"]:
                        current.tags = sorted(set(current.tags or []) | set(row.fields["tags"]))
                        changed["tags"] = row.fields["tags"]
                    current.field_sources = field_sources_record(current.field_sources, changed, origin)
                    to_update[current.pk] = current
                    outcome_of[row.line_number] = (ImportRow.Outcome.UPDATED, "", current)
            elif mode == ImportMode.UPDATE_ONLY:
                what = row.fields["domain_name"] or row.fields["business_name"]
                outcome_of[row.line_number] = (
                    ImportRow.Outcome.FAILED,
                    f"No existing prospect {what} (mode update_only never creates).",
                    None,
                )
            else:
                prospect = Prospect(
                    **row.fields,
                    status=Prospect.Status.PENDING,
                    captured_by=user,
                    field_sources=field_sources_record({}, row.fields, origin),
                )
                to_create.append((row, prospect))
                outcome_of[row.line_number] = (ImportRow.Outcome.CREATED, "", prospect)

        if to_create:
            owners = import_round_robin_owners()
            for row, prospect in to_create:
                if owners and prospect.owner_id is None:
                    prospect.owner_id = owners[row.line_number % len(owners)]  # the same owner on a resume
            Prospect.objects.bulk_create([prospect for _, prospect in to_create], batch_size=CHUNK_SIZE)
        if to_update:
            now = timezone.now()
            for prospect in to_update.values():
                prospect.updated_at = now
            Prospect.objects.bulk_update(
                list(to_update.values()),
                [*_UPDATABLE_FIELDS, "tags", "field_sources", "updated_at"],
                batch_size=CHUNK_SIZE,
            )
        _contacts_create(batch, todo, outcome_of)

        import_rows = []
        counts = dict.fromkeys(ImportRow.Outcome.values, 0)
        lines_suppressed = 0
        for row in todo:
            outcome, error, prospect = outcome_of[row.line_number]
            counts[outcome] += 1
            if row.suppressed:
                lines_suppressed += 1
            if row.suppressed == "values" and not error:
                error = "E-mail or phone left out: on the suppression list."
            import_rows.append(
                ImportRow(
                    batch=batch,
                    line_number=row.line_number,
                    raw_payload=row.raw,
                    data_hash=row.data_hash,
                    prospect=prospect,
                    outcome=outcome,
                    error=error,
                )
            )
            if len(summary.outcomes) < keep_outcomes:
                label = (row.fields.get("domain_name") or row.fields.get("business_name") or "") if row.fields else ""
                summary.outcomes.append((row.line_number, outcome, label, error))
        ImportRow.objects.bulk_create(import_rows, batch_size=CHUNK_SIZE)
        summary.created += counts[ImportRow.Outcome.CREATED]
        summary.updated += counts[ImportRow.Outcome.UPDATED]
        summary.duplicates += counts[ImportRow.Outcome.DUPLICATE]
        summary.failed += counts[ImportRow.Outcome.FAILED]
        summary.suppressed += counts[ImportRow.Outcome.SUPPRESSED]
        summary.suppressed_values += lines_suppressed - counts[ImportRow.Outcome.SUPPRESSED]
        if not dry_run:
            ImportBatch.objects.filter(pk=batch.pk).update(
                total_rows=F("total_rows") + len(todo),
                created_count=F("created_count") + counts[ImportRow.Outcome.CREATED],
                updated_count=F("updated_count") + counts[ImportRow.Outcome.UPDATED],
                duplicate_count=F("duplicate_count") + counts[ImportRow.Outcome.DUPLICATE],
                failed_count=F("failed_count") + counts[ImportRow.Outcome.FAILED],
                suppressed_count=F("suppressed_count") + lines_suppressed,
            )


def _contacts_create(
    batch: ImportBatch, rows: list[_ParsedRow], outcome_of: dict[int, tuple[str, str, Prospect | None]]
) -> None:
    """E-mail and phone columns become contacts, with their import line; primary only on prospects created by
    this import."""
    contacts = []
    for row in rows:
        outcome, _, prospect = outcome_of[row.line_number]
        if prospect is None or outcome not in {ImportRow.Outcome.CREATED, ImportRow.Outcome.UPDATED}:
            continue
        is_new = outcome == ImportRow.Outcome.CREATED
        for contact_type, value in (("email", row.email), ("phone", row.phone)):
            if value:
                contacts.append(
                    ProspectContact(
                        prospect=prospect,
                        contact_type=contact_type,
                        value=value,
                        label=row.contact_name,
                        is_primary=is_new,
                        source=IMPORT,
                        source_detail=import_detail(batch.pk, row.line_number),
                    )
                )
    if contacts:
        ProspectContact.objects.bulk_create(contacts, ignore_conflicts=True, batch_size=CHUNK_SIZE)


def import_batch_create(
    *,
    path: str | Path,
    name: str,
    mode: str = ImportMode.CREATE,
    source: str = "",
    channel: str = "",
    country: str = "",
    user: AbstractBaseUser | None = None,
) -> ImportBatch:
    """Check that the file is readable and register a pending batch for it (nothing imported yet)."""
    mode = ImportMode(mode)
    if channel and channel not in Prospect.Channel.values:
        raise ImportFileError(f"Unknown channel {channel!r} (use digital or offline).")
    try:
        table = tabular_file_open(path)
    except TabularFileError as exc:
        raise ImportFileError(str(exc)) from exc
    if next(table.rows(), None) is None:
        raise ImportFileError("The file has a header but no data rows.")
    return ImportBatch.objects.create(
        name=name,
        source_file=str(path),
        uploaded_by=user if user is not None and user.is_authenticated else None,
        settings={
            "mode": str(mode),
            "source": source,
            "channel": channel,
            "country": country.upper(),
            "columns": table.mapping,
            "has_header_row": table.has_header_row,
        },
    )


def import_batch_run(
    *,
    batch: ImportBatch,
    user: AbstractBaseUser | None = None,
    dry_run: bool = False,
    keep_outcomes: int = 0,
    preview_rows: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Run (or resume) the import of a registered batch from its file; safe to call again after a crash.

    `preview_rows` limits a dry run to the file's first rows, so a huge file previews quickly.
    """
    try:
        table = tabular_file_open(batch.source_file)
    except TabularFileError as exc:
        raise ImportFileError(str(exc)) from exc
    if not dry_run:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    try:
        summary = prospect_import(
            batch=batch,
            rows=islice(table.rows(), preview_rows) if dry_run and preview_rows else table.rows(),
            mapping=table.mapping,
            user=user or batch.uploaded_by,
            dry_run=dry_run,
            keep_outcomes=keep_outcomes,
            on_progress=on_progress,
        )
    except Exception:
        if not dry_run:
            ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED)
        raise
    if not dry_run:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.COMPLETED, completed_at=timezone.now())
        batch.refresh_from_db()
        activity_log_record(
            entity=batch,
            action="imported",
            actor=user or batch.uploaded_by,
            description=(
                f"{batch.created_count} created, {batch.updated_count} updated, "
                f"{batch.duplicate_count} duplicates, {batch.failed_count} failed, "
                f"{batch.suppressed_count} suppressed"
            ),
        )
    return summary


def import_batch_start(
    *,
    batch: ImportBatch,
    user: AbstractBaseUser | None = None,
    foreground: bool | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ScanJob:
    """Import a registered batch as a job: here and now (`foreground`; by default for files up to
    IMPORT_INLINE_MAX_BYTES), else on the workers. Admin, API and command all start imports here."""
    if foreground is None:
        foreground = Path(batch.source_file).stat().st_size <= django_settings.IMPORT_INLINE_MAX_BYTES
    return job_start(
        job_type=ScanJob.JobType.IMPORT,
        task=import_batch_job,
        params={"import_batch_id": batch.pk},
        user=user or batch.uploaded_by,
        foreground=foreground,
        on_progress=on_progress,
    )


def import_batch_resume(
    *, batch: ImportBatch, user: AbstractBaseUser | None = None, on_progress: Callable[[int], None] | None = None
) -> ScanJob:
    """Finish an interrupted import here: its job resumes (lines already recorded are skipped), or a new job
    starts when the batch never had one."""
    jobs = ScanJob.objects.filter(job_type=ScanJob.JobType.IMPORT, params__import_batch_id=batch.pk)
    latest = jobs.order_by("-pk").first()
    resumable = latest is not None and latest.status != ScanJob.Status.COMPLETED
    if resumable and job_resume(job=latest, foreground=True, on_progress=on_progress):
        return latest
    if latest is not None and batch.status == ImportBatch.Status.COMPLETED:
        return latest
    return import_batch_start(batch=batch, user=user, foreground=True, on_progress=on_progress)


def import_batch_job(job: JobContext) -> None:
    """The job function of an import: counters that stay exact on a resume (recorded lines are counted, not
    redone), a cancel that stops between chunks."""
    batch = ImportBatch.objects.get(pk=job.params["import_batch_id"])
    try:
        table = tabular_file_open(batch.source_file)
    except TabularFileError as exc:
        raise ImportFileError(str(exc)) from exc
    job.set_total(sum(1 for _ in table.rows()))
    recorded = ImportRow.objects.filter(batch=batch).aggregate(
        lines=Count("pk"), failed=Count("pk", filter=Q(outcome=ImportRow.Outcome.FAILED))
    )
    job.set_counts(processed=recorded["lines"], failed=recorded["failed"])

    def progress(lines: int, failed: int) -> None:
        job.advance(processed=lines, failed=failed)
        job.raise_if_cancelled()

    try:
        import_batch_run(batch=batch, user=job.job.created_by, on_progress=progress)
    except JobCancelled:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.CANCELLED)
        raise


def import_batch_revert(*, batch: ImportBatch, user: AbstractBaseUser | None = None) -> int:
    """Delete the prospects this batch created (not those it only updated); returns how many."""
    deleted = 0
    with transaction.atomic():
        ids = list(prospects_created_by_import(batch.pk))
        for chunk in _chunks(ids, CHUNK_SIZE):
            deleted += Prospect.objects.filter(pk__in=chunk).delete()[1].get(Prospect._meta.label, 0)
        batch.status = ImportBatch.Status.REVERTED
        batch.save(update_fields=["status"])
        activity_log_record(
            entity=batch, action="reverted", actor=user, description=f"Deleted {deleted} prospects it created"
        )
    return deleted


def import_preview_discard(*, batch: ImportBatch) -> None:
    """Forget a previewed import that was not confirmed: its batch, preview lines and kept file."""
    Path(batch.source_file).unlink(missing_ok=True)
    batch.delete()


def import_previews_expire(*, older_than: datetime.timedelta) -> int:
    """Discard previews left unconfirmed (the user went elsewhere): pending batches with no job, older than
    `older_than`. Run by the housekeeping announcement of the jobs watchdog; returns how many."""
    started = ScanJob.objects.filter(job_type=ScanJob.JobType.IMPORT).values_list("params__import_batch_id")
    stale = ImportBatch.objects.filter(
        status=ImportBatch.Status.PENDING, created_at__lt=timezone.now() - older_than
    ).exclude(pk__in=[pk for (pk,) in started if pk is not None])
    count = 0
    for batch in stale.iterator():
        import_preview_discard(batch=batch)
        count += 1
    return count


def import_file_store(*, uploaded: Any) -> Path:
    """Keep an uploaded file under MEDIA_ROOT/imports so a worker (or a resume) can read it later."""
    import uuid

    from django.utils.text import get_valid_filename

    folder = Path(django_settings.MEDIA_ROOT) / "imports" / timezone.now().strftime("%Y/%m")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex[:12]}-{get_valid_filename(Path(uploaded.name).name)[:100]}"
    with path.open("wb") as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
    return path


def import_upload(
    *,
    uploaded: Any,
    name: str = "",
    mode: str = ImportMode.CREATE,
    source: str = "",
    channel: str = "",
    country: str = "",
    user: AbstractBaseUser | None = None,
) -> ImportBatch:
    """Keep an uploaded file and register its batch (admin and API uploads). Refuses a file larger than
    IMPORT_MAX_UPLOAD_BYTES; whatever goes wrong before the batch exists, the kept file is removed."""
    limit = django_settings.IMPORT_MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        raise ImportFileError(
            f"The file is {uploaded.size / 1_048_576:.1f} MB; uploads are limited to {limit / 1_048_576:.0f} MB. "
            "Split it, or import it on the server with `manage.py import_prospects`."
        )
    path = import_file_store(uploaded=uploaded)
    try:
        return import_batch_create(
            path=path, name=name or uploaded.name, mode=mode, source=source, channel=channel, country=country, user=user
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
