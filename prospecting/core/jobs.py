"""The job service: the one owner of every long run (imports, enrichment batches, score recomputes, ...).

A job is a `ScanJob` row that records what to run when it is queued: `task`, the dotted path of a *job
function* `f(job: JobContext) -> None`, and its `params`. Each app offers one `<thing>_start()` that calls
`job_start()`; admin, API, commands and schedules call that start function, never this module's internals.

The runner (`job_run`) owns the rest, the same way for every kind of job:

* **start**: it claims the row in one UPDATE, so two runners (a queue redelivery, a resume from the admin)
  can never run one job at once; the first start time is kept, so a job function can tell what it already
  finished (`JobContext.started_at`);
* **progress and heartbeat**: the job function reports counts through its `JobContext`; a thread beats every
  `JOB_HEARTBEAT_SECONDS` while the job runs, so a job whose worker died (killed, out of memory, machine
  gone) is seen as *interrupted* within `JOB_STALLED_AFTER_SECONDS` (`jobs_mark_stalled`, run by every jobs
  screen and by a schedule every minute, which also resumes interrupted worker jobs);
* **finish, failure, cancel**: completed, failed (with the error) or cancelled, with the time it stopped;
  Ctrl-C leaves it interrupted;
* **pause**: a job function that finds it cannot usefully go on (a resolver outage, say) raises `JobPaused`
  with a message for a person; the job stays paused, nothing retries it on its own, and a resume continues it;
* **resume and retry** (`job_resume`): any job that did not complete is handed to the workers again (or run
  here); job functions skip the work already done and report counters that stay exact.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string

from prospecting.core.models import ScanJob
from prospecting.core.services import activity_log_record

logger = logging.getLogger(__name__)

MAX_RECORDED_FAILURES = 500
_UNFINISHED = [
    ScanJob.Status.PENDING,
    ScanJob.Status.RUNNING,
    ScanJob.Status.INTERRUPTED,
    ScanJob.Status.FAILED,
    ScanJob.Status.PAUSED,
]

User = AbstractBaseUser | AnonymousUser | None
JobFunction = Callable[["JobContext"], None]


class JobCancelled(Exception):
    """Raised inside a job function when the job was cancelled; the runner stops it cleanly."""


class JobPaused(Exception):
    """Raised inside a job function to stop for now; the message says why and what to do. A resume continues."""


class JobContext:
    """What a job function sees of its job: its parameters, and the calls that report progress."""

    def __init__(self, job: ScanJob, on_progress: Callable[[int], None] | None = None) -> None:
        self.job = job
        self._on_progress = on_progress

    @property
    def job_id(self) -> int:
        return self.job.pk

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params

    @property
    def started_at(self) -> datetime.datetime:
        """When the job first started: work finished since then was done by this job (resume skips it)."""
        assert self.job.started_at is not None  # noqa: S101 - set when the runner claimed the job
        return self.job.started_at

    def set_total(self, total: int) -> None:
        ScanJob.objects.filter(pk=self.job_id).update(total_items=total)
        self.job.total_items = total

    def set_counts(self, *, processed: int, failed: int = 0) -> None:
        """Set the counters outright: what a resumed job finds already done before it goes on."""
        ScanJob.objects.filter(pk=self.job_id).update(processed_items=processed, failed_items=failed)
        self.job.processed_items, self.job.failed_items = processed, failed

    def advance(self, *, processed: int = 0, failed: int = 0) -> None:
        """Add to the counters in one UPDATE (safe with several writers) and beat the heartbeat."""
        ScanJob.objects.filter(pk=self.job_id).update(
            processed_items=F("processed_items") + processed,
            failed_items=F("failed_items") + failed,
            heartbeat_at=timezone.now(),
        )
        if self._on_progress and processed:
            self._on_progress(processed)

    def raise_if_cancelled(self) -> None:
        """Stop here if someone cancelled the job (job functions call it between chunks)."""
        if ScanJob.objects.filter(pk=self.job_id, status=ScanJob.Status.CANCELLED).exists():
            raise JobCancelled

    def update_params(self, **values: Any) -> None:
        """Record facts about the run with the job (e.g. how many processes it used)."""
        with transaction.atomic():
            job = ScanJob.objects.select_for_update().get(pk=self.job_id)
            job.params.update(values)
            job.save(update_fields=["params"])
        self.job.params.update(values)

    def add_outcomes(self, counts: dict[str, Any]) -> None:
        """Add to the job's outcome counts (params["outcomes"], shown with the job): {"active": 3, ...}; a nested
        dict adds key by key ({"failed_steps": {"contacts": 2}})."""
        if not counts:
            return
        with transaction.atomic():
            job = ScanJob.objects.select_for_update().get(pk=self.job_id)
            job.params["outcomes"] = _added(job.params.get("outcomes") or {}, counts)
            job.save(update_fields=["params"])
        self.job.params["outcomes"] = job.params["outcomes"]

    def record_failures(self, failures: list[dict[str, Any]]) -> None:
        """Keep the first MAX_RECORDED_FAILURES item failures (which item, why) with the job."""
        if not failures:
            return
        with transaction.atomic():
            job = ScanJob.objects.select_for_update().get(pk=self.job_id)
            recorded = job.params.get("failures", [])
            if len(recorded) < MAX_RECORDED_FAILURES:
                job.params["failures"] = (recorded + failures)[:MAX_RECORDED_FAILURES]
                job.save(update_fields=["params"])
                self.job.params["failures"] = job.params["failures"]

    def clear_failures(self) -> None:
        """Forget failures recorded by an earlier run (a resumed job retries those items)."""
        if "failures" in self.job.params:
            with transaction.atomic():
                job = ScanJob.objects.select_for_update().get(pk=self.job_id)
                job.params.pop("failures", None)
                job.save(update_fields=["params"])
            self.job.params.pop("failures", None)


def _added(total: dict[str, Any], counts: dict[str, Any]) -> dict[str, Any]:
    result = dict(total)
    for key, value in counts.items():
        if isinstance(value, dict):
            result[key] = _added(result.get(key) or {}, value)
        elif value:
            result[key] = result.get(key, 0) + value
    return result


def _task_path(task: JobFunction) -> str:
    path = f"{task.__module__}.{task.__qualname__}"
    try:
        found = import_string(path)
    except ImportError:
        found = None
    if found is not task:
        raise ValueError(f"A job function must be a module-level function; {path} is not importable.")
    return path


def job_create(
    *, job_type: str, task: JobFunction, params: dict[str, Any] | None = None, user: User = None, total_items: int = 0
) -> ScanJob:
    """Record a job and what runs it (not queued yet: see `job_start`)."""
    return ScanJob.objects.create(
        job_type=job_type,
        task=_task_path(task),
        params=params or {},
        total_items=total_items,
        created_by=user if user is not None and user.is_authenticated else None,
    )


def _job_enqueue(job: ScanJob) -> None:
    """Hand the job to the workers once the surrounding transaction commits (never for a rolled-back job)."""
    from django_q.tasks import async_task

    def enqueue() -> None:
        task_id = async_task("prospecting.core.tasks.job_run_task", job.pk, task_name=f"{job.job_type}-{job.pk}")
        ScanJob.objects.filter(pk=job.pk).update(task_id=task_id or "")

    transaction.on_commit(enqueue)


def job_start(
    *,
    job_type: str,
    task: JobFunction,
    params: dict[str, Any] | None = None,
    user: User = None,
    total_items: int = 0,
    foreground: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ScanJob:
    """Record a job and hand it to the workers, or run it here and now (`foreground`: commands, small imports).

    A foreground job is the same job as a queued one: it shows in the jobs list and can be resumed the same way.
    """
    with transaction.atomic():
        job = job_create(job_type=job_type, task=task, params=params, user=user, total_items=total_items)
        _job_activity(job, "job_started", f"{job.get_job_type_display()} #{job.pk} started", user=user)
        if not foreground:
            _job_enqueue(job)
    if foreground:
        job_run(job_id=job.pk, on_progress=on_progress)
        job.refresh_from_db()
    return job


def _stalled_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.JOB_STALLED_AFTER_SECONDS)


def _alive() -> Q:
    """Running, with a recent heartbeat: some process is working on it right now."""
    return Q(status=ScanJob.Status.RUNNING, heartbeat_at__gte=_stalled_before())


def _job_claim(job_id: int) -> ScanJob | None:
    """Mark the job running for this process, in one UPDATE; None when it is finished, cancelled or alive elsewhere."""
    now = timezone.now()
    claimed = (
        ScanJob.objects.filter(pk=job_id, status__in=_UNFINISHED)
        .exclude(_alive())
        .update(
            status=ScanJob.Status.RUNNING,
            started_at=Coalesce("started_at", now),
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            worker=f"{socket.gethostname()}:{os.getpid()}"[:200],
            error="",
            finished_at=None,
        )
    )
    return ScanJob.objects.get(pk=job_id) if claimed else None


def _job_finish(job_id: int, status: str, error: str = "") -> None:
    finished = ScanJob.objects.filter(pk=job_id)
    if status != ScanJob.Status.CANCELLED:
        finished = finished.exclude(status=ScanJob.Status.CANCELLED)  # a cancel that raced the last chunk wins
    if finished.update(status=status, error=error[:10_000], finished_at=timezone.now(), heartbeat_at=None):
        job = ScanJob.objects.get(pk=job_id)
        outcome = f"{job.processed_items} of {job.total_items} done, {job.failed_items} failed"
        text = f"{job.get_job_type_display()} #{job.pk} {job.get_status_display().lower()}: {outcome}"
        _job_activity(job, "job_finished", text + (f" ({error[:200]})" if error else ""), user=job.created_by)


def _job_activity(job: ScanJob, action: str, description: str, *, user: User) -> None:
    """A job's start and end in the activity log; a job about one prospect shows on that prospect's timeline."""
    ids = job.params.get("prospect_ids") if isinstance(job.params, dict) else None
    activity_log_record(
        entity=job,
        action=action,
        actor=user,
        description=description,
        metadata={
            "job_type": job.job_type,
            "status": job.status,
            "total": job.total_items,
            "processed": job.processed_items,
            "failed": job.failed_items,
        },
        prospect_id=ids[0] if isinstance(ids, list) and len(ids) == 1 else None,
    )


class _Heartbeat:
    """Beats the job's heartbeat from a thread while the job function works (even inside one long step).

    Not started inside a transaction: nothing the job writes is visible to others before it commits anyway,
    and a second connection would wait on the transaction's locks.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        if not connection.in_atomic_block:
            self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout=settings.JOB_HEARTBEAT_SECONDS + 5)

    def _beat(self) -> None:
        try:
            while not self.stop_event.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    ScanJob.objects.filter(pk=self.job_id, status=ScanJob.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a missed beat is not fatal; the next one may get through
                    logger.warning("Job %s: heartbeat failed", self.job_id, exc_info=True)
                    close_old_connections()
        finally:
            connections.close_all()  # this thread's own connections


def job_run(
    *, job_id: int, task: JobFunction | None = None, on_progress: Callable[[int], None] | None = None
) -> ScanJob | None:
    """Run (or resume) a job in this process until it ends; returns it, or None when there was nothing to run.

    `task` overrides the recorded job function (tests and benchmarks that build a row by hand).
    """
    job = _job_claim(job_id)
    if job is None:
        return None
    function = task or import_string(job.task)
    with _Heartbeat(job_id):
        try:
            function(JobContext(job, on_progress))
        except JobCancelled:
            logger.info("Job %s cancelled", job_id)
            _job_finish(job_id, ScanJob.Status.CANCELLED)
        except JobPaused as exc:
            logger.warning("Job %s paused: %s", job_id, exc)
            _job_finish(job_id, ScanJob.Status.PAUSED, str(exc))
        except Exception as exc:
            logger.exception("Job %s failed", job_id)
            _job_finish(job_id, ScanJob.Status.FAILED, str(exc) or type(exc).__name__)
            raise
        except KeyboardInterrupt:
            _job_finish(job_id, ScanJob.Status.INTERRUPTED, "Stopped by Ctrl-C; resume it to continue.")
            raise
        except BaseException:
            # The process is going away (exit, kill): let the job be taken over at once instead of after a
            # stalled heartbeat; its status stays "running" until a resume or the stall check.
            ScanJob.objects.filter(pk=job_id, status=ScanJob.Status.RUNNING).update(heartbeat_at=None)
            raise
        else:
            _job_finish(job_id, ScanJob.Status.COMPLETED)
    return ScanJob.objects.get(pk=job_id)


def job_resume(*, job: ScanJob, foreground: bool = False, on_progress: Callable[[int], None] | None = None) -> bool:
    """Hand a job that did not complete (interrupted, failed, stopped with its worker, never started) to the
    workers again, or run it here; it picks up where it stopped. False when it completed, was cancelled or is
    running right now."""
    jobs_mark_stalled()
    with transaction.atomic():
        ready = (
            ScanJob.objects.filter(pk=job.pk, status__in=_UNFINISHED)
            .exclude(_alive())
            .update(status=ScanJob.Status.PENDING, heartbeat_at=None, error="", finished_at=None)
        )
        if ready and not foreground:
            _job_enqueue(job)
    if ready and foreground:
        job_run(job_id=job.pk, on_progress=on_progress)
    job.refresh_from_db()
    return bool(ready)


def job_cancel(*, job: ScanJob) -> bool:
    """Ask a job to stop: a pending one never starts, a running one stops at its next chunk."""
    return bool(
        ScanJob.objects.filter(pk=job.pk, status__in=[*_UNFINISHED]).update(
            status=ScanJob.Status.CANCELLED, finished_at=timezone.now()
        )
    )


def jobs_mark_stalled() -> list[int]:
    """Mark running jobs whose heartbeat stopped as interrupted (their worker died); returns their ids."""
    stalled = ScanJob.objects.filter(status=ScanJob.Status.RUNNING).filter(
        Q(heartbeat_at__lt=_stalled_before()) | Q(heartbeat_at__isnull=True)
    )
    ids = list(stalled.values_list("pk", flat=True))
    if ids:
        ScanJob.objects.filter(pk__in=ids, status=ScanJob.Status.RUNNING).update(
            status=ScanJob.Status.INTERRUPTED,
            heartbeat_at=None,
            error=f"The process running this job stopped (no heartbeat for {settings.JOB_STALLED_AFTER_SECONDS:g} s).",
        )
        logger.warning("Jobs %s: their worker stopped; marked interrupted", ids)
    return ids


def jobs_watchdog() -> dict[str, list[int]]:
    """Every minute on the workers: mark jobs whose worker died, and resume the interrupted worker jobs
    (not foreground ones: Ctrl-C in a command is a decision) that have attempts left."""
    stalled = jobs_mark_stalled()
    resumable = ScanJob.objects.filter(
        status=ScanJob.Status.INTERRUPTED, attempts__lt=settings.JOB_MAX_ATTEMPTS
    ).exclude(task_id="")
    resumed = [job.pk for job in resumable if job_resume(job=job)]
    return {"stalled": stalled, "resumed": resumed}
