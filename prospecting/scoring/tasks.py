"""django-q2 entry points for scoring."""

from __future__ import annotations

import logging

from prospecting.core.models import ScanJob
from prospecting.core.services import scan_job_finish, scan_job_progress, scan_job_start
from prospecting.scoring.selectors import score_compute_targets
from prospecting.scoring.services import scores_compute_batch

logger = logging.getLogger(__name__)


def scores_compute_task(job_id: int) -> None:
    """Recompute the scores a ScanJob names (ids, filter, stale or all), reporting progress.

    Safe to run again: recomputing a score is idempotent.
    """
    job = scan_job_start(job_id=job_id)
    if job is None:
        return
    try:
        queryset = score_compute_targets(job.params)
        ScanJob.objects.filter(pk=job_id).update(total_items=queryset.count(), processed_items=0)
        scores_compute_batch(queryset=queryset, on_progress=lambda n: scan_job_progress(job_id=job_id, processed=n))
    except Exception as exc:
        logger.exception("Score job %s failed", job_id)
        scan_job_finish(job_id=job_id, error=str(exc))
        raise
    scan_job_finish(job_id=job_id)
