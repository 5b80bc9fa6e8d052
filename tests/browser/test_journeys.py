"""Seed 002's journeys walked in Chromium as a person would: through the pages, the forms and the buttons
(no API calls, no URLs a person would not follow), checking what the person sees."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone

from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect
from tests.browser.conftest import PHONE, log_in
from tests.factories import LeadFactory, ProspectFactory
from tests.outreach.helpers import lead_with_email
from tests.outreach.smtp import smtp_running
from tests.qcluster import running_qcluster

expect = pytest.importorskip("playwright.sync_api").expect  # skipped, not failed, without Playwright
pytestmark = pytest.mark.django_db(transaction=True)


def test_log_in_lands_on_the_dashboard_with_the_sales_pages_in_seed_order(new_page, user):
    LeadFactory(score__score=82, score__lead_tier="top_priority")
    LeadFactory(score__score=75, score__lead_tier="top_priority")
    LeadFactory(score__score=55, score__lead_tier="quick_win")
    page = new_page()
    log_in(page, user)
    assert page.url.endswith("/admin/")
    assert page.get_by_role("heading", name="Dashboard", exact=True).is_visible()
    navigation = page.locator("#nav-sidebar").inner_text()
    positions = [navigation.find(name) for name in ("Prospects", "Leads", "Quick capture", "Follow-ups", "Scan jobs")]
    assert -1 not in positions, navigation
    assert positions == sorted(positions), navigation
    # The figures a salesperson starts the day with: counts by tier, a score chart drawn without any CDN.
    top = page.locator(".kpi", has_text="Top priority leads")
    assert top.locator(".kpi-value").inner_text().strip() == "2"
    assert "1 quick wins" in top.inner_text()
    assert page.locator("#dash-scores svg").is_visible()
    for panel in ("By status", "By lead tier", "Enrichment coverage", "Recent jobs", "Campaign results"):
        assert page.get_by_role("heading", name=panel).first.is_visible(), panel


def test_quick_capture_on_a_phone_creates_an_offline_prospect_and_its_follow_up(new_page, user):
    page = new_page(viewport=PHONE)
    log_in(page, user)
    page.goto("/admin/prospecting/capture/")
    # Nothing spills sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.get_by_label("Business name").fill("Boulangerie Hoffmann")
    page.get_by_label("City").fill("Ettelbruck")
    page.get_by_label("Phone").fill("+352 81 23 45")
    page.get_by_label(re.compile(r"^Next action:?$")).fill("Send the offer")
    page.get_by_label("Next action date").fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Save lead").click()
    page.wait_for_load_state()
    assert "Boulangerie Hoffmann" in page.locator("body").inner_text()
    prospect = Prospect.objects.get(business_name="Boulangerie Hoffmann")
    assert (prospect.channel, prospect.city) == ("offline", "Ettelbruck")
    assert Interaction.objects.get(prospect=prospect).next_action == "Send the offer"


def test_log_a_call_with_a_follow_up_and_find_it_in_follow_ups(new_page, user):
    prospect = LeadFactory(business_name="Garage Schmit", domain_name="garage-schmit.lu")
    due = timezone.localdate() + dt.timedelta(days=2)
    page = new_page()
    log_in(page, user)
    page.goto("/admin/prospecting/prospects/")
    page.get_by_role("link", name="Garage Schmit").first.click()
    page.wait_for_load_state()
    form = page.locator("form", has=page.get_by_role("button", name="Log interaction"))
    form.get_by_label("Type").select_option("call")
    form.get_by_label("Subject").fill("First call")
    form.get_by_label(re.compile(r"^Next action:?$")).fill("Send proposal")
    form.get_by_label("Follow-up date").fill(due.isoformat())
    form.get_by_role("button", name="Log interaction").click()
    page.wait_for_load_state()
    assert re.search(r"Call logged on Garage Schmit", page.locator(".messagelist").inner_text())

    page.get_by_role("link", name="Follow-ups").first.click()
    page.wait_for_load_state()
    row = page.locator("tr", has_text="Garage Schmit")
    assert "Send proposal" in row.inner_text()
    assert Interaction.objects.get(prospect=prospect).next_action_date == due


def test_switch_to_french(new_page, user):
    ProspectFactory(business_name="Fleuriste Klein")
    page = new_page()
    log_in(page, user)
    page.goto("/admin/prospecting/prospects/")
    with page.expect_navigation():
        page.get_by_label("Language").select_option("fr")
    body = page.locator("body").inner_text()
    assert "Déconnexion" in body or "DÉCONNEXION" in body
    assert "Fleuriste Klein" in body
    assert page.locator("html").get_attribute("lang") == "fr"


FARM_DOMAINS = [
    "wordpress-weber.lu",
    "drupal-mersch.lu",
    "joomla-hoffmann.lu",
    "static-lentz.lu",
    "shop-majerus.lu",
    "contact-thill.lu",
    "expired-cert.lu",
    "no-such-domain.lu",
]


@pytest.fixture
def farm_worker(site_farm):
    """A real `manage.py qcluster` worker whose enrichment reaches the farm's sites."""
    env = {
        "ENRICHMENT_ALLOW_PRIVATE_NETWORKS": "1",
        "ENRICHMENT_CA_BUNDLE": str(site_farm.ca_path),
        "ENRICHMENT_RESOLVER_OVERRIDES_JSON": json.dumps(site_farm.resolver_map),
        "ENRICHMENT_READ_TIMEOUT": "2",
        "ENRICHMENT_CONNECT_TIMEOUT": "2",
        "ENRICHMENT_PROCESSES": "1",
    }
    with running_qcluster(**env) as worker:
        yield worker


def test_import_farm_domains_enrich_them_and_export_the_best_leads(new_page, user, farm_worker, tmp_path):
    # Leads scored before this import: two top priority, one quick win.
    LeadFactory(domain_name="dentiste-kieffer.lu", score__score=84, score__lead_tier="top_priority")
    LeadFactory(domain_name="fiduciaire-lentz.lu", score__score=73, score__lead_tier="top_priority")
    LeadFactory(domain_name="boulangerie-reuter.lu", score__score=55, score__lead_tier="quick_win")
    page = new_page()
    log_in(page, user)
    # Import a CSV of domains from the prospects list: upload, preview, confirm.
    page.goto("/admin/prospecting/prospects/")
    page.get_by_role("link", name=re.compile("^Import$", re.IGNORECASE)).click()
    csv = tmp_path / "domains.csv"
    csv.write_text("domain\n" + "\n".join(FARM_DOMAINS) + "\n", encoding="utf-8")
    page.get_by_label("File").set_input_files(csv)
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_load_state()
    assert "wordpress-weber.lu" in page.locator("#content").inner_text()
    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_load_state()
    assert re.search(rf"{len(FARM_DOMAINS)} created", page.locator(".messagelist").inner_text())
    assert Prospect.objects.filter(domain_name__in=FARM_DOMAINS, status="pending").count() == len(FARM_DOMAINS)

    # "Enrich them" → confirm → the job page, which refreshes itself until the job finished.
    page.get_by_role("link", name="Enrich them").first.click()
    page.get_by_role("button", name=re.compile(r"^Enrich \d+ prospects")).click()
    page.wait_for_load_state()
    assert "/admin/core/scanjob/" in page.url
    job_page = page.url
    # The dashboard's Recent jobs panel follows the job without reloading the page.
    page.get_by_role("link", name="Dashboard").first.click()
    enrichment_row = page.locator("#dash-jobs tr", has_text="Full enrichment")
    expect(enrichment_row).to_contain_text(f"/ {len(FARM_DOMAINS)}")
    expect(enrichment_row).to_contain_text("Completed", timeout=120_000)
    assert f"{len(FARM_DOMAINS)} / {len(FARM_DOMAINS)}" in enrichment_row.inner_text()
    page.goto(job_page)
    expect(page.locator("#content")).to_contain_text("Completed")
    assert (
        set(Prospect.objects.filter(domain_name__in=FARM_DOMAINS).values_list("status", flat=True))
        - {
            "active",
            "error",
            "parked",
        }
        == set()
    )
    page.screenshot(path=tmp_path / "job.png", full_page=True)

    # Leads, best first: the new ones among the leads scored before.
    page.get_by_role("link", name="Leads").first.click()
    page.wait_for_load_state()
    scores = [int(text) for text in page.locator("td.field-score_value").all_inner_texts()]
    assert len(scores) == len(FARM_DOMAINS) + 3
    assert scores == sorted(scores, reverse=True)
    assert scores[:2] == [84, 73]

    # The Top priority preset, then its export as a spreadsheet user would download it.
    page.get_by_role("link", name=re.compile(r"^Top priority")).first.click()
    page.wait_for_load_state()
    assert page.locator("td.field-score_value").all_inner_texts() == ["84", "73"]
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    exported = Path(download.path()).read_text(encoding="utf-8-sig")
    assert "dentiste-kieffer.lu" in exported
    assert "fiduciaire-lentz.lu" in exported
    assert "wordpress-weber.lu" not in exported
    assert "boulangerie-reuter.lu" not in exported


@pytest.fixture
def smtp_worker():
    """A local SMTP server on 127.0.0.1 and a real worker that sends through it."""
    with smtp_running() as server:
        env = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": server.host,
            "EMAIL_PORT": str(server.port),
            "DEFAULT_FROM_EMAIL": "Agence Web <hello@agence.lu>",
            "SITE_URL": "https://prospecting.agence.lu",
        }
        with running_qcluster(**env):
            yield server


def test_write_a_template_preview_it_and_send_it_to_two_leads(new_page, user, smtp_worker):
    weber = lead_with_email("contact@weber.lu", business_name="Boulangerie Weber", domain_name="weber.lu")
    lentz = lead_with_email("info@lentz.lu", business_name="Pharmacie Lentz", domain_name="lentz.lu")
    lead_with_email("info@kremer.lu", business_name="Garage Kremer", domain_name="kremer.lu")
    page = new_page()
    log_in(page, user)

    # Campaigns → add a template.
    page.get_by_role("link", name="Campaigns").first.click()
    page.get_by_role("link", name=re.compile(r"^Add campaign template", re.IGNORECASE)).click()
    page.get_by_label("Name").fill("No HTTPS, French")
    page.get_by_label("Lead type").select_option("no_https")
    page.get_by_label("Subject template").fill("{business_name} : votre site n'est pas sécurisé")
    page.get_by_label("Body template").fill("Bonjour,\n\n{issues}.\n\nAgence Web")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()

    # Preview it for one lead.
    page.get_by_label("Prospect id").fill(str(weber.pk))
    page.get_by_role("button", name="Preview the saved template").click()
    page.wait_for_load_state()
    preview = page.locator("#template-preview").inner_text()
    assert "Boulangerie Weber : votre site n'est pas sécurisé" in preview
    assert "contact@weber.lu" in preview

    # Leads → tick two → "Send campaign…" → see what will be sent → send.
    page.get_by_role("link", name="Leads").first.click()
    for lead in (weber, lentz):
        page.locator("tr", has_text=lead.business_name).locator("input.action-select").check()
    page.locator("select[name=action]").select_option("send_campaign")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Template").select_option(label="No HTTPS, French")
    page.get_by_role("button", name="Show what will be sent").click()
    assert "2 will be sent" in page.locator("#send-plan").inner_text()
    page.get_by_role("button", name="Send 2 messages").click()
    page.wait_for_load_state()
    page.locator(".messagelist").get_by_role("link", name=re.compile(r"^job #")).click()
    expect(page.locator("#content")).to_contain_text("Completed", timeout=60_000)
    # (a long encoded subject is folded after "Subject:"; mail programs show it without the fold)
    received = {tuple(message.rcpt_tos): message.message["Subject"].strip() for message in smtp_worker.messages}
    assert received == {
        ("contact@weber.lu",): "Boulangerie Weber : votre site n'est pas sécurisé",
        ("info@lentz.lu",): "Pharmacie Lentz : votre site n'est pas sécurisé",
    }
