"""The activity log (seed 003 activityLog): an entry for each action of the issue, recorded without ever
blocking the action, and the filterable admin list."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

from prospecting.core import jobs
from prospecting.core.models import ActivityLog
from prospecting.prospects.models import Prospect
from prospecting.prospects.services import (
    contact_create,
    contact_delete,
    contact_update,
    prospect_create,
    prospect_delete,
    prospect_update,
)
from prospecting.scoring.models import ProspectScore
from prospecting.scoring.services import score_compute
from tests.factories import ProspectFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def actions(prospect_id):
    return list(ActivityLog.objects.filter(prospect_id=prospect_id).order_by("id").values_list("action", flat=True))


def quiet_job(job):
    job.set_total(3)
    job.advance(processed=3)


def broken_job(job):
    raise RuntimeError("the disk is full")


def test_prospect_and_contact_lifecycle_is_on_the_prospect_timeline(staff_user):
    prospect = prospect_create(data={"domain_name": "bakery.lu", "business_name": "Bakery"}, user=staff_user)
    prospect_update(prospect=prospect, data={"city": "Wiltz"}, user=staff_user)
    contact = contact_create(prospect=prospect, data={"contact_type": "phone", "value": "+352 621 000 000"})
    contact_update(contact=contact, data={"label": "GSM"}, user=staff_user)
    contact_delete(contact=contact, user=staff_user)
    prospect_id = prospect.pk
    prospect_delete(prospect=prospect, user=staff_user)
    assert actions(prospect_id) == [
        "created",
        "updated",
        "contact_added",
        "contact_changed",
        "contact_removed",
        "deleted",
    ]
    assert ActivityLog.objects.filter(prospect_id=prospect_id, actor=staff_user).count() == 5  # one by nobody


def test_owner_change_is_logged_with_old_and_new_owner(staff_user):
    alice = StaffUserFactory(username="alice")
    prospect = ProspectFactory()
    prospect_update(prospect=prospect, data={"owner": alice}, user=staff_user)
    entry = ActivityLog.objects.get(action="owner_changed")
    assert (entry.metadata, entry.description) == ({"old": None, "new": alice.pk}, "Owner nobody → alice")


def test_a_job_start_and_end_are_logged_with_the_outcome(staff_user):
    job = jobs.job_start(job_type="http_check", task=quiet_job, user=staff_user, foreground=True)
    started, finished = ActivityLog.objects.filter(object_id=str(job.pk)).order_by("id")
    assert (started.action, finished.action) == ("job_started", "job_finished")
    assert finished.description == f"HTTP check #{job.pk} completed: 3 of 3 done, 0 failed"
    assert finished.actor == staff_user


def test_a_failed_job_and_a_single_prospect_scan_show_on_the_prospect(staff_user):
    prospect = ProspectFactory()
    with pytest.raises(RuntimeError):
        jobs.job_start(job_type="tech_scan", task=broken_job, params={"prospect_ids": [prospect.pk]}, foreground=True)
    finished = ActivityLog.objects.get(action="job_finished")
    assert finished.prospect_id == prospect.pk
    assert "failed" in finished.description and "the disk is full" in finished.description


def test_score_changes_of_ten_points_or_more_are_logged_smaller_ones_not():
    prospect = ProspectFactory(has_website=False, status="active")
    score_compute(prospect=prospect)  # a first score is not a change
    first = ProspectScore.objects.get(prospect=prospect).score
    ProspectScore.objects.filter(prospect=prospect).update(score=first + 4)
    score_compute(prospect=prospect)
    assert not ActivityLog.objects.filter(action="score_changed").exists()
    ProspectScore.objects.filter(prospect=prospect).update(score=first + 25)
    score_compute(prospect=prospect)
    entry = ActivityLog.objects.get(action="score_changed")
    assert (entry.prospect_id, entry.metadata) == (prospect.pk, {"old": first + 25, "new": first})


def test_a_failing_activity_log_never_blocks_the_action(staff_user, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise DatabaseError("activity table is locked")

    monkeypatch.setattr(ActivityLog, "save", broken_save)
    prospect = prospect_create(data={"domain_name": "still-saved.lu"}, user=staff_user)
    prospect_update(prospect=prospect, data={"status": "contacted"}, user=staff_user)
    assert Prospect.objects.get(domain_name="still-saved.lu").status == "contacted"


def test_admin_activity_list_filters_by_prospect_and_action(admin_client_logged_in, staff_user):
    kept, other = ProspectFactory(business_name="Kept"), ProspectFactory(business_name="Other")
    prospect_update(prospect=kept, data={"city": "Wiltz"}, user=staff_user)
    prospect_update(prospect=other, data={"city": "Remich"}, user=staff_user)
    url = reverse("admin:core_activitylog_changelist")
    html = admin_client_logged_in.get(url, {"prospect_id": kept.pk}).content.decode()
    assert "Changed city" in html and f"#{kept.pk}" in html and f">#{other.pk}<" not in html
    response = admin_client_logged_in.get(url, {"action__exact": "updated"})
    assert response.status_code == 200
