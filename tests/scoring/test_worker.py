"""Score recomputes run by a real django-q2 worker process."""

import pytest

from prospecting.prospects.models import Prospect
from tests.factories import ProspectFactory
from tests.qcluster import running_qcluster, wait_for_job

BASE = "/api/admin/prospecting/"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_recomputes_scores_in_several_processes(api_client):
    """On PostgreSQL the recompute forks a process per chunk range: a daemonic worker could not do that
    ("daemonic processes are not allowed to have children"), so workers run undaemonized."""
    ProspectFactory.create_batch(25)
    with running_qcluster(SCORING_WORKERS="2", SCORING_CHUNK_SIZE="10"):
        response = api_client.post(BASE + "enrichment/score-compute/batch", {"all": True}, format="json")
        assert response.status_code == 202
        job = wait_for_job(response.json()["id"])
    assert job.status == "completed", (job.status, job.error)
    assert job.processed_items == 25
    assert Prospect.objects.filter(score__isnull=False).count() == 25
