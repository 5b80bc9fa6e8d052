"""Lead discovery against fake endpoints on 127.0.0.1 that answer with each provider's documented shapes."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from prospecting.core.jobs import job_resume
from prospecting.core.models import ScanJob
from prospecting.discovery import services
from prospecting.discovery.models import DiscoverySource, ProviderUsage, RawRecord
from prospecting.discovery.selectors import source_performance
from prospecting.discovery.sources.base import Search
from prospecting.prospects.models import Prospect, ProspectContact
from tests.discovery.fake_services import fake_server
from tests.factories import OfflineProspectFactory, ProspectFactory

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"

OVERPASS = {
    "version": 0.6,
    "generator": "Overpass API 0.7.62",
    "osm3s": {"copyright": "The data included in this document is from www.openstreetmap.org. ODbL 1.0."},
    "elements": [
        {
            "type": "node",
            "id": 1001,
            "lat": 49.95,
            "lon": 5.93,
            "tags": {
                "shop": "bakery",
                "name": "Boulangerie Thill",
                "addr:street": "Grand-Rue",
                "addr:housenumber": "12",
                "addr:postcode": "9530",
                "addr:city": "Wiltz",
                "phone": "+352 95 12 34",
                "website": "https://www.boulangerie-thill.lu/",
                "opening_hours": "Mo-Sa 06:30-18:00",
            },
        },
        {
            "type": "way",
            "id": 2002,
            "center": {"lat": 49.96, "lon": 5.94},
            "tags": {
                "shop": "bakery",
                "name": "Bäckerei Kremer",
                "addr:street": "Rue du Marché",
                "addr:postcode": "9540",
                "addr:city": "Wiltz",
                "contact:phone": "+352 95 98 76",
                "contact:email": "info@kremer.lu",
            },
        },
        {"type": "node", "id": 3003, "lat": 49.9, "lon": 5.9, "tags": {"shop": "bakery"}},  # no name
    ],
}


@pytest.fixture
def overpass(settings):
    with fake_server() as server:
        server.json_route("POST", "/api/interpreter", OVERPASS)
        settings.DISCOVERY_OVERPASS_URL = server.url + "/api/interpreter"
        yield server


@pytest.fixture
def osm():
    return DiscoverySource.objects.create(
        name="OpenStreetMap", slug="osm", kind="osm", attribution="© OpenStreetMap contributors, ODbL"
    )


def discover(source, query="boulangerie", **search):
    return services.discovery_start(source=source, search=Search(query=query, **search), foreground=True)


def test_an_overpass_answer_becomes_prospects_with_addresses_phones_and_attribution(overpass, osm):
    job = discover(osm, city="Wiltz")
    assert (job.status, job.params["found"], job.params["stored"]) == ("completed", 3, 3)
    query = overpass.requests[0].form()["data"][0]
    assert '["shop"="bakery"]' in query and 'area["name"="Wiltz"]' in query
    thill = Prospect.objects.get(domain_name="boulangerie-thill.lu")
    assert (thill.business_name, thill.address, thill.postal_code, thill.city) == (
        "Boulangerie Thill",
        "12 Grand-Rue",
        "9530",
        "Wiltz",
    )
    assert (thill.source, thill.industry, thill.channel) == ("osm", "shop=bakery", "digital")
    phone = thill.contacts.get(contact_type="phone")
    assert (phone.value, phone.source, phone.source_url) == (
        "+352 95 12 34",
        "osm",
        "https://www.openstreetmap.org/node/1001",
    )
    kremer = Prospect.objects.get(business_name="Bäckerei Kremer")
    assert kremer.channel == "offline" and kremer.contacts.get(contact_type="email").value == "info@kremer.lu"
    records = RawRecord.objects.order_by("external_id")
    assert dict(records.values_list("external_id", "status")) == {
        "node/1001": "imported",
        "way/2002": "imported",
        "node/3003": "skipped",
    }
    assert {record.attribution for record in records} == {"© OpenStreetMap contributors, ODbL"}
    assert records[0].payload["tags"]["opening_hours"] == "Mo-Sa 06:30-18:00"


def test_the_same_listing_seen_twice_is_stored_once_and_an_existing_prospect_is_completed(overpass, osm):
    existing = ProspectFactory(domain_name="boulangerie-thill.lu", business_name="", city="")
    offline = OfflineProspectFactory(business_name="bäckerei KREMER", postal_code="9540", address="")
    discover(osm)
    job = discover(osm)
    assert (job.params["found"], job.params["stored"]) == (3, 0)
    assert RawRecord.objects.count() == 3
    assert Prospect.objects.count() == 2  # no second Thill, no second Kremer
    existing.refresh_from_db()
    assert (existing.business_name, existing.city) == ("Boulangerie Thill", "Wiltz")  # blanks filled
    offline.refresh_from_db()
    assert offline.address == "Rue du Marché"
    assert set(RawRecord.objects.values_list("status", flat=True)) == {"merged", "skipped"}


def test_postal_codes_narrow_the_area_and_an_unknown_trade_is_refused_with_help(overpass, osm):
    job = discover(osm, postal_codes=("L-9540",))
    assert job.params["found"] == 1
    with pytest.raises(ValueError, match="Unknown category"):
        discover(osm, query="astronaut")


class WorkerKilled(BaseException):
    pass


def test_a_directory_of_several_pages_with_gaps_duplicates_and_a_known_prospect(settings):
    settings.ENRICHMENT_ALLOW_PRIVATE_NETWORKS = True
    settings.DISCOVERY_DIRECTORY_DELAY_SECONDS = 0
    known = ProspectFactory(domain_name="garage-klein.lu", business_name="Garage Klein")

    def page(entries):
        items = "".join(
            f'<div class="hit" data-id="{ident}"><h2><a href="/firm/{ident}">{name}</a></h2>'
            + (f'<span class="zip">{zipcode}</span>' if zipcode else "")
            + (f'<a class="web" href="{web}">site</a>' if web else "")
            + (f'<span class="tel">{tel}</span>' if tel else "")
            + "</div>"
            for ident, name, zipcode, web, tel in entries
        )
        return f"<html><body><div id='results'>{items}</div></body></html>"

    with fake_server() as directory:
        directory.html_route("/robots.txt", "User-agent: *\nDisallow: /private\n")
        pages = {
            "1": page([(1, "Garage Klein", "L-4002", "https://www.garage-klein.lu", "+352 55 11 22"),
                       (2, "Fleuriste Weber", "L-4001", "", "+352 55 33 44")]),
            "2": page([(3, "Menuiserie Ries", "", "http://menuiserie-ries.lu", ""),
                       (2, "Fleuriste Weber", "L-4001", "", "+352 55 33 44")]),  # duplicate across pages
            "3": page([]),
        }  # fmt: skip
        directory.route(
            "GET",
            "/search",
            lambda request: (200, "text/html", pages[request.query["page"][0]].encode()),
        )
        source = DiscoverySource.objects.create(
            name="Annuaire",
            slug="annuaire",
            kind="directory",
            config={
                "search_url": directory.url + "/search?what={query}&where={city}&page={page}",
                "listing": "div.hit",
                "fields": {
                    "external_id": "@data-id",
                    "name": "h2 a",
                    "source_url": "h2 a@href",
                    "postal_code": ".zip",
                    "website": "a.web@href",
                    "phone": ".tel",
                },
                "max_pages": 5,
            },
        )
        job = discover(source, query="garage", city="Esch")
    assert job.status == "completed", job.error
    assert (job.params["found"], job.params["stored"]) == (4, 3)
    assert [request.query.get("page") for request in directory.requests if request.path == "/search"] == [
        ["1"],
        ["2"],
        ["3"],
    ]
    assert directory.requests[1].query["what"] == ["garage"]
    assert Prospect.objects.count() == 3
    known.refresh_from_db()
    assert known.contacts.get(contact_type="phone").value == "+352 55 11 22"  # completed, not duplicated
    weber = Prospect.objects.get(business_name="Fleuriste Weber")
    assert (weber.channel, weber.postal_code) == ("offline", "L-4001")
    ries = Prospect.objects.get(domain_name="menuiserie-ries.lu")
    assert ries.discovery_records.get().source_url == directory.url + "/firm/3"


def test_robots_txt_stops_a_directory_with_a_message(settings):
    settings.ENRICHMENT_ALLOW_PRIVATE_NETWORKS = True
    with fake_server() as directory:
        directory.html_route("/robots.txt", "User-agent: *\nDisallow: /search\n")
        source = DiscoverySource.objects.create(
            name="Closed",
            slug="closed",
            kind="directory",
            config={"search_url": directory.url + "/search?q={query}", "listing": "li", "fields": {"name": "a"}},
        )
        with pytest.raises(services.SourceStopped, match=r"robots\.txt"):
            discover(source, query="garage")
    job = ScanJob.objects.get()
    assert job.status == "failed" and "robots.txt" in job.error
    assert not any(request.path == "/search" for request in directory.requests)


def test_directory_definitions_are_edited_in_the_admin_and_checked(admin_client_logged_in):
    url = reverse("admin:discovery_discoverysource_add")
    form = {
        "name": "Editus",
        "slug": "editus",
        "kind": "directory",
        "enabled": "on",
        "config": json.dumps({"search_url": "https://x.lu/s?q={query}", "listing": "div[", "fields": {"name": "h2"}}),
        "cost_per_call": "0",
        "cost_per_lead": "0",
    }
    response = admin_client_logged_in.post(url, form)
    assert response.status_code == 200
    assert "not a valid CSS selector" in response.content.decode()
    form["config"] = json.dumps(
        {"search_url": "https://x.lu/s?q={query}", "listing": "div.hit", "fields": {"name": "h2"}}
    )
    assert admin_client_logged_in.post(url, form).status_code == 302
    source = DiscoverySource.objects.get(slug="editus")
    change = reverse("admin:discovery_discoverysource_change", args=[source.pk])
    form["config"] = json.dumps(
        {"search_url": "https://x.lu/s?q={query}", "listing": "article", "fields": {"name": "h3", "phone": ".tel"}}
    )
    assert admin_client_logged_in.post(change, form).status_code == 302
    source.refresh_from_db()
    assert source.config["fields"]["phone"] == ".tel"


PLACES_PAGE_1 = {
    "places": [
        {
            "id": "ChIJ-brasserie",
            "displayName": {"text": "Brasserie Hansen", "languageCode": "fr"},
            "formattedAddress": "5 Rue de l'Alzette, 4011 Esch-sur-Alzette, Luxembourg",
            "addressComponents": [
                {"longText": "5", "shortText": "5", "types": ["street_number"]},
                {"longText": "Rue de l'Alzette", "shortText": "Rue de l'Alzette", "types": ["route"]},
                {"longText": "Esch-sur-Alzette", "shortText": "Esch-sur-Alzette", "types": ["locality", "political"]},
                {"longText": "4011", "shortText": "4011", "types": ["postal_code"]},
                {"longText": "Luxembourg", "shortText": "LU", "types": ["country", "political"]},
            ],
            "internationalPhoneNumber": "+352 54 12 12",
            "websiteUri": "http://www.brasserie-hansen.lu/",
            "rating": 4.4,
            "userRatingCount": 231,
            "priceLevel": "PRICE_LEVEL_MODERATE",
            "primaryType": "restaurant",
            "googleMapsUri": "https://maps.google.com/?cid=1",
        }
    ],
    "nextPageToken": "page-2",
}
PLACES_PAGE_2 = {
    "places": [
        {
            "id": "ChIJ-cafe",
            "displayName": {"text": "Café Faber"},
            "formattedAddress": "Place Boltgen, Esch-sur-Alzette",
            "rating": 3.9,
            "userRatingCount": 12,
            "priceLevel": "PRICE_LEVEL_INEXPENSIVE",
        }
    ]
}


@pytest.fixture
def places(settings):
    with fake_server() as server:

        def search(request):
            body = request.json()
            data = PLACES_PAGE_2 if body.get("pageToken") == "page-2" else PLACES_PAGE_1
            if request.headers.get("X-Goog-Api-Key") != "secret-places-key":
                return 403, "application/json", b'{"error": {"code": 403, "message": "API key not valid."}}'
            return 200, "application/json", json.dumps(data).encode()

        server.route("POST", "/v1/places:searchText", search)
        settings.DISCOVERY_PLACES_URL = server.url
        yield server


def places_source(**fields):
    source = DiscoverySource(name="Google Places", slug="google-places", kind="google_places", **fields)
    source.api_key = "secret-places-key"
    source.save()
    return source


def test_google_places_listings_bring_rating_reviews_price_level_and_count_their_cost(places):
    source = places_source(cost_per_call=Decimal("0.032"), cost_per_lead=Decimal("0.10"))
    job = discover(source, query="restaurant", city="Esch-sur-Alzette")
    assert (job.status, job.params["found"]) == ("completed", 2)
    request = places.requests[0]
    assert request.headers["X-Goog-FieldMask"].startswith("places.id")
    assert request.json()["textQuery"] == "restaurant in Esch-sur-Alzette LU"
    hansen = Prospect.objects.get(domain_name="brasserie-hansen.lu")
    assert (hansen.rating, hansen.review_count, hansen.price_level) == (Decimal("4.4"), 231, 2)
    assert (hansen.address, hansen.postal_code, hansen.city, hansen.industry) == (
        "5 Rue de l'Alzette",
        "4011",
        "Esch-sur-Alzette",
        "restaurant",
    )
    faber = Prospect.objects.get(business_name="Café Faber")
    assert (faber.rating, faber.price_level) == (Decimal("3.9"), 1)
    usage = ProviderUsage.objects.get()
    assert (usage.calls, usage.leads, usage.cost) == (2, 2, Decimal("0.2640"))


def test_a_provider_stops_at_its_monthly_limit_with_a_clear_message(places):
    source = places_source(monthly_call_limit=1)
    with pytest.raises(services.SourceStopped, match="monthly limit of 1 calls"):
        discover(source, query="restaurant")
    job = ScanJob.objects.get()
    assert job.status == "failed" and "resets on" in job.error
    assert len(places.requests) == 1  # the second page was never asked for
    assert Prospect.objects.count() == 1  # what was found is imported
    assert ProviderUsage.objects.get().calls == 1


def test_the_key_is_stored_encrypted_and_never_shown(api_client, places, admin_client_logged_in):
    source = places_source()
    assert "secret-places-key" not in source.api_key_encrypted
    body = json.dumps(api_client.get(BASE + "discovery/sources").json())
    assert "secret-places-key" not in body and '"has_api_key": true' in body
    page = admin_client_logged_in.get(reverse("admin:discovery_discoverysource_change", args=[source.pk]))
    assert "secret-places-key" not in page.content.decode()
    assert (
        "secret-places-key"
        not in admin_client_logged_in.get(reverse("admin:discovery_discoverysource_changelist")).content.decode()
    )


def test_the_email_finder_adds_contacts_with_their_source_and_confidence(settings):
    with fake_server() as hunter:
        hunter.json_route(
            "GET",
            "/v2/domain-search",
            {
                "data": {
                    "domain": "fleurs-thill.lu",
                    "emails": [
                        {"value": "marie@fleurs-thill.lu", "type": "personal", "confidence": 94,
                         "first_name": "Marie", "last_name": "Thill", "position": "Owner"},
                        {"value": "info@fleurs-thill.lu", "type": "generic", "confidence": 88},
                    ],
                },
                "meta": {"results": 2},
            },
        )  # fmt: skip
        settings.DISCOVERY_EMAIL_FINDER_URL = hunter.url
        source = DiscoverySource(name="Hunter", slug="hunter", kind="email_finder", cost_per_call=Decimal("0.05"))
        source.api_key = "hunter-key"
        source.save()
        prospect = ProspectFactory(domain_name="fleurs-thill.lu")
        OfflineProspectFactory()  # no domain: not asked about
        job = services.emails_find_start(
            source=source, prospect_ids=list(Prospect.objects.values_list("pk", flat=True)), foreground=True
        )
    assert (job.status, job.total_items, job.processed_items) == ("completed", 1, 1)
    assert hunter.requests[0].query == {"domain": ["fleurs-thill.lu"], "api_key": ["hunter-key"], "limit": ["10"]}
    marie = prospect.contacts.get(value="marie@fleurs-thill.lu")
    assert (marie.source, marie.confidence, marie.label) == ("hunter", 94, "Marie Thill, Owner")
    assert ProviderUsage.objects.get().cost == Decimal("0.0500")


def test_an_interrupted_discovery_job_resumes_without_duplicates(places, monkeypatch):
    source = places_source()
    real_store = services.raw_records_store
    calls = {"n": 0}

    def killed_on_second_page(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise WorkerKilled
        return real_store(**kwargs)

    monkeypatch.setattr(services, "raw_records_store", killed_on_second_page)
    with pytest.raises(WorkerKilled):
        discover(source, query="restaurant")
    job = ScanJob.objects.get()
    assert (job.params["found"], job.params["cursor"]) == (1, "page-2")
    assert job_resume(job=job, foreground=True)
    job.refresh_from_db()
    assert (job.status, job.params["found"], job.params["stored"]) == ("completed", 2, 2)
    assert [request.json().get("pageToken") for request in places.requests] == [None, "page-2", "page-2"]
    assert RawRecord.objects.count() == 2 and Prospect.objects.count() == 2
    assert (job.total_items, job.processed_items) == (2, 2)


def test_the_api_starts_a_job_and_shows_what_it_found(
    api_client, overpass, osm, sync_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            BASE + "discovery/jobs", {"source": "osm", "query": "bakery", "city": "Wiltz"}, format="json"
        )
    assert response.status_code == 202, response.content
    body = api_client.get(BASE + f"discovery/jobs/{response.json()['id']}").json()
    assert body["status"] == "completed"
    assert body["counts"]["found"] == 3 and body["counts"]["imported"] == 2 and body["counts"]["skipped"] == 1
    refused = api_client.post(BASE + "discovery/jobs", {"source": "osm", "query": "astronaut"}, format="json")
    assert refused.status_code == 400 and "Unknown category" in refused.json()["query"][0]


def test_discover_command(overpass, osm):
    out = io.StringIO()
    call_command("discover", "osm", "boulangerie", "--city", "Wiltz", "--max", "2", "--no-progress", stdout=out)
    assert "2 listings found, 2 new records; 2 new prospects" in out.getvalue()


def test_source_performance_on_a_known_dataset(osm):
    from prospecting.scoring.models import ProspectScore

    ProviderUsage.objects.create(source=osm, month="2026-11-01", calls=10, leads=4, cost=Decimal("8.00"))
    for index, (status, score) in enumerate([("pending", 40), ("contacted", 60), ("converted", 80), ("active", 20)]):
        prospect = ProspectFactory(
            source="osm", status=status, last_http_check_at="2026-11-01T00:00:00Z" if index else None
        )
        ProspectScore.objects.create(prospect=prospect, score=score)
        if index < 2:
            ProspectContact.objects.create(prospect=prospect, contact_type="email", value=f"a{index}@x.lu")
    ProspectFactory(source="import", status="converted")
    rows = {row["source"]: row for row in source_performance()}
    assert rows["osm"] == {
        "source": "osm",
        "name": "OpenStreetMap",
        "prospects": 4,
        "enriched": 3,
        "with_email": 2,
        "average_score": 50.0,
        "contacted": 2,
        "converted": 1,
        "cost": Decimal("8.00"),
        "cost_per_lead": Decimal("2.00"),
        "cost_per_conversion": Decimal("8.00"),
    }
    assert rows["import"]["cost"] == Decimal("0.00") and rows["import"]["converted"] == 1


def test_the_demo_setup_ships_openstreetmap_and_an_example_directory_once():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    sources = dict(DiscoverySource.objects.values_list("slug", "kind"))
    assert sources == {"osm": "osm", "example-directory": "directory"}
    from prospecting.discovery.sources.directory import directory_config_check

    directory_config_check(DiscoverySource.objects.get(slug="example-directory").config)
