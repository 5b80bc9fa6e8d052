"""django-q2 entry points for enrichment."""

from __future__ import annotations

from prospecting.enrichment.services.batch import enrichment_batch_run


def enrichment_batch_task(job_id: int) -> None:
    """Run or resume an enrichment ScanJob. Safe to run again: finished prospects are skipped."""
    enrichment_batch_run(job_id=job_id)
