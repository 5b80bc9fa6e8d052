"""Possible duplicates (registrable domain via the bundled public suffix list, phone, e-mail, name and postal
code) and the merge (admin and API) that moves everything onto the prospect kept."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from prospecting.core.models import ActivityLog
from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect, ProspectContact
from prospecting.prospects.services import prospect_update
from prospecting.workspace.duplicates import duplicate_groups, prospect_duplicates, prospects_merge, registrable_domain
from tests.factories import (
    CampaignSendFactory,
    InteractionFactory,
    OfflineProspectFactory,
    ProspectContactFactory,
    ProspectFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"


def test_registrable_domain_uses_the_public_suffix_list_offline(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("tldextract must not fetch the suffix list")

    monkeypatch.setattr(socket, "create_connection", no_network)
    assert registrable_domain("shop.example.lu") == "example.lu"
    assert registrable_domain("www.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain("example.lu") == "example.lu"


def test_duplicates_by_domain_phone_email_and_name():
    main = ProspectFactory(domain_name="example.lu", business_name="Example", postal_code="L-1111")
    shop = ProspectFactory(domain_name="shop.example.lu", business_name="Shop")
    offline = OfflineProspectFactory(business_name="EXAMPLE", postal_code="L-1111")
    phone_twin = ProspectFactory(business_name="Other")
    ProspectContactFactory(prospect=main, contact_type="phone", value="+352621000111")
    ProspectContactFactory(prospect=phone_twin, contact_type="phone", value="+352621000111")
    ProspectFactory(domain_name="unrelated.lu")
    found = {group.reason: {p.pk for p in group.prospects} for group in prospect_duplicates(prospect=main)}
    assert found == {"domain": {shop.pk}, "phone": {phone_twin.pk}, "name": {offline.pk}}
    groups = {(group.reason, frozenset(p.pk for p in group.prospects)) for group in duplicate_groups()}
    assert ("domain", frozenset({main.pk, shop.pk})) in groups
    assert ("phone", frozenset({main.pk, phone_twin.pk})) in groups
    assert ("name", frozenset({main.pk, offline.pk})) in groups


def test_merge_moves_contacts_interactions_sends_and_activity_and_records_it(staff_user):
    keep = OfflineProspectFactory(business_name="Boulangerie Weber", city="")
    other = ProspectFactory(domain_name="weber.lu", business_name="Weber", city="Wiltz", tags=["bakery"])
    ProspectContactFactory(prospect=keep, contact_type="email", value="info@weber.lu", is_primary=True)
    ProspectContactFactory(prospect=other, contact_type="email", value="info@weber.lu")
    ProspectContactFactory(prospect=other, contact_type="email", value="shop@weber.lu", is_primary=True)
    due = timezone.localdate() + datetime.timedelta(days=3)
    task = InteractionFactory(prospect=other, next_action_date=due)
    send = CampaignSendFactory(prospect=other)
    prospect_update(prospect=other, data={"city": "Clervaux"}, user=staff_user)

    prospects_merge(keep=keep, others=[other], user=staff_user)

    keep.refresh_from_db()
    assert not Prospect.objects.filter(pk=other.pk).exists()
    assert (keep.domain_name, keep.city, keep.tags) == ("weber.lu", "Clervaux", ["bakery"])
    emails = set(ProspectContact.objects.filter(prospect=keep).values_list("value", "is_primary"))
    assert emails == {("info@weber.lu", True), ("shop@weber.lu", False)}
    assert Interaction.objects.get(pk=task.pk).prospect_id == keep.pk
    assert keep.next_follow_up_at == due
    send.refresh_from_db()
    assert send.prospect_id == keep.pk
    assert ActivityLog.objects.filter(prospect_id=keep.pk, action="updated").exists()  # the other's history
    merged = ActivityLog.objects.get(action="merged")
    assert merged.metadata["merged"][0]["id"] == other.pk


def test_merge_api_and_its_refusals(api_client):
    keep, other = ProspectFactory(), ProspectFactory()
    url = f"{BASE}prospects/{keep.pk}/merge"
    assert api_client.post(url, {"prospect_ids": [keep.pk]}, format="json").status_code == 400
    assert api_client.post(url, {"prospect_ids": [999999]}, format="json").status_code == 400
    response = api_client.post(url, {"prospect_ids": [other.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert not Prospect.objects.filter(pk=other.pk).exists()
    dupes = api_client.get(f"{BASE}prospects/{keep.pk}/duplicates")
    assert dupes.status_code == 200 and dupes.json() == []
    assert api_client.get(f"{BASE}prospects/duplicates").status_code == 200


def test_admin_duplicates_page_merges_a_group(admin_client_logged_in):
    main = ProspectFactory(domain_name="example.lu")
    shop = ProspectFactory(domain_name="shop.example.lu")
    html = admin_client_logged_in.get(reverse("admin:prospects_prospect_duplicates")).content.decode()
    assert "shop.example.lu" in html
    response = admin_client_logged_in.post(
        reverse("admin:prospects_prospect_merge"), {"keep": main.pk, "merge": [shop.pk]}
    )
    assert response.status_code == 302
    assert list(Prospect.objects.values_list("pk", flat=True)) == [main.pk]
    page = admin_client_logged_in.get(reverse("admin:prospects_prospect_change", args=[main.pk])).content.decode()
    assert "Merged" in page
