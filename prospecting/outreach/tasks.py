"""django-q2 entry point of the outreach schedule (sending itself runs as jobs of `core/jobs.py`)."""

from __future__ import annotations

from typing import Any

from prospecting.outreach.services.sequences import outreach_tick


def outreach_tick_task() -> dict[str, Any]:
    """Every 5 minutes (the `outreach-tick` schedule): sequence exits and due steps, waiting messages now due."""
    return outreach_tick()
