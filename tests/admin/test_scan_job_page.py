"""A scan job's page tells what the job found, leads to those prospects, refreshes while it runs, and is a
read-only record."""

import pytest
from django.urls import reverse

from tests.factories import ProspectFactory, ScanJobFactory, TechProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_job():
    prospects = ProspectFactory.create_batch(4)
    for prospect, result in zip(prospects, ["active", "active", "could_not_check", "parked"], strict=True):
        TechProfileFactory(prospect=prospect, check_result=result)
    TechProfileFactory(check_result="active")  # another job's prospect
    job = ScanJobFactory(
        status="completed",
        total_items=4,
        processed_items=4,
        params={
            "prospect_ids": [p.pk for p in prospects],
            "outcomes": {"active": 2, "could_not_check": 1, "parked": 1, "failed_steps": {"contacts": 1}},
        },
    )
    return job, prospects


def test_the_job_page_counts_outcomes_and_links_to_those_prospects(admin_client_logged_in, finished_job):
    job, prospects = finished_job
    page = admin_client_logged_in.get(reverse("admin:core_scanjob_change", args=[job.pk])).content.decode()
    assert "2 active" in page and "1 could not check" in page and "1 parked" in page
    assert "Failed steps: contacts 1" in page
    assert 'name="_save"' not in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing to watch
    link = reverse("admin:prospects_prospect_changelist") + f"?job_outcome={job.pk}:active"
    assert link in page
    listed = admin_client_logged_in.get(link).context["cl"].result_list
    assert sorted(p.pk for p in listed) == sorted(p.pk for p in prospects[:2])
    listed = admin_client_logged_in.get(link.replace(":active", ":could_not_check")).context["cl"].result_list
    assert [p.pk for p in listed] == [prospects[2].pk]


def test_a_running_job_page_refreshes_itself(admin_client_logged_in):
    from django.utils import timezone

    job = ScanJobFactory(status="running", started_at=timezone.now(), heartbeat_at=timezone.now())
    page = admin_client_logged_in.get(reverse("admin:core_scanjob_change", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page


def test_a_posted_change_to_a_job_is_not_saved(admin_client_logged_in, finished_job):
    job, _ = finished_job
    admin_client_logged_in.post(
        reverse("admin:core_scanjob_change", args=[job.pk]), {"status": "failed", "_save": "Save"}
    )
    job.refresh_from_db()
    assert job.status == "completed"
