"""Writes shared by every app: the activity log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from prospecting.core.models import ActivityLog, ScanJob


def activity_log_record(
    *,
    entity: models.Model,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    description: str = "",
    metadata: dict[str, Any] | None = None,
) -> ActivityLog:
    """Append one entry to the audit trail of `entity`."""
    return ActivityLog.objects.create(
        content_type=ContentType.objects.get_for_model(entity),
        object_id=str(entity.pk),
        action=action,
        description=description,
        metadata=metadata or {},
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def scan_job_create(
    *, job_type: str, total_items: int = 0, params: dict[str, Any] | None = None, user: Any = None
) -> ScanJob:
    """Register a background job; enqueue it with `scan_job_enqueue` inside the same transaction."""
    return ScanJob.objects.create(
        job_type=job_type,
        total_items=total_items,
        params=params or {},
        created_by=user if user is not None and user.is_authenticated else None,
    )


def scan_job_enqueue(*, job: ScanJob, func: str, args: tuple[Any, ...] = ()) -> None:
    """Hand the job to the workers once the surrounding transaction commits (never for a rolled-back job)."""
    from django_q.tasks import async_task

    def enqueue() -> None:
        task_id = async_task(func, *args, task_name=f"{job.job_type}-{job.pk}")
        ScanJob.objects.filter(pk=job.pk).update(task_id=task_id or "")

    transaction.on_commit(enqueue)


def scan_job_start(*, job_id: int) -> ScanJob | None:
    """Mark a job running; returns None when it was cancelled or already finished (nothing to do)."""
    job = ScanJob.objects.get(pk=job_id)
    if job.status in {ScanJob.Status.CANCELLED, ScanJob.Status.COMPLETED}:
        return None
    ScanJob.objects.filter(pk=job_id).update(status=ScanJob.Status.RUNNING, started_at=job.started_at or timezone.now())
    job.refresh_from_db()
    return job


def scan_job_progress(*, job_id: int, processed: int = 0, failed: int = 0) -> None:
    """Add to a job's counters in one UPDATE (safe with several workers on one job)."""
    ScanJob.objects.filter(pk=job_id).update(
        processed_items=F("processed_items") + processed, failed_items=F("failed_items") + failed
    )


def scan_job_finish(*, job_id: int, error: str = "") -> None:
    ScanJob.objects.filter(pk=job_id).exclude(status=ScanJob.Status.CANCELLED).update(
        status=ScanJob.Status.FAILED if error else ScanJob.Status.COMPLETED,
        error=error,
        finished_at=timezone.now(),
    )


_TASK_FOR_JOB_TYPE = {
    ScanJob.JobType.HTTP_CHECK: ("prospecting.enrichment.tasks.enrichment_batch_task", "job"),
    ScanJob.JobType.TECH_SCAN: ("prospecting.enrichment.tasks.enrichment_batch_task", "job"),
    ScanJob.JobType.PERFORMANCE: ("prospecting.enrichment.tasks.enrichment_batch_task", "job"),
    ScanJob.JobType.CONTACTS: ("prospecting.enrichment.tasks.enrichment_batch_task", "job"),
    ScanJob.JobType.FULL: ("prospecting.enrichment.tasks.enrichment_batch_task", "job"),
    ScanJob.JobType.SCORE_COMPUTE: ("prospecting.scoring.tasks.scores_compute_task", "job"),
    ScanJob.JobType.IMPORT: ("prospecting.prospects.tasks.import_batch_task", "import"),
}


def scan_job_resume(*, job: ScanJob) -> bool:
    """Hand a job that stopped with its worker (running, failed or still pending) to the workers again.

    The job picks up where it stopped: every task skips the items it already finished.
    """
    if job.status in {ScanJob.Status.COMPLETED, ScanJob.Status.CANCELLED} or job.job_type not in _TASK_FOR_JOB_TYPE:
        return False
    func, kind = _TASK_FOR_JOB_TYPE[job.job_type]
    args = (job.params["import_batch_id"], job.pk) if kind == "import" else (job.pk,)
    with transaction.atomic():
        ScanJob.objects.filter(pk=job.pk).update(status=ScanJob.Status.RUNNING, error="", finished_at=None)
        scan_job_enqueue(job=job, func=func, args=args)
    return True
