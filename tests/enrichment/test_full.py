"""Full enrichment: the five ordered steps, freshness, force, failures, and every door to it."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from prospecting.core.models import ScanJob
from prospecting.enrichment.services import enrichment_full_run
from prospecting.enrichment.services import full as full_module
from prospecting.prospects.models import Prospect
from tests.factories import OfflineProspectFactory, ProspectFactory

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"


def test_full_pipeline_on_a_live_site_runs_every_step_in_order(farm):
    prospect = ProspectFactory(domain_name="contact-thill.lu")
    report = enrichment_full_run(prospect=prospect)
    assert list(report) == ["http_check", "tech_scan", "performance", "contacts", "score"]
    assert all(step["status"] == "done" for step in report.values()), report
    prospect.refresh_from_db()
    assert prospect.status == "active"
    assert prospect.tech_profile.scanned_at and prospect.performance_profile.scanned_at
    assert prospect.contacts.filter(contact_type="email").exists()
    assert prospect.score.computed_at is not None
    assert "has_email" in prospect.score.reason_flags


def test_full_pipeline_downloads_the_home_page_once(farm):
    """The HTTP check's page serves the tech scan, the audit and the contact scrape."""
    prospect = ProspectFactory(domain_name="contact-thill.lu")
    earlier = len(farm.hits("contact-thill.lu"))  # the farm serves the whole test session
    report = enrichment_full_run(prospect=prospect)
    assert all(step["status"] == "done" for step in report.values()), report
    home_hits = [hit for hit in farm.hits("contact-thill.lu")[earlier:] if hit[2] == "/"]
    assert home_hits == [("https", "contact-thill.lu", "/")]


def test_prospect_without_website_only_gets_a_score(farm):
    offline = OfflineProspectFactory(business_name="Garage Klein", address="2, Route d'Arlon")
    report = enrichment_full_run(prospect=offline)
    assert {step: item["status"] for step, item in report.items()} == {
        "http_check": "skipped",
        "tech_scan": "skipped",
        "performance": "skipped",
        "contacts": "skipped",
        "score": "done",
    }
    dead = ProspectFactory(domain_name="no-such-domain.lu")
    report = enrichment_full_run(prospect=dead)
    assert report["http_check"]["status"] == "done"
    assert [report[s]["status"] for s in ("tech_scan", "performance", "contacts")] == ["skipped"] * 3
    assert report["score"]["status"] == "done"
    assert Prospect.objects.get(pk=dead.pk).score.lead_type == "no_website"


def test_fresh_steps_are_skipped_unless_forced(farm):
    prospect = ProspectFactory(domain_name="fast-good.lu")
    enrichment_full_run(prospect=prospect)
    hits = len(farm.hits("fast-good.lu"))
    prospect.refresh_from_db()
    report = enrichment_full_run(prospect=prospect)
    assert {s: i["status"] for s, i in report.items() if s != "score"} == dict.fromkeys(
        ["http_check", "tech_scan", "performance", "contacts"], "skipped"
    )
    assert report["http_check"]["detail"] == "fresh"
    assert len(farm.hits("fast-good.lu")) == hits  # nothing fetched
    report = enrichment_full_run(prospect=prospect, force=True)
    assert all(item["status"] == "done" for item in report.values())
    assert len(farm.hits("fast-good.lu")) > hits


def test_stale_steps_run_again_after_the_freshness_window(farm, settings):
    prospect = ProspectFactory(domain_name="fast-good.lu")
    enrichment_full_run(prospect=prospect)
    settings.ENRICHMENT_FRESHNESS_DAYS = 0
    prospect.refresh_from_db()
    assert full_module.steps_to_run(prospect) == full_module.STEPS


def test_a_failing_step_is_recorded_and_later_steps_still_run(farm, monkeypatch):
    def broken(prospect, home_page=None, home_parsed=None):
        raise RuntimeError("audit service down")

    monkeypatch.setattr(full_module.performance_module, "performance_probe", broken)
    prospect = ProspectFactory(domain_name="contact-thill.lu")
    report = enrichment_full_run(prospect=prospect)
    assert report["performance"] == {"status": "failed", "detail": "audit service down"}
    assert report["contacts"]["status"] == "done"
    assert report["score"]["status"] == "done"


def test_api_single_step_endpoints(api_client, farm):
    prospect = ProspectFactory(domain_name="contact-thill.lu")
    body = api_client.post(BASE + f"enrichment/full/{prospect.pk}", {"force": True}).json()
    assert body["steps"]["score"]["status"] == "done"
    assert body["prospect"]["score"]["score"] > 0
    body = api_client.post(BASE + f"enrichment/performance/{prospect.pk}").json()
    assert body["result"]["audited"] and body["result"]["provider"] == "builtin"
    body = api_client.post(BASE + f"enrichment/contacts/{prospect.pk}").json()
    assert body["result"]["scraped"] and body["result"]["site_features"]["has_contact_form"]


@pytest.mark.parametrize(
    ("path", "job_type"), [("full", "full"), ("performance", "performance"), ("contacts", "contacts")]
)
def test_api_batches(api_client, farm, django_capture_on_commit_callbacks, sync_tasks, path, job_type):
    prospects = [
        ProspectFactory(domain_name=d, status="active", has_website=True) for d in ["fast-good.lu", "contact-thill.lu"]
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(BASE + f"enrichment/{path}/batch", {"prospect_ids": [p.pk for p in prospects]})
    assert response.status_code == 202
    job = ScanJob.objects.get(pk=response.json()["id"])
    assert (job.job_type, job.status, job.processed_items, job.failed_items) == (job_type, "completed", 2, 0), (
        job.params
    )


def test_enrich_command_full_with_force(farm):
    prospect = ProspectFactory(domain_name="fast-good.lu")
    out = io.StringIO()
    call_command("enrich", "full", "--ids", str(prospect.pk), "--no-progress", stdout=out)
    call_command("enrich", "full", "--ids", str(prospect.pk), "--force", "--no-progress", stdout=out)
    assert out.getvalue().count("completed: 1/1 processed, 0 failed") == 2


def test_prospect_page_has_a_full_enrichment_button_that_queues_a_job(admin_client_logged_in):
    prospect = ProspectFactory()
    url = reverse("admin:prospects_prospect_change", args=[prospect.pk])
    button = reverse("admin:prospects_prospect_full_enrichment", args=[prospect.pk])
    assert button in admin_client_logged_in.get(url).content.decode()
    response = admin_client_logged_in.post(button)
    assert response.status_code == 302 and response["Location"] == url
    job = ScanJob.objects.get()
    assert (job.job_type, job.params["prospect_ids"]) == ("full", [prospect.pk])
    assert admin_client_logged_in.get(button).status_code == 403


def test_quick_capture_offers_full_enrichment_when_a_website_was_given(admin_client_logged_in):
    response = admin_client_logged_in.post(
        "/admin/prospects/prospect/capture/",
        {"business_name": "Fleuriste Thill", "website": "contact-thill.lu", "interaction_type": "visit"},
    )
    prospect = Prospect.objects.get()
    html = response.content.decode()
    assert "Run full enrichment" in html
    assert reverse("admin:prospects_prospect_full_enrichment", args=[prospect.pk]) in html
    response = admin_client_logged_in.post(
        "/admin/prospects/prospect/capture/", {"business_name": "Garage Klein", "interaction_type": "visit"}
    )
    assert "Run full enrichment" not in response.content.decode()
