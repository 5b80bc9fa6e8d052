"""When and how widely a job may spread its work over forked processes (score recomputes, enrichment)."""

from __future__ import annotations

import multiprocessing
import os

from django.db import connection


def usable_cpus() -> int:
    """CPUs this process may run on (a container's CPU set, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def may_fork_workers() -> bool:
    """False inside a transaction (children see committed rows only) and in a daemonic process (a
    daemonized task-queue worker may not start children)."""
    return not connection.in_atomic_block and not multiprocessing.current_process().daemon
