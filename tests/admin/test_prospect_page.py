"""The prospect page: a header with status, score, tier, summary, owner and tags, then the enrichment results in
words, the score's reasons, campaign sends and the timeline, with step buttons where they apply."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prospecting.core.models import ScanJob
from prospecting.prospects.models import Prospect
from tests.factories import (
    CampaignSendFactory,
    CampaignTemplateFactory,
    InteractionFactory,
    OfflineProspectFactory,
    PerformanceProfileFactory,
    ProspectContactFactory,
    ProspectFactory,
    ProspectScoreFactory,
    TechProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _page(client, prospect) -> str:
    response = client.get(reverse("admin:prospects_prospect_change", args=[prospect.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" class="step-button[^"]*">([^<]+)</button>', html)


def test_the_header_shows_status_score_tier_summary_owner_contacts_and_tags(admin_client_logged_in):
    owner = UserFactory(username="nadia", is_staff=True)
    prospect = ProspectFactory(
        business_name="Garage Weber", status="active", owner=owner, tags=["salon 2026", "garage"]
    )
    ProspectScoreFactory(prospect=prospect, score=74, lead_tier="top_priority", summary="Old site, reachable by phone.")
    ProspectContactFactory(prospect=prospect, contact_type="phone", value="+352 621 123 456")
    ProspectContactFactory(prospect=prospect, contact_type="email", value="info@weber.lu")
    html = _page(admin_client_logged_in, prospect)
    head = html[html.index('class="prospect-head"') : html.index("</section>", html.index('class="prospect-head"'))]
    assert '<h1 class="prospect-title">Garage Weber</h1>' in html
    assert '<span class="badge badge-status-active">Active</span>' in head
    assert "<strong>74</strong>" in head and "badge-tier-top_priority" in head
    assert "Old site, reachable by phone." in head and "nadia" in head
    assert 'href="tel:+352 621 123 456"' in head and 'href="mailto:info@weber.lu"' in head
    assert '<span class="chip">salon 2026</span><span class="chip">garage</span>' in head
    assert 'value="salon 2026, garage"' in html  # the tags field: words, not JSON


def test_why_an_http_check_failed_is_said_in_words(admin_client_logged_in):
    prospect = ProspectFactory(status="error", has_website=False)
    TechProfileFactory(
        prospect=prospect, cms="", check_result="could_not_check", check_message="The name does not resolve"
    )
    text = _text(_page(admin_client_logged_in, prospect))
    assert "Website and HTTP check Could not check : The name does not resolve Answers no" in text


def test_technologies_performance_and_score_reasons_have_their_sections(admin_client_logged_in):
    prospect = ProspectFactory(has_website=True)
    TechProfileFactory(prospect=prospect, cms="Joomla", cms_version="3.9", server="Apache")
    PerformanceProfileFactory(prospect=prospect, performance_score=23, largest_contentful_paint_ms=5200)
    ProspectScoreFactory(
        prospect=prospect,
        score=40,
        score_breakdown={"old_cms": {"label": "CMS out of date", "component": "modernity", "points": 15}},
    )
    text = _text(_page(admin_client_logged_in, prospect))
    assert "Technologies CMS Joomla 3.9 Server Apache" in text
    assert "23 Performance" in text and "Largest paint 5.2 s" in text
    assert "Why this score" in text and "CMS out of date modernity +15" in text
    assert "technical health 30/40 · modernity 14/25 · business value 15/25 · engagement 5/10" in text


def test_campaign_sends_are_listed(admin_client_logged_in):
    prospect = ProspectFactory()
    template = CampaignTemplateFactory(name="Spring offer")
    CampaignSendFactory(
        prospect=prospect, template=template, status="sent", sent_at=timezone.now(), opened_at=timezone.now()
    )
    text = _text(_page(admin_client_logged_in, prospect))
    assert "Campaign sends Spring offer Sent" in text and "opened" in text


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: OfflineProspectFactory(), ["Full enrichment"]),
        (lambda: ProspectFactory(has_website=None), ["Full enrichment", "Run HTTP check"]),
        (
            lambda: ProspectFactory(has_website=True),
            ["Full enrichment", "Run HTTP check", "Run tech scan", "Run performance audit", "Run contact scrape"],
        ),
    ],
)
def test_step_buttons_show_only_where_they_apply(admin_client_logged_in, make, expected):
    assert _buttons(_page(admin_client_logged_in, make())) == expected


def test_a_step_button_queues_that_step_for_the_prospect(admin_client_logged_in):
    prospect = ProspectFactory(has_website=True)
    url = reverse("admin:prospects_prospect_run_step", args=[prospect.pk, "tech-scan"])
    assert url in _page(admin_client_logged_in, prospect)
    response = admin_client_logged_in.post(url)
    assert response["Location"] == reverse("admin:prospects_prospect_change", args=[prospect.pk])
    job = ScanJob.objects.get()
    assert (job.job_type, job.params["prospect_ids"]) == ("tech_scan", [prospect.pk])
    assert admin_client_logged_in.get(url).status_code == 403
    assert admin_client_logged_in.post(url.replace("tech-scan", "nonsense")).status_code == 404


def test_a_step_that_does_not_apply_queues_nothing(admin_client_logged_in):
    prospect = ProspectFactory(has_website=False)
    url = reverse("admin:prospects_prospect_run_step", args=[prospect.pk, "performance"])
    response = admin_client_logged_in.post(url, follow=True)
    assert "Performance audit does not apply to this prospect." in response.content.decode()
    assert not ScanJob.objects.exists()


def test_sales_cannot_run_a_step_on_another_owners_prospect(client):
    sales = UserFactory(username="sam", is_staff=True)
    sales.groups.add(Group.objects.get(name="Sales"))
    theirs = ProspectFactory(has_website=True, owner=UserFactory(username="olga", is_staff=True))
    client.force_login(sales)
    response = client.post(reverse("admin:prospects_prospect_run_step", args=[theirs.pk, "http-check"]))
    assert response.status_code == 404
    assert not ScanJob.objects.exists()


def test_tags_are_typed_as_words_separated_by_commas(admin_client_logged_in):
    from tests.admin.test_admin_writes import post_form

    prospect = ProspectFactory(tags=["old"])
    url = reverse("admin:prospects_prospect_change", args=[prospect.pk])
    response = post_form(admin_client_logged_in, url, {"tags": " salon 2026 , bakery,,bakery "})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Prospect.objects.get(pk=prospect.pk).tags == ["salon 2026", "bakery"]


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_data(admin_client_logged_in):
    prospect = ProspectFactory(has_website=True)
    ProspectContactFactory(prospect=prospect)
    InteractionFactory(prospect=prospect)
    CampaignSendFactory(prospect=prospect, status="sent")
    _page(admin_client_logged_in, prospect)
    with CaptureQueriesContext(connection) as few:
        _page(admin_client_logged_in, prospect)
    for index in range(8):
        ProspectContactFactory(prospect=prospect)
        InteractionFactory(prospect=prospect, subject=f"Call {index}")
        CampaignSendFactory(prospect=prospect, status="sent")
    with CaptureQueriesContext(connection) as many:
        _page(admin_client_logged_in, prospect)
    assert len(many) == len(few), "\n".join(query["sql"] for query in many.captured_queries)
