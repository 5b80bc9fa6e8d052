"""A suppressed value never comes back: import, discovery, contact scrape, e-mail finder and typing it in all
skip it and count it."""

import pytest
from django.core.exceptions import ValidationError

from prospecting.core.suppression import suppression_add
from prospecting.discovery import services as discovery
from prospecting.discovery.models import DiscoverySource, RawRecord
from prospecting.discovery.sources.base import Search
from prospecting.enrichment.services import http_check_run
from prospecting.enrichment.services.contacts import contacts_run
from prospecting.prospects import services
from prospecting.prospects.models import ImportRow, Prospect, ProspectContact
from tests.discovery.fake_services import fake_server
from tests.discovery.test_discovery import OVERPASS
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


def run_import(tmp_path, content):
    path = tmp_path / "leads.csv"
    path.write_text(content, encoding="utf-8")
    batch = services.import_batch_create(path=path, name="leads.csv", mode="update")
    services.import_batch_run(batch=batch)
    batch.refresh_from_db()
    return batch


def test_a_reimport_skips_a_suppressed_domain_and_leaves_out_a_suppressed_email_and_its_name(tmp_path):
    suppression_add(kind="domain", value="weber.lu", reason="erased")
    suppression_add(kind="email", value="marie@bakery.lu", reason="erased")
    suppression_add(kind="phone", value="+352 621 000 111", reason="objection")
    content = (
        "domain,business_name,email,phone,contact_name\n"
        "shop.weber.lu,Weber,paul@weber.lu,,Paul Weber\n"
        "bakery.lu,Bakery,MARIE@bakery.lu,621 000 111,Marie Muller\n"
        "fresh.lu,Fresh,anne@fresh.lu,,Anne\n"
    )
    batch = run_import(tmp_path, content)
    assert (batch.created_count, batch.suppressed_count, batch.failed_count) == (2, 2, 0)
    assert set(Prospect.objects.values_list("domain_name", flat=True)) == {"bakery.lu", "fresh.lu"}
    assert not ProspectContact.objects.filter(prospect__domain_name="bakery.lu").exists()
    rows = {row.line_number: row for row in ImportRow.objects.all()}
    assert (rows[2].outcome, rows[2].raw_payload) == ("suppressed", {})
    assert rows[3].outcome == "created" and "suppression list" in rows[3].error
    kept = str(rows[3].raw_payload)
    assert "marie" not in kept.lower() and "621 000 111" not in kept and "Marie Muller" not in kept
    assert "Bakery" in kept
    assert ProspectContact.objects.get(value="anne@fresh.lu").source_detail == f"import batch {batch.pk}, line 4"


def test_discovery_does_not_keep_a_listing_of_a_suppressed_domain_and_blanks_a_suppressed_email(settings):
    suppression_add(kind="domain", value="boulangerie-thill.lu", reason="erased")
    suppression_add(kind="email", value="info@kremer.lu", reason="objection")
    osm = DiscoverySource.objects.create(name="OSM", slug="osm", kind="osm")
    with fake_server() as server:
        server.json_route("POST", "/api/interpreter", OVERPASS)
        settings.DISCOVERY_OVERPASS_URL = server.url + "/api/interpreter"
        job = discovery.discovery_start(source=osm, search=Search(query="boulangerie"), foreground=True)
    assert job.params["outcomes"]["suppressed"] == 2 and job.params["suppressed"] == 2
    assert not Prospect.objects.filter(domain_name="boulangerie-thill.lu").exists()
    assert "thill" not in str(list(RawRecord.objects.values_list("payload", "fields"))).lower()
    kremer = RawRecord.objects.get(name="Bäckerei Kremer")
    assert kremer.payload["tags"]["contact:email"] == "[suppressed]" and kremer.fields["email"] == "[suppressed]"
    assert not ProspectContact.objects.filter(value__icontains="kremer.lu").exists()
    assert ProspectContact.objects.filter(contact_type="phone", value="+352 95 98 76").exists()


def test_a_rescrape_leaves_out_suppressed_emails_and_phones_and_counts_them(farm):
    suppression_add(kind="email", value="marie@contact-thill.lu", reason="erased")
    suppression_add(kind="phone", value="+352 621 123 456", reason="erased")
    prospect = ProspectFactory(domain_name="contact-thill.lu")
    http_check_run(prospect=prospect)
    outcome = contacts_run(prospect=prospect)
    assert outcome.scraped and outcome.suppressed == 2
    values = set(prospect.contacts.values_list("value", flat=True))
    assert "marie@contact-thill.lu" not in values and "+352621123456" not in values
    assert "info@contact-thill.lu" in values
    assert prospect.contacts.get(value="info@contact-thill.lu").source == "scrape"


def test_a_person_cannot_type_a_suppressed_address_back_in():
    suppression_add(kind="email", value="gone@example.lu", reason="erased")
    prospect = ProspectFactory()
    with pytest.raises(ValidationError, match="suppression list"):
        services.contact_create(prospect=prospect, data={"contact_type": "email", "value": "Gone@Example.lu"})
    contact = services.contact_create(prospect=prospect, data={"contact_type": "email", "value": "ok@example.lu"})
    assert contact.source == "manual"


def test_sales_records_an_objection_through_the_api_and_it_is_listed_but_not_removable():
    from django.contrib.auth.models import Group
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    sales = UserFactory(is_staff=True)
    sales.groups.add(Group.objects.get(name="Sales"))
    client = APIClient()
    client.force_authenticate(sales)
    url = "/api/admin/prospecting/privacy/suppression"
    response = client.post(url, {"kind": "phone", "value": "621 12 34 56", "note": "asked on a call"}, format="json")
    assert response.status_code == 201
    assert (response.json()["value"], response.json()["reason"]) == ("+352621123456", "objection")
    assert client.post(url, {"kind": "email", "value": "nope"}, format="json").status_code == 400
    assert client.post(url, {"kind": "fax", "value": "1"}, format="json").status_code == 400
    listed = client.get(url, {"reason": "objection"}).json()["results"]
    assert [entry["value"] for entry in listed] == ["+352621123456"]
    assert not sales.has_perm("core.delete_suppression")
