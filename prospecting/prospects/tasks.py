"""django-q2 entry points for prospects: take ids, load fresh rows, call the service."""

from __future__ import annotations

import logging

from prospecting.core.services import scan_job_finish, scan_job_progress, scan_job_start
from prospecting.prospects.models import ImportBatch
from prospecting.prospects.services import import_batch_run

logger = logging.getLogger(__name__)


def import_batch_task(batch_id: int, job_id: int) -> None:
    """Run or resume an import batch in a worker, reporting progress on its ScanJob."""
    job = scan_job_start(job_id=job_id)
    if job is None:
        return
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        import_batch_run(batch=batch, on_progress=lambda count: scan_job_progress(job_id=job_id, processed=count))
    except Exception as exc:
        logger.exception("Import batch %s failed", batch_id)
        scan_job_finish(job_id=job_id, error=str(exc))
        raise
    batch.refresh_from_db()
    scan_job_progress(job_id=job_id, failed=batch.failed_count)
    scan_job_finish(job_id=job_id)
