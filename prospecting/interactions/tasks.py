"""django-q2 entry points of the interactions app."""

from __future__ import annotations

from prospecting.interactions.digest import followup_digest_start


def followup_digest_task() -> int:
    """Scheduled daily at FOLLOW_UP_DIGEST_TIME: start today's digest job (once per day)."""
    return followup_digest_start().pk
