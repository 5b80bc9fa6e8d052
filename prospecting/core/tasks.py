"""django-q2 entry points: every background job goes through the one runner of `core/jobs.py`."""

from __future__ import annotations

import logging

from prospecting.core.events import housekeeping_due
from prospecting.core.jobs import job_run, jobs_watchdog

logger = logging.getLogger(__name__)


def job_run_task(job_id: int) -> None:
    """Run or resume a job on a worker. Safe to deliver twice: a finished or live job is left alone."""
    job_run(job_id=job_id)


def jobs_watchdog_task() -> dict[str, list[int]]:
    """Scheduled every minute: mark jobs whose worker died and resume them (see `jobs_watchdog`), then let
    the apps do their housekeeping."""
    result = jobs_watchdog()
    for receiver, outcome in housekeeping_due.send_robust(sender=None):
        if isinstance(outcome, Exception):
            logger.error("Housekeeping by %s failed: %s", getattr(receiver, "__name__", receiver), outcome)
    return result
