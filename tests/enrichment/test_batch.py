"""Enrichment batches: API, command, admin, cancel, resume, and a real django-q2 worker."""

import dataclasses
import io
import json
import os
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from prospecting.core.jobs import job_cancel
from prospecting.core.models import ScanJob
from prospecting.enrichment.services import batch as batch_module
from prospecting.enrichment.services.batch import enrichment_batch_run
from prospecting.prospects.models import Prospect
from tests.factories import ProspectFactory
from tests.qcluster import running_qcluster, wait_for_job

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"
LIVE = ["wordpress-weber.lu", "drupal-mersch.lu", "static-lentz.lu", "shop-majerus.lu", "vue-thill.lu"]


def make_prospects(domains, **fields):
    return [ProspectFactory(domain_name=domain, **fields) for domain in domains]


def replace_http_check(monkeypatch, *, probe=None, store=None):
    """The HTTP-check step with another probe and/or store (forked children see the replacement too)."""
    step = batch_module.STEPS["http_check"]
    replacement = dataclasses.replace(step, probe=probe or step.probe, store=store or step.store, store_many=None)
    monkeypatch.setitem(batch_module.STEPS, "http_check", replacement)


@pytest.fixture
def forking(monkeypatch, settings):
    """Jobs of any size probe in two forked processes."""
    settings.ENRICHMENT_PROCESSES = 2
    monkeypatch.setattr(batch_module, "PROCESSES_MIN_ITEMS", 1)


def test_http_check_batch_via_api(api_client, farm, django_capture_on_commit_callbacks, sync_tasks):
    prospects = make_prospects([*LIVE, "parked-domain.lu", "not-found.lu"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(BASE + "enrichment/http-check/batch", {"prospect_ids": [p.pk for p in prospects]})
    assert response.status_code == 202, response.content
    job = ScanJob.objects.get(pk=response.json()["id"])
    assert (job.status, job.total_items, job.processed_items, job.failed_items) == ("completed", 7, 7, 0)
    statuses = dict(Prospect.objects.values_list("domain_name", "status"))
    assert statuses["parked-domain.lu"] == "parked"
    assert statuses["not-found.lu"] == "error"
    assert all(statuses[d] == "active" for d in LIVE)


def test_tech_scan_batch_with_filter_only_scans_live_sites(
    api_client, farm, django_capture_on_commit_callbacks, sync_tasks
):
    live = make_prospects(LIVE[:3], status="active", has_website=True)
    ProspectFactory(domain_name="parked-domain.lu", status="parked", has_website=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            BASE + "enrichment/tech-scan/batch", {"filter": {"status": ["active", "parked"]}}, format="json"
        )
    job = ScanJob.objects.get(pk=response.json()["id"])
    assert (job.status, job.total_items, job.processed_items) == ("completed", 3, 3)
    assert {p.tech_profile.cms for p in Prospect.objects.filter(pk__in=[p.pk for p in live])} == {
        "WordPress",
        "Drupal",
        "",
    }


def test_single_prospect_endpoints_run_inline(api_client, farm):
    prospect = ProspectFactory(domain_name="wordpress-weber.lu")
    body = api_client.post(BASE + f"enrichment/http-check/{prospect.pk}").json()
    assert body["result"]["status"] == "active"
    assert body["prospect"]["status"] == "active"
    body = api_client.post(BASE + f"enrichment/tech-scan/{prospect.pk}").json()
    assert body["result"]["fields"]["cms"] == "WordPress"
    assert body["prospect"]["tech_profile"]["cms_version"] == "5.8.3"
    assert api_client.post(BASE + "enrichment/http-check/999999").status_code == 404


@pytest.mark.parametrize(
    "payload", [{}, {"prospect_ids": [1], "filter": {"status": ["pending"]}}, {"filter": {"status": ["nope"]}}]
)
def test_batch_rejects_bad_requests(api_client, payload):
    response = api_client.post(BASE + "enrichment/http-check/batch", payload, format="json")
    assert response.status_code == 400
    assert not ScanJob.objects.exists()


def test_item_failure_is_recorded_without_failing_the_job(farm, monkeypatch):
    prospects = make_prospects(LIVE[:3])
    real_store = batch_module.STEPS["http_check"].store

    def store(prospect, outcome):
        if prospect.domain_name == "drupal-mersch.lu":
            raise RuntimeError("disk full")
        real_store(prospect, outcome)

    replace_http_check(monkeypatch, store=store)
    job = ScanJob.objects.create(
        job_type="http_check", total_items=3, params={"prospect_ids": [p.pk for p in prospects]}
    )
    job = enrichment_batch_run(job_id=job.pk)
    assert (job.status, job.processed_items, job.failed_items) == ("completed", 3, 1)
    assert job.params["failures"][0]["error"] == "disk full"


def test_cancel_stops_at_the_next_chunk(farm, monkeypatch):
    monkeypatch.setattr(batch_module, "CHUNK_SIZE", 2)
    prospects = make_prospects(LIVE)
    job = ScanJob.objects.create(
        job_type="http_check", total_items=5, params={"prospect_ids": [p.pk for p in prospects]}
    )
    job = enrichment_batch_run(job_id=job.pk, on_progress=lambda n: job_cancel(job=job))
    assert (job.status, job.processed_items) == ("cancelled", 2)
    assert Prospect.objects.filter(last_http_check_at__isnull=False).count() == 2
    assert enrichment_batch_run(job_id=job.pk) is None  # a cancelled job does not run again


def test_resume_after_crash_processes_no_item_twice(farm, monkeypatch, django_capture_on_commit_callbacks):
    """A worker killed in the middle of a chunk: the chunk's results roll back together, and the resumed job
    stores every prospect exactly once (counted when its result commits)."""
    from django.db import transaction

    monkeypatch.setattr(batch_module, "CHUNK_SIZE", 2)
    prospects = make_prospects(LIVE)
    committed, calls = [], []
    step = batch_module.STEPS["http_check"]

    class WorkerKilled(BaseException):
        pass

    def store(prospect, outcome):
        calls.append(prospect.domain_name)
        if len(calls) == 4:
            raise WorkerKilled
        step.store(prospect, outcome)
        transaction.on_commit(lambda name=prospect.domain_name: committed.append(name))

    replace_http_check(monkeypatch, store=store)
    job = ScanJob.objects.create(
        job_type="http_check", total_items=5, params={"prospect_ids": [p.pk for p in prospects]}
    )
    with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
        enrichment_batch_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed_items, len(committed)) == ("running", 2, 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = enrichment_batch_run(job_id=job.pk)
    assert sorted(committed) == sorted(LIVE)  # every prospect stored exactly once
    assert (job.status, job.processed_items) == ("completed", 5)


def test_enrich_command_runs_in_foreground(farm):
    make_prospects(LIVE[:2], status="pending")
    ProspectFactory(domain_name="not-found.lu", status="contacted")
    out = io.StringIO()
    call_command("enrich", "http-check", "--status", "pending", "--workers", "4", "--no-progress", stdout=out)
    assert "completed: 2/2 processed, 0 failed" in out.getvalue()
    assert Prospect.objects.get(domain_name="not-found.lu").last_http_check_at is None


def test_enrich_command_can_queue(farm):
    prospect = ProspectFactory(domain_name="static-lentz.lu")
    out = io.StringIO()
    call_command("enrich", "http-check", "--ids", str(prospect.pk), "--queue", stdout=out)
    assert "Queued job" in out.getvalue()
    assert ScanJob.objects.get().status == "pending"


def test_jobs_endpoints_list_show_and_cancel(api_client):
    job = ScanJob.objects.create(job_type="http_check", total_items=10, processed_items=4)
    done = ScanJob.objects.create(job_type="tech_scan", status="completed")
    listing = api_client.get(BASE + "stats/jobs").json()
    assert [row["id"] for row in listing["results"]] == [done.pk, job.pk]
    assert api_client.get(BASE + f"stats/jobs/{job.pk}").json()["progress_percent"] == 40
    assert api_client.post(BASE + f"stats/jobs/{job.pk}/cancel").json()["status"] == "cancelled"
    assert api_client.post(BASE + f"stats/jobs/{done.pk}/cancel").status_code == 409


def test_admin_actions_queue_jobs_and_link_to_them(admin_client_logged_in):
    prospects = make_prospects(LIVE[:2])
    response = admin_client_logged_in.post(
        reverse("admin:prospects_prospect_changelist"),
        {"action": "run_http_check", "_selected_action": [p.pk for p in prospects]},
        follow=True,
    )
    job = ScanJob.objects.get()
    assert (job.job_type, job.total_items) == ("http_check", 2)
    assert f"/admin/core/scanjob/{job.pk}/change/" in response.content.decode()
    page = admin_client_logged_in.get(reverse("admin:core_scanjob_changelist")).content.decode()
    assert "<progress" in page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_real_qcluster_worker_completes_a_batch_enqueued_through_the_api(site_farm, api_client):
    """Start `manage.py qcluster` against the test database, enqueue through the API, wait for the job."""
    from django_q.brokers import get_broker

    expected_broker = "Redis" if os.environ.get("REDIS_URL") else "ORM"
    assert type(get_broker()).__name__ == expected_broker
    # 3 live farm sites and enough unknown names (the farm answers 404) for the job to fork its probes.
    prospects = make_prospects(LIVE[:3]) + make_prospects([f"unknown-{i}.lu" for i in range(110)])
    farm_env = {
        "ENRICHMENT_ALLOW_PRIVATE_NETWORKS": "1",
        "ENRICHMENT_CA_BUNDLE": str(site_farm.ca_path),
        "ENRICHMENT_RESOLVER_OVERRIDES_JSON": json.dumps(site_farm.resolver_map),
        "ENRICHMENT_PROCESSES": "2",
    }
    with running_qcluster(**farm_env):
        response = api_client.post(BASE + "enrichment/http-check/batch", {"prospect_ids": [p.pk for p in prospects]})
        assert response.status_code == 202
        job = wait_for_job(response.json()["id"])
    assert job.status == "completed", (job.status, job.error)
    assert job.processed_items == 113
    assert job.params["processes"] == 2  # the undaemonized worker could fork
    assert set(Prospect.objects.filter(domain_name__in=LIVE[:3]).values_list("status", flat=True)) == {"active"}
    assert Prospect.objects.filter(last_http_check_at__isnull=False).count() == 113


class _Unpicklable(Exception):
    def __init__(self, detail, extra):
        super().__init__(detail)
        self.extra = extra


@pytest.mark.django_db(transaction=True)
def test_big_jobs_probe_in_forked_processes_and_store_every_result_with_its_prospect(monkeypatch, forking, tmp_path):
    monkeypatch.setattr(batch_module, "CHUNK_SIZE", 4)
    prospects = ProspectFactory.create_batch(11)
    failing = prospects[5].domain_name
    stored = {}

    def probe(prospect, params):
        # A site takes a moment to answer, and the first answers wait (10 s at most) until a second process
        # probes too: on a busy machine one child could otherwise take every prospect before the other starts.
        (tmp_path / str(os.getpid())).touch()
        deadline = time.monotonic() + 10
        while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.05)
        if prospect.domain_name == failing:
            raise _Unpicklable("server on fire", extra=object())
        return prospect.domain_name, os.getpid()

    def store(prospect, value):
        stored[prospect.domain_name] = value

    replace_http_check(monkeypatch, probe=probe, store=store)
    # One probe at a time per child: a child that forked first cannot take all eleven before the other starts.
    job = ScanJob.objects.create(
        job_type="http_check", total_items=11, params={"prospect_ids": [p.pk for p in prospects], "workers": 2}
    )
    job = enrichment_batch_run(job_id=job.pk)
    assert (job.status, job.processed_items, job.failed_items) == ("completed", 11, 1)
    assert job.params["failures"] == [{"prospect_id": prospects[5].pk, "error": "server on fire"}]
    assert all(domain == value[0] for domain, value in stored.items())  # each result with its own prospect
    assert len(stored) == 10
    pids = {pid for _, pid in stored.values()}
    assert len(pids) == 2 and os.getpid() not in pids


@pytest.mark.django_db(transaction=True)
def test_full_enrichment_in_forked_processes_on_the_farm(farm, forking):
    """Every step's result (pages, detections, audits, contacts) travels back from the children."""
    prospects = make_prospects([*LIVE, "contact-thill.lu", "no-such-domain.lu"])
    job = ScanJob.objects.create(
        job_type="full", total_items=len(prospects), params={"prospect_ids": [p.pk for p in prospects]}
    )
    job = enrichment_batch_run(job_id=job.pk)
    assert (job.status, job.processed_items) == ("completed", len(prospects))
    live = Prospect.objects.filter(domain_name__in=[*LIVE, "contact-thill.lu"])
    assert set(live.values_list("status", flat=True)) == {"active"}
    assert all(p.tech_profile.cms or p.tech_profile.tech_stack_json for p in live)
    assert all(p.performance_profile.performance_score is not None for p in live)
    thill = Prospect.objects.get(domain_name="contact-thill.lu")
    assert thill.contacts.filter(contact_type="email", value="info@contact-thill.lu").exists()
    assert Prospect.objects.get(domain_name="no-such-domain.lu").has_website is False
    assert Prospect.objects.filter(score__isnull=False).count() == len(prospects)  # scored once per chunk
    assert "has_email" in thill.score.reason_flags


@pytest.mark.django_db(transaction=True)
def test_how_many_processes_a_job_uses(settings):
    from django.db import transaction

    settings.ENRICHMENT_PROCESSES = 4
    assert batch_module.enrichment_processes(10_000) == 4
    with transaction.atomic():  # children would not see this transaction's rows
        assert batch_module.enrichment_processes(10_000) == 1
    assert batch_module.enrichment_processes(batch_module.PROCESSES_MIN_ITEMS - 1) == 1
    settings.ENRICHMENT_PROCESSES = 1
    assert batch_module.enrichment_processes(10_000) == 1


@pytest.mark.django_db(transaction=True)
def test_a_dead_probe_process_fails_the_job_which_then_resumes(monkeypatch, forking):
    monkeypatch.setattr(batch_module, "CHUNK_SIZE", 3)
    prospects = ProspectFactory.create_batch(8)
    doomed = prospects[4].domain_name

    def probe(prospect, params):
        if prospect.domain_name == doomed and not os.environ.get("PROBE_SURVIVES"):
            os._exit(3)  # the process is killed (out of memory, segfault in a C library ...)
        return prospect.domain_name

    def store(prospect, value):
        Prospect.objects.filter(pk=prospect.pk).update(last_http_check_at=timezone.now(), redirect_url=value)

    replace_http_check(monkeypatch, probe=probe, store=store)
    job = ScanJob.objects.create(
        job_type="http_check", total_items=8, params={"prospect_ids": [p.pk for p in prospects]}
    )
    with pytest.raises(RuntimeError, match="died"):
        enrichment_batch_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "resume the job" in job.error
    stored_before = set(Prospect.objects.filter(last_http_check_at__isnull=False).values_list("pk", flat=True))
    assert prospects[4].pk not in stored_before
    monkeypatch.setenv("PROBE_SURVIVES", "1")
    job = enrichment_batch_run(job_id=job.pk)
    assert (job.status, job.processed_items) == ("completed", 8)
    assert list(Prospect.objects.order_by("pk").values_list("redirect_url", flat=True)) == [
        p.domain_name for p in prospects
    ]


@pytest.mark.django_db(transaction=True)
def test_forked_tech_scan_records_a_dead_site_and_scans_the_others(farm, forking):
    prospects = make_prospects([*LIVE, "no-such-domain.lu"], status="active", has_website=True)
    job = ScanJob.objects.create(
        job_type="tech_scan", total_items=len(prospects), params={"prospect_ids": [p.pk for p in prospects]}
    )
    job = enrichment_batch_run(job_id=job.pk)
    assert (job.status, job.processed_items, job.failed_items, job.params["processes"]) == ("completed", 6, 1, 2)
    dead = Prospect.objects.get(domain_name="no-such-domain.lu")
    assert job.params["failures"][0]["prospect_id"] == dead.pk
    assert Prospect.objects.get(domain_name="wordpress-weber.lu").tech_profile.cms == "WordPress"


@pytest.mark.django_db(transaction=True)
def test_a_result_that_cannot_be_read_back_fails_its_prospect_only(monkeypatch, forking):
    prospects = ProspectFactory.create_batch(4)
    odd = prospects[2].domain_name

    def probe(prospect, params):  # pickles fine, but cannot be rebuilt: its __init__ wants two arguments
        return _Unpicklable("half a result", extra=1) if prospect.domain_name == odd else prospect.domain_name

    replace_http_check(monkeypatch, probe=probe, store=lambda prospect, value: None)
    job = ScanJob.objects.create(
        job_type="http_check", total_items=4, params={"prospect_ids": [p.pk for p in prospects]}
    )
    job = enrichment_batch_run(job_id=job.pk)
    assert (job.status, job.processed_items, job.failed_items) == ("completed", 4, 1)
    failure = job.params["failures"][0]
    assert failure["prospect_id"] == prospects[2].pk and "could not be read back" in failure["error"]
