"""django-q2 entry point of the daily `privacy-retention` schedule (the work runs as a job of core/jobs.py)."""

from __future__ import annotations

from django.conf import settings

from prospecting.privacy.services import retention_start


def retention_task() -> int | None:
    """Daily: the retention job (a dry-run report unless PRIVACY_RETENTION_PURGE); nothing when retention is off."""
    if not settings.PRIVACY_RETENTION_MONTHS:
        return None
    return retention_start().pk
