"""Enrichment batches: a ScanJob over many prospects, run by a worker with bounded concurrency.

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
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet

from prospecting.core.models import ScanJob
from prospecting.core.processes import may_fork_workers, usable_cpus
from prospecting.core.services import (
    scan_job_create,
    scan_job_enqueue,
    scan_job_finish,
    scan_job_progress,
    scan_job_start,
)
from prospecting.enrichment.services import http_check as http_check_module
from prospecting.enrichment.services import tech_scan as tech_scan_module
from prospecting.enrichment.services.probe_pool import ProbePool, ProcessProbePool, ThreadProbePool
from prospecting.prospects.filters import ProspectFilter
from prospecting.prospects.models import Prospect
from prospecting.prospects.selectors import prospect_home_url

logger = logging.getLogger(__name__)
CHUNK_SIZE = 200
MAX_RECORDED_FAILURES = 500
PROCESSES_MIN_ITEMS = 100  # smaller jobs are not worth forking for


@dataclass(frozen=True)
class Step:
    """One enrichment step as a batch sees it."""

    job_type: str
    done_field: str  # timestamp set when the step finished for a prospect
    eligible: Q  # which prospects the step applies to
    probe: Callable[[Prospect, dict[str, Any]], Any]  # network only: runs in the pool (prospect, job params)
    store: Callable[[Prospect, Any], None]  # database: runs in the job's thread
    store_many: Callable[[list[tuple[Prospect, Any]]], None] | None = None  # the same, for a whole chunk


def _http_probe(prospect: Prospect, params: dict[str, Any]) -> Any:
    outcome = http_check_module.http_check_probe(prospect.domain_name)
    if outcome.page is not None:  # the store needs its facts, not the page: keep results small
        outcome.page = outcome.page.without_body()
    return outcome


def _http_store(prospect: Prospect, outcome: Any) -> None:
    http_check_module.http_check_store(prospect=prospect, outcome=outcome)


def _http_store_many(results: list[tuple[Prospect, Any]]) -> None:
    http_check_module.http_check_store_many(results=results)


def _tech_probe(prospect: Prospect, params: dict[str, Any]) -> Any:
    """Fetch and detect in the pool (detection is the CPU-heavy part); the store only writes."""
    from prospecting.core.fetch import default_fetcher
    from prospecting.enrichment.dns import dns_records

    page = default_fetcher().fetch(prospect_home_url(prospect))  # a FetchError fails this prospect
    dns = dns_records(prospect.domain_name)
    return page.without_body(), dns, tech_scan_module.tech_scan_detect(page, dns)


def _tech_store(prospect: Prospect, result: Any) -> None:
    page, dns, detections = result
    tech_scan_module.tech_scan_run(prospect=prospect, page=page, dns=dns, detections=detections)


def _performance_probe(prospect: Prospect, params: dict[str, Any]) -> Any:
    from prospecting.enrichment.services.performance import performance_probe

    return performance_probe(prospect)


def _performance_store(prospect: Prospect, result: Any) -> None:
    from prospecting.enrichment.services.performance import performance_store

    performance_store(prospect=prospect, result=result)


def _contacts_probe(prospect: Prospect, params: dict[str, Any]) -> Any:
    from prospecting.enrichment.services.contacts import contacts_probe

    return contacts_probe(prospect)


def _contacts_store(prospect: Prospect, result: Any) -> None:
    from prospecting.enrichment.services.contacts import contacts_store

    if not result.pages:
        raise RuntimeError("no page could be read")
    contacts_store(prospect=prospect, result=result)


def _full_probe(prospect: Prospect, params: dict[str, Any]) -> Any:
    from prospecting.enrichment.services.full import full_probe, steps_to_run

    return full_probe(prospect, steps_to_run(prospect, force=bool(params.get("force"))))


def _full_store(prospect: Prospect, probe: Any) -> None:
    from prospecting.enrichment.services.full import full_store

    report = full_store(prospect, probe, score_now=False)
    failed = {step: item["detail"] for step, item in report.items() if item["status"] == "failed"}
    if failed:
        raise RuntimeError("; ".join(f"{step}: {detail}" for step, detail in failed.items()))


STEPS: dict[str, Step] = {
    ScanJob.JobType.HTTP_CHECK: Step(
        ScanJob.JobType.HTTP_CHECK,
        "last_http_check_at",
        Q(domain_name__isnull=False),
        _http_probe,
        _http_store,
        _http_store_many,
    ),
    ScanJob.JobType.TECH_SCAN: Step(
        ScanJob.JobType.TECH_SCAN,
        "last_tech_scan_at",
        Q(domain_name__isnull=False, has_website=True),
        _tech_probe,
        _tech_store,
    ),
    ScanJob.JobType.PERFORMANCE: Step(
        ScanJob.JobType.PERFORMANCE,
        "last_performance_scan_at",
        Q(domain_name__isnull=False, has_website=True),
        _performance_probe,
        _performance_store,
    ),
    ScanJob.JobType.CONTACTS: Step(
        ScanJob.JobType.CONTACTS,
        "last_contact_scrape_at",
        Q(domain_name__isnull=False, has_website=True),
        _contacts_probe,
        _contacts_store,
    ),
    ScanJob.JobType.FULL: Step(ScanJob.JobType.FULL, "score__computed_at", Q(), _full_probe, _full_store),
}


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


def enrichment_batch_create(
    *,
    job_type: str,
    prospect_ids: list[int] | None = None,
    filters: dict[str, Any] | None = None,
    user: AbstractBaseUser | None = None,
    force: bool = False,
) -> ScanJob:
    """Register a batch and hand it to the workers when the transaction commits."""
    params: dict[str, Any] = {"prospect_ids": sorted(set(prospect_ids))} if prospect_ids else {"filter": filters or {}}
    if force:
        params["force"] = True
    targets = enrichment_targets(job_type=job_type, params=params)
    with transaction.atomic():
        job = scan_job_create(job_type=job_type, total_items=targets.count(), params=params, user=user)
        scan_job_enqueue(job=job, func="prospecting.enrichment.tasks.enrichment_batch_task", args=(job.pk,))
    return job


def scan_job_cancel(*, job: ScanJob) -> bool:
    """Ask a pending or running job to stop (it stops at its next chunk)."""
    updated = ScanJob.objects.filter(pk=job.pk, status__in=[ScanJob.Status.PENDING, ScanJob.Status.RUNNING]).update(
        status=ScanJob.Status.CANCELLED
    )
    return bool(updated)


def enrichment_processes(items: int) -> int:
    """How many processes a job of `items` prospects spreads its probes over (1: this process only)."""
    wanted = settings.ENRICHMENT_PROCESSES or usable_cpus()
    if wanted < 2 or items < PROCESSES_MIN_ITEMS or not may_fork_workers():
        return 1
    return min(wanted, items)


def enrichment_batch_run(
    *, job_id: int, workers: int | None = None, on_progress: Callable[[int], None] | None = None
) -> ScanJob | None:
    """Run (or resume) an enrichment job to the end, or until it is cancelled."""
    job = scan_job_start(job_id=job_id)
    if job is None:
        return None
    step = STEPS[job.job_type]
    workers = workers or settings.ENRICHMENT_WORKERS
    try:
        targets = enrichment_targets(job_type=job.job_type, params=job.params)
        todo = targets.exclude(**{f"{step.done_field}__gte": job.started_at}).order_by("pk")
        remaining = todo.count()
        already_done = targets.count() - remaining
        if already_done and job.processed_items < already_done:
            ScanJob.objects.filter(pk=job.pk).update(processed_items=already_done)
        # What a probe reads (e.g. `force`), without the id list a child would otherwise receive.
        probe_params = {key: value for key, value in job.params.items() if key not in {"prospect_ids", "failures"}}
        processes = enrichment_processes(remaining)
        if job.params.get("processes") != processes:  # shown with the job: how its probes were spread
            job.params["processes"] = processes
            ScanJob.objects.filter(pk=job.pk).update(params=job.params)
        pool: ProbePool = (
            ProcessProbePool(step, probe_params, processes, threads=max(1, workers // processes))
            if processes > 1
            else ThreadProbePool(step, probe_params, workers, name=f"job{job.pk}")
        )
        finished = False
        try:
            last_pk = 0
            in_flight: list[Prospect] = []
            while True:
                if ScanJob.objects.filter(pk=job.pk, status=ScanJob.Status.CANCELLED).exists():
                    logger.info("Job %s cancelled", job.pk)
                    return ScanJob.objects.get(pk=job.pk)
                chunk = list(todo.filter(pk__gt=last_pk)[:CHUNK_SIZE])
                for prospect in chunk:  # queued before the previous chunk is stored: no idle probes
                    pool.submit(prospect.pk, prospect)
                if in_flight:
                    outcomes = [pool.result(prospect.pk) for prospect in in_flight]
                    _store_chunk(job.pk, step, in_flight, outcomes, on_progress)
                if not chunk:
                    break
                last_pk = chunk[-1].pk
                in_flight = chunk
            finished = True
        finally:
            pool.close(cancel=not finished)
    except Exception as exc:
        scan_job_finish(job_id=job.pk, error=str(exc))
        raise
    scan_job_finish(job_id=job.pk)
    return ScanJob.objects.get(pk=job.pk)


def _store_chunk(
    job_id: int,
    step: Step,
    chunk: list[Prospect],
    outcomes: list[tuple[bool, Any]],
    on_progress: Callable[[int], None] | None,
) -> None:
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
                logger.warning("Job %s: bulk store failed (%s); storing one by one", job_id, exc)
        if not stored_in_bulk:
            for prospect, value in good:
                try:
                    with transaction.atomic():
                        step.store(prospect, value)
                except Exception as exc:  # one bad item never fails the batch
                    logger.warning("Job %s: prospect %s failed: %s", job_id, prospect.pk, exc)
                    failures.append({"prospect_id": prospect.pk, "error": str(exc)[:300]})
        scan_job_progress(job_id=job_id, processed=len(chunk), failed=len(failures))
        if failures:
            _record_failures(job_id, failures)
    if on_progress:
        on_progress(len(chunk))


def _record_failures(job_id: int, failures: list[dict[str, Any]]) -> None:
    with transaction.atomic():
        job = ScanJob.objects.select_for_update().get(pk=job_id)
        recorded = job.params.get("failures", [])
        if len(recorded) < MAX_RECORDED_FAILURES:
            job.params["failures"] = (recorded + failures)[:MAX_RECORDED_FAILURES]
            job.save(update_fields=["params"])
