"""Computing opportunity scores: one evaluation function, fed one prospect or a million in chunks.

`score_compute` and `scores_compute_batch` load the same flat facts (`_FACT_FIELDS`) and call the same
`score_evaluate` (the pure evaluation, in `prospecting.scoring.evaluation`), so a batch recompute gives
exactly what computing each prospect alone would.
"""

from __future__ import annotations

import datetime
import json
import logging
import multiprocessing
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from prospecting.core.db import rows_insert
from prospecting.core.jobs import JobContext, job_start
from prospecting.core.models import ScanJob
from prospecting.core.processes import may_fork_workers, usable_cpus
from prospecting.core.services import ActivityEntry, activity_log_record_many
from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import primary_contact_value
from prospecting.scoring.evaluation import ScoreResult, score_evaluate
from prospecting.scoring.models import ProspectScore
from prospecting.scoring.rules import ProspectFacts, RuleSet, active_rule_set
from prospecting.scoring.selectors import score_compute_targets

logger = logging.getLogger(__name__)
_SCORE_FIELDS = [
    "score",
    "technical_health_score",
    "modernity_score",
    "business_value_score",
    "engagement_score",
    "reason_flags",
    "score_breakdown",
    "lead_tier",
    "rules_version",
    "computed_at",
    "lead_type",
    "intent_level",
    "buying_signal",
    "recommended_channel",
    "summary",
]


# --- loading facts in bulk ------------------------------------------------------------------------------

_FACT_FIELDS = [
    "pk",
    "business_name",
    "domain_name",
    "channel",
    "status",
    "has_website",
    "uses_https",
    "http_status_code",
    "country",
    "postal_code",
    "address",
    "city",
    "tech_profile__cms",
    "tech_profile__cms_version",
    "tech_profile__analytics",
    "tech_profile__ecommerce_platform",
    "tech_profile__tech_stack_json",
    "tech_profile__scanned_at",
    "tech_profile__certificate_valid",
    "performance_profile__performance_score",
    "performance_profile__accessibility_score",
    "performance_profile__seo_score",
    "performance_profile__largest_contentful_paint_ms",
    "performance_profile__is_mobile_friendly",
    "primary_email",
    "primary_phone",
    "last_positive_interaction",
    "last_interaction",
]


def _facts_queryset(queryset: QuerySet[Prospect]) -> QuerySet:
    return (
        queryset.annotate(
            # A primary (else oldest) value exists exactly when a contact of that type exists: two subqueries
            # answer "has an e-mail / a phone" and "which one" at once.
            primary_email=primary_contact_value("email"),
            primary_phone=primary_contact_value("phone"),
            last_positive_interaction=Subquery(
                Interaction.objects.filter(prospect=OuterRef("pk"), outcome="positive")
                .order_by("-created_at")
                .values("created_at")[:1]
            ),
            last_interaction=Subquery(
                Interaction.objects.filter(prospect=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
            ),
        )
        .values_list(*_FACT_FIELDS)
        .order_by("pk")
    )


def _facts_from_row(row: tuple, now: datetime.datetime) -> tuple[int, ProspectFacts, str, str]:
    (
        pk, business_name, domain_name, channel, status, has_website, uses_https, http_status_code, country,
        postal_code, address, city, cms, cms_version, analytics, ecommerce_platform, stack, tech_scanned_at,
        certificate_valid, performance_score, accessibility_score, seo_score, lcp_ms, is_mobile_friendly,
        primary_email, primary_phone, last_positive_interaction, last_interaction,
    ) = row  # fmt: skip  # the order of _FACT_FIELDS
    if isinstance(stack, str):
        stack = json.loads(stack or "{}")
    facts = ProspectFacts(
        channel=channel,
        status=status,
        has_domain=bool(domain_name),
        has_website=has_website,
        uses_https=uses_https,
        http_status_code=http_status_code,
        country=country or "",
        postal_code=postal_code or "",
        address=address or "",
        city=city or "",
        cms=cms or "",
        cms_version=cms_version or "",
        analytics=analytics or "",
        ecommerce_platform=ecommerce_platform or "",
        tech_stack=stack or {},
        tech_scanned=tech_scanned_at is not None,
        certificate_valid=certificate_valid,
        performance_score=performance_score,
        accessibility_score=accessibility_score,
        seo_score=seo_score,
        lcp_ms=lcp_ms,
        is_mobile_friendly=is_mobile_friendly,
        has_email=primary_email is not None,
        has_phone=primary_phone is not None,
        has_lu_phone=bool(primary_phone) and primary_phone.replace(" ", "").startswith(("+352", "00352")),
        last_positive_interaction=last_positive_interaction,
        last_interaction=last_interaction,
        now=now,
    )
    return pk, facts, business_name or domain_name or "", primary_email or primary_phone or ""


def _score_values(prospect_id: int, result: ScoreResult, version: str, now: datetime.datetime) -> tuple:
    """One stored score as a tuple in `_SCORE_COLUMNS` order (no model instance: a million of them add up)."""
    return (
        prospect_id,
        result.score,
        result.components["technical_health"],
        result.components["modernity"],
        result.components["business_value"],
        result.components["engagement"],
        result.reason_flags,
        result.breakdown,
        result.lead_tier,
        version,
        now,
        result.lead_type,
        result.intent_level,
        result.buying_signal,
        result.recommended_channel,
        result.summary,
    )


_SCORE_COLUMNS = ["prospect_id", *_SCORE_FIELDS]


def _compute_range(queryset: QuerySet[Prospect], rule_set: RuleSet, now: datetime.datetime) -> int:
    """Score every prospect of `queryset` (one chunk): one read query, one upsert."""
    values = []
    for row in _facts_queryset(queryset):
        prospect_id, facts, name, contact = _facts_from_row(row, now)
        result = score_evaluate(facts, rule_set, name=name, primary_contact=contact)
        values.append(_score_values(prospect_id, result, rule_set.version, now))
    if not values:
        return 0
    previous = dict(
        ProspectScore.objects.filter(prospect_id__in=[row[0] for row in values]).values_list("prospect_id", "score")
    )
    try:
        _scores_store(values)
    except IntegrityError:
        # A prospect was deleted between reading its facts and storing its score: store the others.
        existing = set(Prospect.objects.filter(pk__in=[row[0] for row in values]).values_list("pk", flat=True))
        values = [row for row in values if row[0] in existing]
        _scores_store(values)
    _score_changes_record(previous, values)
    return len(values)


SCORE_CHANGE_LOGGED = 10  # a score that moves this many points or more is written to the activity log
_SCORE_POSITION = _SCORE_COLUMNS.index("score")


def _score_changes_record(previous: dict[int, int], values: list[tuple]) -> None:
    """Log the score changes of 10 points or more (a first score is not a change), in one bulk insert."""
    entries = []
    for row in values:
        old, new = previous.get(row[0]), row[_SCORE_POSITION]
        if old is not None and abs(new - old) >= SCORE_CHANGE_LOGGED:
            entries.append(
                ActivityEntry(
                    entity_label="prospects.Prospect",
                    object_id=row[0],
                    prospect_id=row[0],
                    action="score_changed",
                    description=f"Score {old} → {new}",
                    metadata={"old": old, "new": new},
                )
            )
    activity_log_record_many(entries=entries)


_TIER_POSITION = _SCORE_COLUMNS.index("lead_tier")


def _scores_store(values: list[tuple]) -> None:
    """Upsert the scores, and with them each prospect's copy of its score and tier (`Prospect.lead_score`,
    `lead_tier`: what the dashboard's aggregates read without joining a million scores to a million prospects)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _scores_upsert_postgresql(values)
            return
        rows_insert(
            ProspectScore,
            [ProspectScore(**dict(zip(_SCORE_COLUMNS, row, strict=True))) for row in values],
            unique_fields=["prospect"],
            update_fields=_SCORE_FIELDS,
        )
        copies = [Prospect(pk=row[0], lead_score=row[_SCORE_POSITION], lead_tier=row[_TIER_POSITION]) for row in values]
        Prospect.objects.bulk_update(copies, ["lead_score", "lead_tier"], batch_size=1000)


def _scores_upsert_postgresql(values: list[tuple]) -> None:
    """The same upsert as bulk_create(update_conflicts=True), through COPY into a temporary table.

    Building a multi-row INSERT costs Django ~100 µs per row; COPY is several times cheaper, which is
    what lets a million scores be recomputed in about a minute.
    """
    from psycopg.types.json import Jsonb

    table = ProspectScore._meta.db_table
    columns = ["prospect_id", *[ProspectScore._meta.get_field(name).column for name in _SCORE_FIELDS]]
    json_positions = {_SCORE_COLUMNS.index("reason_flags"), _SCORE_COLUMNS.index("score_breakdown")}
    column_list = ", ".join(f'"{column}"' for column in columns)
    updates = ", ".join(f'"{column}" = EXCLUDED."{column}"' for column in columns[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS score_stage ON COMMIT DELETE ROWS AS "  # noqa: S608 - our own names
            f"SELECT {column_list} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY score_stage ({column_list}) FROM STDIN") as copy:
            for row in values:
                copy.write_row([Jsonb(v) if i in json_positions else v for i, v in enumerate(row)])
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM score_stage "  # noqa: S608 - our names
            f"ON CONFLICT (prospect_id) DO UPDATE SET {updates}"
        )
        cursor.execute(
            f"UPDATE {Prospect._meta.db_table} AS p SET lead_score = s.score, lead_tier = s.lead_tier "  # noqa: S608
            "FROM score_stage AS s WHERE p.id = s.prospect_id "
            "AND (p.lead_score IS DISTINCT FROM s.score OR p.lead_tier IS DISTINCT FROM s.lead_tier)"
        )
        cursor.execute("DELETE FROM score_stage")


def score_compute(*, prospect: Prospect) -> ProspectScore:
    """Compute and store the score of one prospect."""
    _compute_range(Prospect.objects.filter(pk=prospect.pk), active_rule_set(), timezone.now())
    return ProspectScore.objects.get(prospect_id=prospect.pk)


def scores_compute_batch(
    *,
    queryset: QuerySet[Prospect],
    chunk_size: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Compute the scores of every prospect in `queryset`, a chunk at a time (bulk reads, bulk upserts).

    Chunks are primary-key ranges of the queryset, so each read is an index range scan whatever filter the
    queryset carries. On PostgreSQL, big batches are spread over `workers` processes (default: one per
    CPU): evaluating rules is Python work that one process cannot spread over several cores.
    """
    rule_set = active_rule_set()
    now = timezone.now()
    ranges = _pk_ranges(queryset, chunk_size or settings.SCORING_CHUNK_SIZE)
    if workers is None:
        workers = settings.SCORING_WORKERS or usable_cpus()
    parallel = connection.vendor == "postgresql" and may_fork_workers()
    if not parallel or len(ranges) < 2 or workers < 2:
        total = 0
        for low, high in ranges:
            count = _compute_range(_in_range(queryset, low, high), rule_set, now)
            total += count
            if on_progress and count:
                on_progress(count)
        return total
    return _compute_in_processes(queryset, ranges, rule_set, now, min(workers, len(ranges)), on_progress)


def _pk_ranges(queryset: QuerySet[Prospect], chunk_size: int) -> list[tuple[int, int | None]]:
    """(exclusive low, inclusive high) primary-key bounds of consecutive chunks of `queryset`."""
    ids = queryset.order_by("pk").values_list("pk", flat=True)
    ranges, last_pk = [], 0
    while True:
        boundary = list(ids.filter(pk__gt=last_pk)[chunk_size - 1 : chunk_size])
        if not boundary:
            if ids.filter(pk__gt=last_pk).exists():
                ranges.append((last_pk, None))
            return ranges
        ranges.append((last_pk, boundary[0]))
        last_pk = boundary[0]


def _in_range(queryset: QuerySet[Prospect], low: int, high: int | None) -> QuerySet[Prospect]:
    return queryset.filter(pk__gt=low) if high is None else queryset.filter(pk__gt=low, pk__lte=high)


_process_batch: tuple[QuerySet[Prospect], RuleSet, datetime.datetime] | None = None


def _compute_range_in_child(bounds: tuple[int, int | None]) -> int:
    assert _process_batch is not None  # noqa: S101 - set by the parent before the fork
    queryset, rule_set, now = _process_batch
    return _compute_range(_in_range(queryset, *bounds), rule_set, now)


def _compute_in_processes(
    queryset: QuerySet[Prospect],
    ranges: list[tuple[int, int | None]],
    rule_set: RuleSet,
    now: datetime.datetime,
    workers: int,
    on_progress: Callable[[int], None] | None,
) -> int:
    global _process_batch
    _process_batch = (queryset, rule_set, now)
    connections.close_all()  # children must open their own connections, never share the parent's socket
    total = 0
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for count in pool.imap_unordered(_compute_range_in_child, ranges):
                total += count
                if on_progress and count:
                    on_progress(count)
    finally:
        _process_batch = None
    return total


def score_refresh_on_commit(*, prospect_ids: Iterable[int]) -> None:
    """Recompute these prospects' scores once the current transaction commits (after enrichment or a new
    interaction), so a rolled-back change never leaves a score behind.

    Within one transaction the requests are pooled into the refresh already waiting for the commit: a batch
    that stores 200 enrichment results in one transaction triggers one recompute of 200 scores.
    """
    ids = set(prospect_ids)
    for _savepoints, callback, _robust in connection.run_on_commit:
        pending = getattr(callback, "score_refresh_ids", None)
        if pending is not None:
            pending.update(ids)
            return

    def refresh() -> None:
        try:
            scores_compute_batch(queryset=Prospect.objects.filter(pk__in=sorted(refresh.score_refresh_ids)), workers=1)
        except Exception:  # the write is committed already; a score left stale is found by `compute_scores --stale`
            logger.exception("Score refresh of prospects %s failed", sorted(refresh.score_refresh_ids))

    refresh.score_refresh_ids = ids  # type: ignore[attr-defined]
    transaction.on_commit(refresh)


# --- score recomputes as background jobs ------------------------------------------------------------------


def scores_batch_start(
    *,
    params: dict[str, Any],
    user: AbstractBaseUser | AnonymousUser | None = None,
    foreground: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ScanJob:
    """Recompute the scores `params` names (`prospect_ids`, `filter`, `stale` or `all`) as a job: on the workers,
    or here (`foreground`). Admin, API and command start recomputes here; none runs inside a web request."""
    return job_start(
        job_type=ScanJob.JobType.SCORE_COMPUTE,
        task=scores_batch_job,
        params=params,
        user=user,
        total_items=score_compute_targets(params).count(),
        foreground=foreground,
        on_progress=on_progress,
    )


def scores_batch_job(job: JobContext) -> None:
    """The job function of a recompute. Scores recomputed since the job first started count as done, so a
    resumed job goes on from where it stopped with exact counters."""
    done_here = Q(score__computed_at__gte=job.started_at)
    targets = score_compute_targets(job.params, or_done_since=job.started_at)
    todo = targets.exclude(done_here)
    total = targets.count()
    job.set_total(total)
    job.set_counts(processed=total - todo.count())

    def progress(count: int) -> None:
        job.advance(processed=count)
        job.raise_if_cancelled()

    scores_compute_batch(queryset=todo, on_progress=progress)
