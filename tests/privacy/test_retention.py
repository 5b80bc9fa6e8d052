"""Retention: a dry run counts and changes nothing; the purge deletes the untouched old prospects only."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from prospecting.core.models import ActivityLog
from prospecting.privacy.services import retention_cutoff, retention_start
from prospecting.prospects.models import ImportBatch, ImportRow, Prospect
from tests.factories import CampaignSendFactory, InteractionFactory, ProspectContactFactory, ProspectFactory

pytestmark = pytest.mark.django_db


def _aged(prospect, months):
    Prospect.objects.filter(pk=prospect.pk).update(created_at=timezone.now() - datetime.timedelta(days=31 * months))
    return prospect


@pytest.fixture
def aged(settings):
    settings.PRIVACY_RETENTION_MONTHS = 24
    stale = _aged(ProspectFactory(business_name="Stale"), 30)
    ProspectContactFactory(prospect=stale, value="owner@stale.lu")
    batch = ImportBatch.objects.create(name="old.csv")
    ImportRow.objects.create(
        batch=batch,
        line_number=2,
        raw_payload={"email": "owner@stale.lu"},
        data_hash="x",
        prospect=stale,
        outcome="created",
    )
    talked = _aged(ProspectFactory(business_name="Talked"), 30)
    InteractionFactory(prospect=talked)
    mailed = _aged(ProspectFactory(business_name="Mailed"), 30)
    CampaignSendFactory(prospect=mailed, status="sent", sent_at=timezone.now())
    won = _aged(ProspectFactory(business_name="Won", status="converted"), 30)
    fresh = _aged(ProspectFactory(business_name="Fresh"), 6)
    return {"stale": stale, "talked": talked, "mailed": mailed, "won": won, "fresh": fresh}


def test_a_dry_run_counts_what_would_go_and_deletes_nothing(aged):
    job = retention_start(dry_run=True, foreground=True)
    assert job.status == "completed" and job.params["outcomes"] == {"would_purge": 1}
    assert Prospect.objects.count() == 5
    entry = ActivityLog.objects.get(action="retention_dry_run")
    assert entry.description.startswith("Retention dry run: 1 prospects")


def test_the_purge_deletes_only_untouched_old_prospects_and_what_outlives_them(aged):
    job = retention_start(dry_run=False, foreground=True)
    assert job.params["outcomes"] == {"purged": 1}
    assert set(Prospect.objects.values_list("business_name", flat=True)) == {"Talked", "Mailed", "Won", "Fresh"}
    row = ImportRow.objects.get()
    assert (row.raw_payload, row.prospect_id) == ({}, None)
    assert "1 prospects" in ActivityLog.objects.get(action="retention_purged").description


def test_the_setting_decides_dry_run_or_purge_and_zero_turns_it_off(aged, settings):
    assert retention_start(foreground=True).params["dry_run"] is True
    settings.PRIVACY_RETENTION_PURGE = True
    assert retention_start(foreground=True).params["outcomes"] == {"purged": 1}
    settings.PRIVACY_RETENTION_MONTHS = 0
    from prospecting.privacy.tasks import retention_task

    assert retention_task() is None


def test_the_command_dry_run_then_purge(aged):
    out = StringIO()
    call_command("privacy_retention", stdout=out)
    assert "1 prospects would be purged" in out.getvalue() and Prospect.objects.count() == 5
    call_command("privacy_retention", "--purge", stdout=out)
    assert "1 prospects purged" in out.getvalue() and Prospect.objects.count() == 4


def test_the_api_starts_a_dry_run_job(aged, api_client):
    response = api_client.post("/api/admin/prospecting/privacy/retention", {}, format="json")
    assert response.status_code == 202 and response.json()["job_type"] == "retention"


def test_the_cutoff_counts_calendar_months():
    now = datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)
    assert retention_cutoff(months=24, now=now) == datetime.datetime(2024, 3, 28, 12, tzinfo=datetime.UTC)
    assert retention_cutoff(months=3, now=now).date() == datetime.date(2025, 12, 28)


def test_a_retention_schedule_exists():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="privacy-retention")
    assert schedule.func == "prospecting.privacy.tasks.retention_task" and schedule.schedule_type == "D"
