"""HTTP check against every kind of site on the farm."""

import pytest

from prospecting.enrichment.models import TechProfile
from prospecting.enrichment.services import http_check_run
from prospecting.prospects.models import Prospect
from tests.factories import OfflineProspectFactory, ProspectFactory
from tests.farm import SITES

pytestmark = pytest.mark.django_db

CHECKED = {host: site.expected for host, site in SITES.items() if "status" in site.expected}


@pytest.mark.parametrize("host", sorted(CHECKED))
def test_http_check_on_farm_site(farm, host):
    expected = CHECKED[host]
    prospect = ProspectFactory(domain_name=host)
    outcome = http_check_run(prospect=prospect)
    prospect.refresh_from_db()
    assert prospect.status == expected["status"], outcome
    if outcome.result == "could_not_check":  # not a check: nothing learned, to be retried
        assert prospect.last_http_check_at is None
        assert prospect.has_website is None
        assert outcome.retry_at
    else:
        assert prospect.last_http_check_at is not None
    if "error" in expected:
        assert outcome.error_class == expected["error"]
    if "https" in expected:
        assert prospect.uses_https is expected["https"]
    if "http_status" in expected:
        assert prospect.http_status_code == expected["http_status"]
    if "final_host" in expected:
        assert f"//{expected['final_host']}/" in prospect.redirect_url
    if "certificate_valid" in expected:
        assert outcome.certificate_valid is expected["certificate_valid"]
    if "certificate_problem" in expected:
        profile = TechProfile.objects.get(prospect=prospect)
        assert profile.certificate_valid is False
        assert expected["certificate_problem"] in profile.certificate_problem
        assert expected["certificate_problem"] in outcome.message
    if expected["status"] == "active":
        assert prospect.has_website is True
    if expected["status"] == "parked":
        assert prospect.has_website is False
    details = TechProfile.objects.get(prospect=prospect).tech_stack_json["http_check"]
    assert details["status"] == expected["status"]
    assert details["attempts"]


def test_https_site_records_certificate_issuer_and_expiry(farm):
    prospect = ProspectFactory(domain_name="wordpress-weber.lu")
    http_check_run(prospect=prospect)
    details = TechProfile.objects.get(prospect=prospect).tech_stack_json["http_check"]
    assert details["certificate_valid"] is True
    assert details["certificate"]["issuer"] == "Let's Encrypt"
    assert details["certificate"]["not_after"]
    assert details["response_ms"] is not None


def test_http_to_https_redirect_is_followed(farm):
    prospect = ProspectFactory(domain_name="http-only-to-https.lu")
    http_check_run(prospect=prospect)
    prospect.refresh_from_db()
    assert (prospect.uses_https, prospect.redirect_url) == (True, "https://http-only-to-https.lu/")


@pytest.mark.parametrize("status", ["contacted", "converted", "inactive"])
def test_status_never_regresses_sales_decisions(farm, status):
    prospect = ProspectFactory(domain_name="server-error.lu", status=status)
    http_check_run(prospect=prospect)
    prospect.refresh_from_db()
    assert prospect.status == status
    assert prospect.http_status_code == 500


def test_status_moves_from_error_to_active_when_the_site_recovers(farm):
    prospect = ProspectFactory(domain_name="static-lentz.lu", status="error")
    http_check_run(prospect=prospect)
    prospect.refresh_from_db()
    assert prospect.status == "active"


def test_prospect_without_domain_is_left_alone(farm):
    prospect = OfflineProspectFactory(status="pending")
    outcome = http_check_run(prospect=prospect)
    assert outcome.error_class == "no_domain"
    assert Prospect.objects.get(pk=prospect.pk).status == "pending"
