"""The status pipeline: seed 002's flow, overrides with a reason, and the activity log of every change."""

import pytest
from django.urls import reverse

from prospecting.core.models import ActivityLog
from prospecting.prospects.models import Conversion, Prospect
from prospecting.prospects.services import (
    StatusTransitionError,
    prospect_convert,
    prospect_status_change,
    prospects_mark_contacted,
)
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db
S = Prospect.Status
URL = "/api/admin/prospecting/prospects"

VALID = [
    (S.PENDING, S.ACTIVE),
    (S.PENDING, S.PARKED),
    (S.PENDING, S.ERROR),
    (S.ACTIVE, S.PARKED),
    (S.ERROR, S.ACTIVE),
    (S.PENDING, S.CONTACTED),
    (S.ACTIVE, S.CONTACTED),
    (S.PARKED, S.CONTACTED),
    (S.ERROR, S.CONTACTED),
    (S.CONTACTED, S.CONVERTED),
    (S.CONTACTED, S.INACTIVE),
]
INVALID = [
    (S.PENDING, S.CONVERTED),
    (S.ACTIVE, S.INACTIVE),
    (S.CONTACTED, S.ACTIVE),
    (S.CONTACTED, S.PENDING),
    (S.CONVERTED, S.CONTACTED),
    (S.INACTIVE, S.CONTACTED),
    (S.CONVERTED, S.INACTIVE),
    (S.PARKED, S.PENDING),
]


def _changes(prospect):
    return ActivityLog.objects.filter(prospect_id=prospect.pk, action="status_changed")


@pytest.mark.parametrize(("old", "new"), VALID)
def test_a_transition_of_the_flow_changes_the_status_and_logs_old_new_who_and_why(staff_user, old, new):
    prospect = ProspectFactory(status=old)
    assert prospect_status_change(prospect=prospect, status=new, user=staff_user, reason="called the owner")
    prospect.refresh_from_db()
    assert prospect.status == new
    entry = _changes(prospect).get()
    assert entry.actor == staff_user
    assert entry.metadata == {"old": old, "new": new, "reason": "called the owner", "override": False}


@pytest.mark.parametrize(("old", "new"), INVALID)
def test_a_transition_outside_the_flow_is_refused_and_nothing_changes(staff_user, old, new):
    prospect = ProspectFactory(status=old)
    with pytest.raises(StatusTransitionError) as error:
        prospect_status_change(prospect=prospect, status=new, user=staff_user)
    assert "cannot become" in error.value.message_dict["status"][0]
    prospect.refresh_from_db()
    assert prospect.status == old
    assert not _changes(prospect).exists()


@pytest.mark.parametrize(("old", "new"), INVALID)
def test_an_override_with_a_reason_passes_and_is_logged_as_an_override(staff_user, old, new):
    prospect = ProspectFactory(status=old)
    prospect_status_change(prospect=prospect, status=new, user=staff_user, override=True, reason="Customer came back")
    prospect.refresh_from_db()
    assert prospect.status == new
    assert _changes(prospect).get().metadata["override"] is True


def test_an_override_without_a_reason_is_refused(staff_user):
    prospect = ProspectFactory(status=S.CONVERTED)
    with pytest.raises(StatusTransitionError, match="needs a reason"):
        prospect_status_change(prospect=prospect, status=S.PENDING, user=staff_user, override=True, reason="  ")
    prospect.refresh_from_db()
    assert prospect.status == S.CONVERTED


def test_the_check_reads_the_database_not_a_stale_copy(staff_user):
    prospect = ProspectFactory(status=S.CONTACTED)
    stale = Prospect.objects.get(pk=prospect.pk)
    prospect_status_change(prospect=prospect, status=S.INACTIVE, user=staff_user)
    with pytest.raises(StatusTransitionError):
        prospect_status_change(prospect=stale, status=S.CONVERTED, user=staff_user)  # stale copy says contacted


def test_contacted_records_the_first_contact_time_once(staff_user):
    prospect = ProspectFactory(status=S.ACTIVE)
    prospect_status_change(prospect=prospect, status=S.CONTACTED, user=staff_user)
    prospect.refresh_from_db()
    first = prospect.contacted_at
    assert first is not None
    prospect_status_change(prospect=prospect, status=S.INACTIVE, user=staff_user)
    prospect_status_change(prospect=prospect, status=S.CONTACTED, user=staff_user, override=True, reason="retry")
    prospect.refresh_from_db()
    assert prospect.contacted_at == first


def test_mark_contacted_moves_live_prospects_only_and_logs_each(staff_user):
    live = [ProspectFactory(status=status) for status in (S.PENDING, S.ACTIVE, S.PARKED, S.ERROR)]
    closed = [ProspectFactory(status=status) for status in (S.CONTACTED, S.CONVERTED, S.INACTIVE)]
    changed = prospects_mark_contacted(
        prospect_ids=[p.pk for p in [*live, *closed]], user=staff_user, reason="E-mail sent"
    )
    assert changed == 4
    assert set(Prospect.objects.filter(status=S.CONTACTED).values_list("pk", flat=True)) == {
        *(p.pk for p in live),
        closed[0].pk,
    }
    assert Prospect.objects.get(pk=closed[1].pk).status == S.CONVERTED
    entries = ActivityLog.objects.filter(action="status_changed")
    assert entries.count() == 4
    assert {e.metadata["reason"] for e in entries} == {"E-mail sent"}
    assert all(e.actor == staff_user for e in entries)
    assert prospects_mark_contacted(prospect_ids=[p.pk for p in live], user=staff_user, reason="again") == 0


def test_converting_records_plan_revenue_and_days_to_convert(staff_user):
    prospect = ProspectFactory(status=S.ACTIVE, source="domain_scan")
    prospect_status_change(prospect=prospect, status=S.CONTACTED, user=staff_user)
    conversion = prospect_convert(prospect=prospect, user=staff_user, plan="business", mrr=49, lifetime_value=1764)
    assert (conversion.plan, conversion.mrr, conversion.attributed_source) == ("business", 49, "domain_scan")
    assert conversion.days_to_convert == 0
    assert conversion.first_contact_at is not None
    assert Prospect.objects.get(pk=prospect.pk).status == S.CONVERTED


def test_converting_a_pending_prospect_needs_an_override(staff_user):
    prospect = ProspectFactory(status=S.PENDING)
    with pytest.raises(StatusTransitionError):
        prospect_convert(prospect=prospect, user=staff_user, plan="basic", mrr=19)
    assert not Conversion.objects.exists()


def test_undoing_a_conversion_by_override_removes_it_from_the_report(staff_user):
    prospect = ProspectFactory(status=S.CONTACTED)
    prospect_convert(prospect=prospect, user=staff_user, plan="basic", mrr=19)
    prospect_status_change(prospect=prospect, status=S.CONTACTED, user=staff_user, override=True, reason="cancelled")
    assert not Conversion.objects.exists()


# --- API and admin -------------------------------------------------------------------------------------------


def test_api_refuses_an_invalid_transition_with_a_clear_400(api_client):
    prospect = ProspectFactory(status=S.PENDING)
    response = api_client.patch(f"{URL}/{prospect.pk}", {"status": "converted"}, format="json")
    assert response.status_code == 400
    assert "cannot become converted" in response.json()["status"][0]
    prospect.refresh_from_db()
    assert prospect.status == S.PENDING


def test_api_invalid_transition_keeps_the_other_fields_unchanged(api_client):
    prospect = ProspectFactory(status=S.PENDING, city="Remich")
    response = api_client.patch(f"{URL}/{prospect.pk}", {"status": "inactive", "city": "Wiltz"}, format="json")
    assert response.status_code == 400
    prospect.refresh_from_db()
    assert (prospect.status, prospect.city) == (S.PENDING, "Remich")


def test_api_override_with_reason_changes_the_status(api_client, staff_user):
    prospect = ProspectFactory(status=S.INACTIVE)
    body = {"status": "contacted", "status_override": True, "status_reason": "Asked to be called back"}
    response = api_client.patch(f"{URL}/{prospect.pk}", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "contacted"
    entry = _changes(prospect).get()
    assert (entry.metadata["reason"], entry.metadata["override"], entry.actor) == (
        "Asked to be called back",
        True,
        staff_user,
    )


def test_api_override_without_reason_is_a_400(api_client):
    prospect = ProspectFactory(status=S.INACTIVE)
    response = api_client.patch(f"{URL}/{prospect.pk}", {"status": "contacted", "status_override": True}, format="json")
    assert response.status_code == 400
    assert "needs a reason" in response.json()["status"][0]


def _admin_post(client, prospect, **changes):
    url = reverse("admin:prospects_prospect_change", args=[prospect.pk])
    data = {
        "channel": prospect.channel,
        "business_name": prospect.business_name,
        "domain_name": prospect.domain_name,
        "status": prospect.status,
        "country": "LU",
        "tags": "[]",
        **{f"{prefix}-TOTAL_FORMS": "0" for prefix in ("contacts", "interactions")},
        **{f"{prefix}-INITIAL_FORMS": "0" for prefix in ("contacts", "interactions")},
        **changes,
    }
    for prefix in ("score", "tech_profile", "performance_profile"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return client.post(url, data)


def test_admin_shows_a_form_error_for_an_invalid_transition(admin_client_logged_in):
    prospect = ProspectFactory(status=S.PENDING)
    response = _admin_post(admin_client_logged_in, prospect, status="converted")
    assert response.status_code == 200
    assert "cannot become converted" in response.content.decode()
    prospect.refresh_from_db()
    assert prospect.status == S.PENDING


def test_admin_override_with_reason_saves_and_logs(admin_client_logged_in):
    prospect = ProspectFactory(status=S.PENDING)
    response = _admin_post(
        admin_client_logged_in, prospect, status="converted", status_override="on", status_reason="Signed at fair"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    prospect.refresh_from_db()
    assert prospect.status == S.CONVERTED
    assert _changes(prospect).get().metadata["reason"] == "Signed at fair"
    assert Conversion.objects.filter(prospect=prospect).exists()


def test_the_http_check_moves_live_statuses_only_and_logs_why():
    from prospecting.enrichment.services.http_check import HttpCheckOutcome, http_check_store_many

    pending, contacted = ProspectFactory(status=S.PENDING), ProspectFactory(status=S.CONTACTED)
    outcome = HttpCheckOutcome(has_website=True, uses_https=True, status=S.ACTIVE, http_status_code=200)
    http_check_store_many(results=[(pending, outcome), (contacted, outcome)])
    assert Prospect.objects.get(pk=pending.pk).status == S.ACTIVE
    assert Prospect.objects.get(pk=contacted.pk).status == S.CONTACTED
    entry = _changes(pending).get()
    assert entry.metadata == {"old": "pending", "new": "active", "reason": "HTTP check", "override": False}
    assert not _changes(contacted).exists()


def test_admin_conversion_of_a_pending_prospect_is_a_form_error_and_of_a_contacted_one_converts(
    admin_client_logged_in,
):
    pending, contacted = ProspectFactory(status=S.PENDING), ProspectFactory(status=S.CONTACTED, source="street")
    url = reverse("admin:prospects_conversion_add")
    body = {"plan": "basic", "mrr": "19", "converted_at": "2026-11-02", "attributed_source": ""}
    response = admin_client_logged_in.post(url, {**body, "prospect": pending.pk})
    assert response.status_code == 200 and "cannot become converted" in response.content.decode()
    assert not Conversion.objects.exists()
    response = admin_client_logged_in.post(url, {**body, "prospect": contacted.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    conversion = Conversion.objects.get()
    assert (conversion.plan, conversion.attributed_source) == ("basic", "street")
    assert Prospect.objects.get(pk=contacted.pk).status == S.CONVERTED
