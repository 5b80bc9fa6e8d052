"""A real worker killed with `kill -9` in the middle of an import: the job is seen as interrupted within
seconds, resumed through the API, and finishes with exact counters and no duplicate."""

import io
import os
import signal
import time

import pytest

from prospecting.core.models import ScanJob
from prospecting.prospects.models import ImportBatch, ImportRow, Prospect
from tests.qcluster import running_qcluster, wait_for_job

BASE = "/api/admin/prospecting/"
ROWS = 60_000


def wait_until(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_job_is_seen_within_seconds_and_resumes_exactly(api_client, settings):
    settings.IMPORT_INLINE_MAX_BYTES = 1000
    settings.JOB_STALLED_AFTER_SECONDS = 3
    content = "domain\n" + "".join(f"site-{i}.lu\n" for i in range(ROWS))
    worker_env = {"JOB_HEARTBEAT_SECONDS": "0.5", "JOB_STALLED_AFTER_SECONDS": "3", "JOB_MAX_ATTEMPTS": "1"}
    with running_qcluster(**worker_env):
        response = api_client.post(
            BASE + "prospects/import", {"file": io.BytesIO(content.encode()), "mode": "create"}, format="multipart"
        )
        assert response.status_code == 202, response.content
        job_id = response.json()["job_id"]
        job = wait_until(lambda: ScanJob.objects.filter(pk=job_id, processed_items__gte=2000).first())
        killed_at = time.monotonic()
        os.kill(int(job.worker.rpartition(":")[2]), signal.SIGKILL)

        def stopped_status():
            status = api_client.get(BASE + f"stats/jobs/{job_id}").json()["status"]
            return status if status != "running" else None

        assert wait_until(stopped_status) == "interrupted"
        assert time.monotonic() - killed_at < 10  # seen within seconds, not after Q_RETRY (an hour)
        stopped = ScanJob.objects.get(pk=job_id)
        assert stopped.total_items == ROWS
        assert 0 < stopped.processed_items < ROWS

        assert api_client.post(BASE + f"stats/jobs/{job_id}/resume").status_code == 202
        job = wait_for_job(job_id, seconds=180)
    assert (job.status, job.processed_items, job.total_items, job.attempts) == ("completed", ROWS, ROWS, 2)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_count) == ("completed", ROWS)
    assert Prospect.objects.count() == ROWS
    assert ImportRow.objects.count() == ROWS
