"""A real `manage.py qcluster` worker against the test database, for end-to-end task tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

from prospecting.core.models import ScanJob

ROOT = Path(__file__).resolve().parents[1]


def _database_url() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    return (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@{settings_dict['HOST']}:"
        f"{settings_dict['PORT']}/{settings_dict['NAME']}"
    )


@contextlib.contextmanager
def running_qcluster(**env: str) -> Iterator[subprocess.Popen]:
    """Start a worker (one process unless Q_WORKERS says otherwise) and stop it, with its children, after."""
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _database_url(), "DEBUG": "1", "Q_WORKERS": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield worker
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def wait_for_job(job_id: int, seconds: float = 90) -> ScanJob:
    """The job once it completed or failed (or as it is when time runs out)."""
    deadline = time.monotonic() + seconds
    while True:
        job = ScanJob.objects.get(pk=job_id)
        if job.status in {"completed", "failed"} or time.monotonic() > deadline:
            return job
        time.sleep(0.5)
