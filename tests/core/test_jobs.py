"""The job service: one runner for every kind of job — heartbeat, a dead worker seen, resume with exact
counters, cancel, and no long work inside a web request."""

import datetime
import io
import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from prospecting.core import jobs
from prospecting.core.models import ScanJob
from prospecting.prospects import services as prospect_services
from prospecting.prospects.models import ImportBatch, ImportRow, Prospect
from prospecting.prospects.services import imports as import_module
from prospecting.scoring import services as scoring_services
from prospecting.scoring.models import ProspectScore
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"


class WorkerKilled(BaseException):
    """What a job sees of `kill -9`: nothing after this point runs (no except clause catches it)."""


def sleepy_job(job):
    """A job function for the heartbeat test: it works for a while in one long step."""
    seen = [ScanJob.objects.get(pk=job.job_id).heartbeat_at]
    time.sleep(job.params["seconds"])
    seen.append(ScanJob.objects.get(pk=job.job_id).heartbeat_at)
    job.update_params(heartbeats=[value.isoformat() for value in seen])


def failing_job(job):
    raise RuntimeError("the disk is full")


def stalled(seconds_ago=120, **fields):
    return ScanJob.objects.create(
        job_type="http_check",
        task="tests.core.test_jobs.sleepy_job",
        status="running",
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
        started_at=timezone.now() - datetime.timedelta(seconds=seconds_ago + 60),
        attempts=1,
        **fields,
    )


def csv_file(tmp_path, rows, bad_every=0):
    path = tmp_path / "domains.csv"
    lines = ["domain"] + [
        f"bad domain {i}" if bad_every and i % bad_every == 0 else f"site-{i}.lu" for i in range(1, rows + 1)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


# --- heartbeat and a dead worker ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_running_job_heartbeats_from_its_own_thread_even_inside_one_long_step(settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.2
    job = jobs.job_start(job_type="import", task=sleepy_job, params={"seconds": 1.0}, foreground=True)
    first, later = (datetime.datetime.fromisoformat(value) for value in job.params["heartbeats"])
    assert later - first >= datetime.timedelta(seconds=0.6)  # it beat several times while the step ran
    assert (job.status, job.heartbeat_at, job.attempts) == ("completed", None, 1)
    assert job.task == "tests.core.test_jobs.sleepy_job"


def test_a_job_whose_worker_died_shows_interrupted_as_soon_as_someone_looks(api_client, settings):
    settings.JOB_STALLED_AFTER_SECONDS = 45
    dead = stalled(seconds_ago=50)
    alive = stalled(seconds_ago=5)
    body = api_client.get(BASE + f"stats/jobs/{dead.pk}").json()
    assert body["status"] == "interrupted"
    assert "stopped" in body["error"]
    assert api_client.get(BASE + f"stats/jobs/{alive.pk}").json()["status"] == "running"


def test_the_admin_jobs_list_shows_a_dead_worker_too(admin_client_logged_in):
    dead = stalled()
    admin_client_logged_in.get(reverse("admin:core_scanjob_changelist"))
    dead.refresh_from_db()
    assert dead.status == "interrupted"


def test_the_watchdog_resumes_interrupted_worker_jobs_but_not_foreground_ones(
    django_capture_on_commit_callbacks, sync_tasks, settings
):
    settings.JOB_MAX_ATTEMPTS = 3
    queued = stalled(task_id="abc", params={"seconds": 0})
    foreground = stalled(params={"seconds": 0})  # a command's job killed with its shell: a person decides
    worn_out = stalled(task_id="def", params={"seconds": 0})
    ScanJob.objects.filter(pk=worn_out.pk).update(attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        report = jobs.jobs_watchdog()
    assert sorted(report["stalled"]) == sorted([queued.pk, foreground.pk, worn_out.pk])
    assert report["resumed"] == [queued.pk]
    statuses = dict(ScanJob.objects.values_list("pk", "status"))
    assert statuses == {queued.pk: "completed", foreground.pk: "interrupted", worn_out.pk: "interrupted"}


def test_the_watchdog_is_scheduled_every_minute():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="jobs-watchdog")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "prospecting.core.tasks.jobs_watchdog_task",
        Schedule.MINUTES,
        1,
    )


def test_a_live_job_is_never_run_twice():
    live = stalled(seconds_ago=1)
    assert jobs.job_run(job_id=live.pk) is None  # a queue redelivery while the first worker is alive
    assert not jobs.job_resume(job=live)
    live.refresh_from_db()
    assert (live.status, live.attempts) == ("running", 1)


def test_ctrl_c_leaves_the_job_interrupted_and_resumable():
    def interrupted(job):
        raise KeyboardInterrupt

    job = jobs.job_create(job_type="import", task=sleepy_job, params={"seconds": 0})
    with pytest.raises(KeyboardInterrupt):
        jobs.job_run(job_id=job.pk, task=interrupted)
    job.refresh_from_db()
    assert (job.status, "Ctrl-C" in job.error) == ("interrupted", True)
    assert jobs.job_resume(job=job, foreground=True)
    assert ScanJob.objects.get(pk=job.pk).status == "completed"


def test_a_failed_job_keeps_its_error_and_can_be_retried_through_the_api(
    api_client, django_capture_on_commit_callbacks, sync_tasks
):
    job = jobs.job_create(job_type="import", task=failing_job)
    with pytest.raises(RuntimeError):
        jobs.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error, job.finished_at is not None) == ("failed", "the disk is full", True)
    ScanJob.objects.filter(pk=job.pk).update(task="tests.core.test_jobs.sleepy_job", params={"seconds": 0})
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(BASE + f"stats/jobs/{job.pk}/resume")
    assert response.status_code == 202, response.content
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts) == ("completed", "", 2)
    assert api_client.post(BASE + f"stats/jobs/{job.pk}/resume").status_code == 409  # completed: nothing to do


def test_the_admin_resume_action_hands_stopped_jobs_to_the_workers(
    admin_client_logged_in, django_capture_on_commit_callbacks
):
    dead = stalled(params={"seconds": 0})
    done = ScanJob.objects.create(job_type="import", status="completed")
    with (
        mock.patch("django_q.tasks.async_task", return_value="q-1") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client_logged_in.post(
            reverse("admin:core_scanjob_changelist"),
            {"action": "resume_jobs", "_selected_action": [dead.pk, done.pk]},
            follow=True,
        )
    assert "Resumed 1 job on the workers" in response.content.decode()
    assert enqueue.call_args.args == ("prospecting.core.tasks.job_run_task", dead.pk)
    dead.refresh_from_db()
    assert (dead.status, dead.task_id) == ("pending", "q-1")
    assert ScanJob.objects.get(pk=done.pk).status == "completed"


def test_a_job_function_must_be_importable():
    def local_job(job):
        pass

    with pytest.raises(ValueError, match="module-level"):
        jobs.job_create(job_type="import", task=local_job)


# --- imports: total, exact counters on resume, the command, cancel ------------------------------------------


def crash_import_on_chunk(n):
    real_chunk = import_module._import_chunk
    calls = {"n": 0}

    def chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise WorkerKilled
        return real_chunk(*args, **kwargs)

    return mock.patch.object(import_module, "_import_chunk", chunk)


def test_an_import_job_killed_mid_way_resumes_with_exact_counters(tmp_path, monkeypatch):
    monkeypatch.setattr(import_module, "CHUNK_SIZE", 1000)
    batch = prospect_services.import_batch_create(path=csv_file(tmp_path, 2500, bad_every=100), name="d.csv")
    with crash_import_on_chunk(3), pytest.raises(WorkerKilled):
        prospect_services.import_batch_start(batch=batch, foreground=True)
    job = ScanJob.objects.get(job_type="import")
    assert (job.status, job.total_items, job.processed_items, job.failed_items) == ("running", 2500, 2000, 20)
    assert jobs.job_resume(job=job, foreground=True)
    job.refresh_from_db()
    assert (job.status, job.total_items, job.processed_items, job.failed_items) == ("completed", 2500, 2500, 25)
    assert Prospect.objects.count() == 2475
    assert ImportRow.objects.filter(batch=batch).count() == 2500
    assert job.attempts == 2


def test_import_command_resume_continues_the_batch_job(tmp_path, monkeypatch):
    monkeypatch.setattr(import_module, "CHUNK_SIZE", 1000)
    batch = prospect_services.import_batch_create(path=csv_file(tmp_path, 2500), name="d.csv")
    with crash_import_on_chunk(2), pytest.raises(WorkerKilled):
        prospect_services.import_batch_start(batch=batch, foreground=True)
    out = io.StringIO()
    call_command("import_prospects", "--resume", str(batch.pk), "--no-progress", stdout=out)
    job = ScanJob.objects.get()  # the same job, not a second one
    assert (job.status, job.processed_items, job.total_items) == ("completed", 2500, 2500)
    assert f"Job {job.pk} completed" in out.getvalue()
    assert Prospect.objects.count() == 2500


def test_a_cancelled_import_stops_between_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(import_module, "CHUNK_SIZE", 100)
    batch = prospect_services.import_batch_create(path=csv_file(tmp_path, 500), name="d.csv")
    real_chunk = import_module._import_chunk

    def cancel_after_first(batch_arg, *args, **kwargs):
        real_chunk(batch_arg, *args, **kwargs)
        ScanJob.objects.filter(job_type="import").update(status="cancelled")

    with mock.patch.object(import_module, "_import_chunk", cancel_after_first):
        job = prospect_services.import_batch_start(batch=batch, foreground=True)
    batch.refresh_from_db()
    assert (job.status, job.processed_items, batch.status) == ("cancelled", 100, "cancelled")
    assert Prospect.objects.count() == 100
    assert not jobs.job_resume(job=job)


def test_small_imports_are_jobs_too_and_say_how_many_rows(api_client, tmp_path):
    response = api_client.post(
        BASE + "prospects/import",
        {"file": io.BytesIO(b"domain\na.lu\nb.lu\nnot a domain\n"), "mode": "create"},
        format="multipart",
    )
    assert response.status_code == 201
    job = ScanJob.objects.get(pk=response.json()["job_id"])
    assert (job.status, job.total_items, job.processed_items, job.failed_items) == ("completed", 3, 3, 1)
    assert ImportBatch.objects.get().status == "completed"


# --- score recomputes ---------------------------------------------------------------------------------------


def test_a_score_job_killed_mid_way_resumes_with_exact_counters(monkeypatch):
    ProspectFactory.create_batch(7)
    real = scoring_services._compute_range
    calls = {"n": 0}

    def crash_on_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise WorkerKilled
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring_services, "_compute_range", crash_on_third)
    monkeypatch.setattr(scoring_services.settings, "SCORING_CHUNK_SIZE", 3)
    with pytest.raises(WorkerKilled):
        scoring_services.scores_batch_start(params={"all": True}, foreground=True)
    job = ScanJob.objects.get()
    assert (job.status, job.total_items, job.processed_items) == ("running", 7, 6)
    assert jobs.job_resume(job=job, foreground=True)
    job.refresh_from_db()
    assert (job.status, job.total_items, job.processed_items) == ("completed", 7, 7)
    assert calls["n"] == 4  # the resume computed only the chunk that was left
    assert ProspectScore.objects.count() == 7


def test_jobs_command_lists_and_resumes_any_kind_of_job():
    ProspectFactory.create_batch(3)
    job = scoring_services.scores_batch_start(params={"all": True})  # queued, never run (no worker)
    out = io.StringIO()
    call_command("jobs", "list", stdout=out)
    assert f"{job.pk}" in out.getvalue() and "pending" in out.getvalue()
    call_command("jobs", "resume", str(job.pk), "--no-progress", stdout=out)
    assert f"Job {job.pk} completed: 3/3 processed" in out.getvalue()


# --- no long work inside a web request ----------------------------------------------------------------------


@pytest.mark.parametrize("changelist", ["admin:prospects_prospect_changelist", "admin:scoring_lead_changelist"])
def test_admin_recompute_scores_queues_a_job_instead_of_computing_in_the_request(admin_client_logged_in, changelist):
    prospects = ProspectFactory.create_batch(3)
    for prospect in prospects:
        ProspectScore.objects.create(prospect=prospect, score=1)
    with mock.patch("django_q.tasks.async_task", return_value="q-1"):
        response = admin_client_logged_in.post(
            reverse(changelist),
            {"action": "recompute_scores", "_selected_action": [p.pk for p in prospects]},
            follow=True,
        )
    job = ScanJob.objects.get()
    assert (job.job_type, job.status, job.total_items) == ("score_compute", "pending", 3)
    assert f"/admin/core/scanjob/{job.pk}/change/" in response.content.decode()
    assert set(ProspectScore.objects.values_list("score", flat=True)) == {1}  # nothing computed in the request
