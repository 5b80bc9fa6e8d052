"""Enrichment batches: a job over many prospects for one step of the registry (`enrichment/steps.py`), run by
a worker with bounded concurrency.

Network work (fetching, detecting) runs in a pool of threads and never writes to the database; results
are stored by the job's own thread. Parsing pages is Python work that threads cannot spread over several
cores, so a big job runs those threads in ENRICHMENT_PROCESSES forked processes (one per CPU by default,
see probe_pool.py). Progress is written per chunk; a cancelled job stops at
the next chunk; a job restarted after a crash skips every prospect it already finished (its step
timestamp is newer than the job's first start), so no item is processed twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet

from prospecting.core.fetch import FetchError, resolve_checked
from prospecting.core.jobs import JobContext, JobPaused, job_run, job_start
from prospecting.core.models import ScanJob
from prospecting.core.processes import may_fork_workers, usable_cpus
from prospecting.core.quotas import quota_consume
from prospecting.enrichment.models import ScanMode
from prospecting.enrichment.services.full import FULL, FullProbe
from prospecting.enrichment.services.http_check import DNS_KINDS, HttpCheckOutcome, result_for_error
from prospecting.enrichment.services.probe_pool import ProbePool, ProcessProbePool, ThreadProbePool
from prospecting.enrichment.services.tech_scan import TechProbe, tech_scan_mode, tech_scan_session
from prospecting.enrichment.steps import PIPELINE, Step
from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect

logger = logging.getLogger(__name__)
CHUNK_SIZE = 200
PROCESSES_MIN_ITEMS = 100  # smaller jobs are not worth forking for
STEPS: dict[str, Step] = {step.job_type: step for step in [*PIPELINE, FULL]}  # every batch job type
TECH_SCANNING_STEPS = {ScanJob.JobType.TECH_SCAN, ScanJob.JobType.FULL}  # batches whose probes run a tech scan


def enrichment_targets(*, job_type: str, params: dict[str, Any]) -> QuerySet[Prospect]:
    """The prospects a batch covers: explicit ids or a prospect filter, limited to those the step applies to."""
    step = STEPS[job_type]
    queryset = Prospect.objects.filter(step.eligible)
    if params.get("prospect_ids"):
        return queryset.filter(pk__in=params["prospect_ids"])
    filterset = ProspectFilter(params.get("filter") or {}, queryset=queryset)
    if not filterset.is_valid():
        raise ValueError(f"Invalid filter: {dict(filterset.errors)}")
    return filterset.qs


def enrichment_batch_start(
    *,
    job_type: str,
    prospect_ids: list[int] | None = None,
    filters: dict[str, Any] | None = None,
    user: AbstractBaseUser | None = None,
    force: bool = False,
    scan_mode: str | None = None,
    workers: int | None = None,
    foreground: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ScanJob:
    """Start an enrichment batch over ids or a prospect filter: on the workers, or here (`foreground`).
    `scan_mode`: the tech scan's mode (tech scan and full batches; default TECH_SCAN_MODE when the job runs)."""
    params: dict[str, Any] = {"prospect_ids": sorted(set(prospect_ids))} if prospect_ids else {"filter": filters or {}}
    if force:
        params["force"] = True
    if scan_mode:
        params["scan_mode"] = tech_scan_mode(scan_mode)  # ValueError for an unknown mode, before any job
    if workers:
        params["workers"] = workers
    targets = enrichment_targets(job_type=job_type, params=params)  # a bad filter fails here, before any job
    total = targets.count()
    quota_consume(user=user, kind="scans", amount=total)  # over the user's monthly quota: QuotaExceeded, no job
    return job_start(
        job_type=job_type,
        task=enrichment_batch_job,
        params=params,
        user=user,
        total_items=total,
        foreground=foreground,
        on_progress=on_progress,
    )


def enrichment_processes(items: int) -> int:
    """How many processes a job of `items` prospects spreads its probes over (1: this process only)."""
    wanted = settings.ENRICHMENT_PROCESSES or usable_cpus()
    if wanted < 2 or items < PROCESSES_MIN_ITEMS or not may_fork_workers():
        return 1
    return min(wanted, items)


def enrichment_batch_job(job: JobContext) -> None:
    """The job function of every enrichment batch: probe in a pool, store chunk by chunk, until done or cancelled.

    On a resume, prospects whose step finished since the job first started are counted as done and skipped;
    the others (failed ones included) are probed again, so the counters stay exact.
    """
    step = STEPS[job.job.job_type]
    workers = job.params.get("workers") or settings.ENRICHMENT_WORKERS
    targets = enrichment_targets(job_type=step.job_type, params=job.params)
    todo = targets.exclude(**{f"{step.done_field}__gte": job.started_at}).order_by("pk")
    remaining = todo.count()
    total = targets.count()
    job.set_total(total)
    job.set_counts(processed=total - remaining)
    job.clear_failures()
    # What a probe reads (e.g. `force`), without the id list a child would otherwise receive.
    probe_params = {key: value for key, value in job.params.items() if key not in {"prospect_ids", "failures"}}
    scans_tech = step.job_type in TECH_SCANNING_STEPS and remaining > 0
    with tech_scan_session(job.params.get("scan_mode") if scans_tech else ScanMode.STATIC) as session:
        probe_params["tech_session"] = session
        if session.unavailable:
            job.update_params(scan_mode_note=session.unavailable)  # shown with the job; each profile says it too
        # A browser run renders pages in Chromium, not in Python: its one browser stays in this process.
        processes = 1 if session.scanner is not None else enrichment_processes(remaining)
        if job.params.get("processes") != processes:  # shown with the job: how its probes were spread
            job.update_params(processes=processes)
        pool: ProbePool = (
            ProcessProbePool(step, probe_params, processes, threads=max(1, workers // processes))
            if processes > 1
            else ThreadProbePool(step, probe_params, workers, name=f"job{job.job_id}")
        )
        _probe_all(job, step, todo, pool)


def _probe_all(job: JobContext, step: Step, todo: QuerySet[Prospect], pool: ProbePool) -> None:
    """Feed the pool chunk by chunk and store each chunk's results, until done or cancelled."""
    finished = False
    try:
        last_pk = 0
        in_flight: list[Prospect] = []
        while True:
            job.raise_if_cancelled()
            chunk = list(todo.filter(pk__gt=last_pk)[:CHUNK_SIZE])
            for prospect in chunk:  # queued before the previous chunk is stored: no idle probes
                pool.submit(prospect.pk, prospect)
            if in_flight:
                outcomes = [pool.result(prospect.pk) for prospect in in_flight]
                resolver_outage_check(in_flight, outcomes)  # pauses the job, leaving this chunk untouched
                _store_chunk(job, step, in_flight, outcomes)
            if not chunk:
                break
            last_pk = chunk[-1].pk
            in_flight = chunk
        finished = True
    finally:
        pool.close(cancel=not finished)


def enrichment_batch_run(
    *, job_id: int, workers: int | None = None, on_progress: Callable[[int], None] | None = None
) -> ScanJob | None:
    """Run (or resume) an enrichment job in this process, e.g. a row built by a test or a benchmark."""
    if workers:
        job = ScanJob.objects.get(pk=job_id)
        job.params["workers"] = workers
        job.save(update_fields=["params"])
    return job_run(job_id=job_id, task=enrichment_batch_job, on_progress=on_progress)


def _store_chunk(job: JobContext, step: Step, chunk: list[Prospect], outcomes: list[tuple[bool, Any]]) -> None:
    """Store a chunk's results in one transaction (one score refresh for the chunk); count failures.

    A step with `store_many` writes the chunk in bulk; if that fails, each result is stored alone so one
    bad row cannot lose the others.
    """
    failures = []
    with transaction.atomic():
        good = [(prospect, value) for prospect, (ok, value) in zip(chunk, outcomes, strict=True) if ok]
        for prospect, (ok, value) in zip(chunk, outcomes, strict=True):
            if not ok:
                failures.append({"prospect_id": prospect.pk, "error": str(value)[:300]})
        stored_in_bulk = False
        if step.store_many and good:
            try:
                with transaction.atomic():
                    step.store_many(good)
                stored_in_bulk = True
            except Exception as exc:
                logger.warning("Job %s: bulk store failed (%s); storing one by one", job.job_id, exc)
        if not stored_in_bulk:
            for prospect, value in good:
                try:
                    with transaction.atomic():
                        step.store(prospect, value)
                except Exception as exc:  # one bad item never fails the batch
                    logger.warning("Job %s: prospect %s failed: %s", job.job_id, prospect.pk, exc)
                    failures.append({"prospect_id": prospect.pk, "error": str(exc)[:300]})
        job.advance(processed=len(chunk), failed=len(failures))
        job.record_failures(failures)
        job.add_outcomes(outcome_counts(outcomes))


def _check_of(ok: bool, value: Any) -> tuple[str, str]:
    """(check result, failure kind) of one probe outcome: the HTTP check's, the full pipeline's HTTP check, or a
    fetch that failed in another step."""
    if isinstance(value, FullProbe):
        value = value.results.get("http_check")
    if isinstance(value, HttpCheckOutcome):
        return value.result, value.error_class
    if not ok and isinstance(value, FetchError):
        return result_for_error(value.kind), value.kind
    return ("done" if ok else "failed"), ""


def outcome_counts(outcomes: list[tuple[bool, Any]]) -> dict[str, Any]:
    """What a chunk found, for the job's report: {"active": 180, "could_not_check": 12, ..., "failed_steps":
    {"contacts": 3}}."""
    counts: dict[str, Any] = {}
    failed_steps: dict[str, int] = {}
    scan_modes: dict[str, int] = {}
    for ok, value in outcomes:
        result, _kind = _check_of(ok, value)
        if result:
            counts[result] = counts.get(result, 0) + 1
        scrape = value.results.get("contacts") if isinstance(value, FullProbe) else value
        suppressed = getattr(scrape, "suppressed", 0) if ok else 0
        if isinstance(suppressed, int) and suppressed:
            counts["suppressed_contacts"] = counts.get("suppressed_contacts", 0) + suppressed
        if isinstance(value, FullProbe):
            for name in value.errors:
                failed_steps[name] = failed_steps.get(name, 0) + 1
        scanned = value.results.get("tech_scan") if isinstance(value, FullProbe) else value
        if isinstance(scanned, TechProbe):
            scan_modes[scanned.mode] = scan_modes.get(scanned.mode, 0) + 1
    if failed_steps:
        counts["failed_steps"] = failed_steps
    if scan_modes:
        counts["tech_scan_modes"] = scan_modes  # {"browser": 195, "static": 5}: pages the browser could not read
    return counts


def resolver_outage_check(chunk: list[Prospect], outcomes: list[tuple[bool, Any]]) -> None:
    """Pause the job (JobPaused) when almost every name of the chunk failed DNS and names that must resolve
    (ENRICHMENT_RESOLVER_CANARIES) do not resolve either: the resolver is down, not the prospects' sites."""
    if len(chunk) < settings.ENRICHMENT_RESOLVER_OUTAGE_MIN:
        return
    dns_failures = sum(1 for ok, value in outcomes if _check_of(ok, value)[1] in DNS_KINDS)
    if dns_failures < settings.ENRICHMENT_RESOLVER_OUTAGE_SHARE * len(chunk):
        return
    canaries = list(settings.ENRICHMENT_RESOLVER_CANARIES)
    failing = [name for name in canaries if not _resolves(name)]
    if canaries and len(failing) < len(canaries):
        return  # the resolver works: these names really have no address
    checked = f" and none of the names that must resolve ({', '.join(canaries)}) does" if canaries else ""
    raise JobPaused(
        f"Paused: the DNS resolver looks down. {dns_failures} of {len(chunk)} names in the last chunk failed "
        f"their DNS lookup{checked}. Those {len(chunk)} prospects were left untouched; resume the job once DNS "
        "works again."
    )


def _resolves(name: str) -> bool:
    try:
        resolve_checked(name, 443)
    except FetchError as exc:
        return exc.kind not in DNS_KINDS  # "blocked" means it resolved (to a non-public address)
    return True
