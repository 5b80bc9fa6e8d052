"""Failures told honestly (issue 15): "no website" is not "could not check", a resolver outage pauses a batch,
a job reports what it found, and a broken certificate is a finding."""

import pytest

from prospecting.core.fetch import RESOLVER_FAILURE, resolver_overrides
from prospecting.core.jobs import job_resume
from prospecting.core.models import ScanJob
from prospecting.enrichment.models import TechProfile
from prospecting.enrichment.services import enrichment_full_run, http_check_run
from prospecting.enrichment.services.batch import enrichment_batch_start
from prospecting.prospects.models import Prospect
from prospecting.scoring.models import ProspectScore
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"
RESOLVER_DOWN = {"*:80": RESOLVER_FAILURE, "*:443": RESOLVER_FAILURE}


def check(domain):
    prospect = ProspectFactory(domain_name=domain)
    outcome = http_check_run(prospect=prospect)
    prospect.refresh_from_db()
    return prospect, outcome, TechProfile.objects.get(prospect=prospect)


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("slow-site.lu", "timed out after 1 s"),
        ("reset-site.lu", "reset-site.lu closed the connection without answering"),
    ],
)
def test_a_site_that_cannot_be_reached_now_is_could_not_check_with_words_and_a_retry_time(farm, domain, message):
    prospect, outcome, profile = check(domain)
    assert (outcome.result, profile.check_result) == ("could_not_check", "could_not_check")
    assert profile.check_message == message
    assert profile.check_retry_at is not None and profile.check_retry_at > prospect.updated_at
    assert prospect.has_website is None  # nothing was learned about the site
    assert prospect.last_http_check_at is None  # not a check: the next batch tries again


def test_a_name_without_address_is_no_website(farm):
    prospect, outcome, profile = check("no-such-domain.lu")
    assert outcome.result == "no_website"
    assert profile.check_message == "no-such-domain.lu does not resolve (no address for this name)"
    assert profile.check_retry_at is None
    assert (prospect.has_website, prospect.last_http_check_at is not None) == (False, True)


def test_a_failing_resolver_is_could_not_check_not_no_website(farm):
    with resolver_overrides(RESOLVER_DOWN):
        _prospect, outcome, profile = check("wordpress-weber.lu")
    assert outcome.result == "could_not_check"
    assert outcome.error_class == "resolver"
    assert profile.check_message == "the DNS lookup of wordpress-weber.lu failed (the resolver did not answer)"


def test_could_not_check_keeps_what_an_earlier_check_learned(farm):
    prospect = ProspectFactory(domain_name="slow-site.lu", status="active", has_website=True, uses_https=True)
    http_check_run(prospect=prospect)
    prospect.refresh_from_db()
    assert (prospect.status, prospect.has_website, prospect.uses_https) == ("active", True, True)


def test_no_website_points_only_for_a_name_without_address(farm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        nowhere = check("no-such-domain.lu")[0]
        timed_out = check("slow-site.lu")[0]
        resolver_down = ProspectFactory(domain_name="drupal-mersch.lu")
        with resolver_overrides(RESOLVER_DOWN):
            http_check_run(prospect=resolver_down)
    assert "no_website" in ProspectScore.objects.get(prospect=nowhere).reason_flags
    assert "no_website" not in ProspectScore.objects.get(prospect=timed_out).reason_flags
    assert "no_website" not in ProspectScore.objects.get(prospect=resolver_down).reason_flags


def test_prospect_api_says_what_happened(api_client, farm):
    prospect, _, _ = check("slow-site.lu")
    body = api_client.get(f"{BASE}prospects/{prospect.pk}").json()
    assert body["tech_profile"]["check_result"] == "could_not_check"
    assert body["tech_profile"]["check_message"] == "timed out after 1 s"
    assert body["tech_profile"]["check_retry_at"]


def test_prospect_page_says_what_happened(admin_client_logged_in, farm):
    prospect, _, _ = check("reset-site.lu")
    page = admin_client_logged_in.get(f"/admin/prospects/prospect/{prospect.pk}/change/").content.decode()
    assert "Could not check" in page
    assert "reset-site.lu closed the connection without answering" in page


# --- batches ----------------------------------------------------------------------------------------------------


def test_batch_records_its_outcome_counts(api_client, farm):
    domains = ["wordpress-weber.lu", "static-lentz.lu", "parked-domain.lu", "no-such-domain.lu", "reset-site.lu"]
    domains += ["not-found.lu"]
    ids = [ProspectFactory(domain_name=domain).pk for domain in domains]
    job = enrichment_batch_start(job_type="http_check", prospect_ids=ids, foreground=True)
    assert job.status == "completed"
    expected = {"active": 2, "parked": 1, "no_website": 1, "could_not_check": 1, "error": 1}
    assert job.params["outcomes"] == expected
    assert api_client.get(f"{BASE}stats/jobs/{job.pk}").json()["params"]["outcomes"] == expected


def test_full_batch_counts_failed_steps(farm, monkeypatch):
    from prospecting.enrichment.services import contacts

    def broken(*args, **kwargs):
        raise RuntimeError("contact pages unreadable")

    monkeypatch.setattr(contacts, "contacts_probe", broken)
    ids = [ProspectFactory(domain_name=d).pk for d in ["static-lentz.lu", "slow-site.lu"]]
    job = enrichment_batch_start(job_type="full", prospect_ids=ids, foreground=True)
    outcomes = ScanJob.objects.get(pk=job.pk).params["outcomes"]
    assert outcomes["active"] == 1
    assert outcomes["could_not_check"] == 1
    assert outcomes["failed_steps"] == {"contacts": 1}


@pytest.fixture
def twelve_prospects(farm):
    domains = [
        "wordpress-weber.lu",
        "drupal-mersch.lu",
        "joomla-hoffmann.lu",
        "wix-klein.lu",
        "static-lentz.lu",
        "static-apache.lu",
        "shop-majerus.lu",
        "vue-thill.lu",
        "react-reuter.lu",
        "gzip-site.lu",
        "latin1-cafe.lu",
        "new-home.lu",
    ]
    return [ProspectFactory(domain_name=domain) for domain in domains]


def test_resolver_outage_pauses_the_job_and_leaves_prospects_untouched(farm, settings, twelve_prospects):
    settings.ENRICHMENT_RESOLVER_CANARIES = ["canary-one.lu", "canary-two.lu"]
    ids = [p.pk for p in twelve_prospects]
    with resolver_overrides(RESOLVER_DOWN):
        job = enrichment_batch_start(job_type="http_check", prospect_ids=ids, foreground=True)
    assert job.status == "paused"
    assert "DNS resolver looks down" in job.error
    assert "12 of 12 names" in job.error
    assert "canary-one.lu, canary-two.lu" in job.error
    assert job.processed_items == 0
    untouched = Prospect.objects.filter(pk__in=ids)
    assert set(untouched.values_list("status", flat=True)) == {"pending"}
    assert not untouched.filter(last_http_check_at__isnull=False).exists()
    assert not TechProfile.objects.filter(prospect_id__in=ids).exists()

    # DNS works again: resuming the job checks every prospect.
    assert job_resume(job=job, foreground=True)
    job.refresh_from_db()
    assert (job.status, job.processed_items) == ("completed", 12)
    assert job.params["outcomes"] == {"active": 12}


def test_paused_job_is_not_resumed_by_the_watchdog(farm, settings, twelve_prospects):
    from prospecting.core.jobs import jobs_watchdog

    settings.ENRICHMENT_RESOLVER_CANARIES = ["canary-one.lu"]
    with resolver_overrides(RESOLVER_DOWN):
        job = enrichment_batch_start(
            job_type="http_check", prospect_ids=[p.pk for p in twelve_prospects], foreground=True
        )
    ScanJob.objects.filter(pk=job.pk).update(task_id="queued-once")
    assert job.pk not in jobs_watchdog()["resumed"]
    assert ScanJob.objects.get(pk=job.pk).status == "paused"


def test_many_names_without_address_but_a_working_resolver_do_not_pause(farm, settings, twelve_prospects):
    settings.ENRICHMENT_RESOLVER_CANARIES = ["canary-one.lu"]  # resolves (to the farm)
    gone = {f"{p.domain_name}:{port}": None for p in twelve_prospects for port in (80, 443)}
    gone.update({f"www.{p.domain_name}:{port}": None for p in twelve_prospects for port in (80, 443)})
    with resolver_overrides(gone):
        job = enrichment_batch_start(
            job_type="http_check", prospect_ids=[p.pk for p in twelve_prospects], foreground=True
        )
    assert job.status == "completed"
    assert job.params["outcomes"] == {"no_website": 12}


# --- broken certificates ------------------------------------------------------------------------------------------


def test_untrusted_certificate_on_a_redirect_target_is_a_finding(farm):
    prospect, _outcome, profile = check("hop-to-untrusted.lu")
    assert (prospect.status, prospect.has_website, prospect.uses_https) == ("active", True, True)
    assert prospect.redirect_url == "https://www.untrusted-target.lu/"
    details = profile.tech_stack_json["http_check"]
    assert details["redirect_chain"] == ["https://hop-to-untrusted.lu/", "https://www.untrusted-target.lu/"]
    problem = details["certificate_problem"]
    assert problem["url"] == "https://www.untrusted-target.lu/"
    assert problem["issuer"] == "Untrusted Self-Signed"
    assert "www.untrusted-target.lu" in problem["names"]
    assert problem["not_after"] and problem["expired"] is False
    assert "unable to get local issuer certificate" in problem["error"]
    assert profile.certificate_valid is False
    assert profile.certificate_problem == (
        "the certificate of www.untrusted-target.lu is issued by an untrusted authority (Untrusted Self-Signed)"
    )


def test_expired_certificate_names_its_expiry_day(farm):
    _, outcome, profile = check("expired-cert.lu")
    day = outcome.certificate_problem["not_after"][:10]
    assert profile.certificate_problem == f"the certificate of expired-cert.lu expired on {day}"
    assert "browsers show a security warning" in profile.check_message


def test_later_steps_run_on_the_page_behind_a_broken_certificate(farm, django_capture_on_commit_callbacks):
    prospect = ProspectFactory(domain_name="hop-to-untrusted.lu")
    with django_capture_on_commit_callbacks(execute=True):
        report = enrichment_full_run(prospect=prospect)
    assert report["tech_scan"]["status"] == "done", report
    assert TechProfile.objects.get(prospect=prospect).cms == "WordPress"
    score = ProspectScore.objects.get(prospect=prospect)
    assert "certificate_invalid" in score.reason_flags
    assert "no_website" not in score.reason_flags


def test_tech_scan_alone_reads_a_page_behind_a_broken_certificate(farm):
    from prospecting.enrichment.services import tech_scan_run

    prospect, _, _ = check("hop-to-untrusted.lu")
    outcome = tech_scan_run(prospect=prospect)
    assert outcome.scanned, outcome.reason
    assert outcome.fields["cms"] == "WordPress"


def test_campaign_issues_placeholder_names_the_security_warning():
    from prospecting.outreach.labels import issues_text

    breakdown = {"certificate_invalid": {"points": 15}, "no_analytics": {"points": 5}}
    assert issues_text(breakdown, "en").startswith("your website shows a security warning (invalid certificate)")
    assert "avertissement de sécurité" in issues_text(breakdown, "fr")
