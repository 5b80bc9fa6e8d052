"""The tech scan's browser mode (issue 15): Chromium renders the page, every request it makes goes through the
safe fetcher, and what only a running page shows (globals, cookies set by scripts, the rendered DOM, the
scripts it loaded) is found; without Chromium the scan falls back to static and says why."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from prospecting.core.fetch import resolver_overrides
from prospecting.core.models import ScanJob
from prospecting.enrichment.models import TechProfile
from prospecting.enrichment.services import enrichment_full_run, http_check_run, tech_scan_run
from prospecting.enrichment.services.batch import enrichment_batch_start
from prospecting.enrichment.services.browser_scan import BrowserScanner, chromium_path
from prospecting.enrichment.services.http_check import read_page
from prospecting.enrichment.services.tech_scan import tech_scan_probe, tech_scan_session, tech_scan_store
from tests.factories import ProspectFactory
from tests.farm import Site, farm_running
from tests.farm.sites import RUNTIME_ONLY_TECHS, Response, html, page

pytestmark = pytest.mark.django_db
needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="Chromium is not installed here")


def _technologies(prospect) -> dict[str, str]:
    profile = TechProfile.objects.get(prospect=prospect)
    return {item["name"]: item["version"] for item in profile.tech_stack_json["technologies"]}


def _our_chromium_processes() -> list[int]:
    """Chromium processes started by this test process (through the Playwright driver)."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            commands[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parents[int(entry)] = int(stat.rpartition(")")[2].split()[1])

    def descends_from_us(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return [pid for pid, command in commands.items() if "chrom" in command and descends_from_us(pid)]


@needs_chromium
def test_runtime_only_technologies_are_found_by_the_browser_and_not_by_the_static_scan(farm):
    prospect = ProspectFactory(domain_name="runtime-only.lu")
    http_check_run(prospect=prospect)

    static = tech_scan_run(prospect=prospect, mode="static")
    assert static.scanned and static.mode == "static"
    assert not set(RUNTIME_ONLY_TECHS) & set(_technologies(prospect))
    assert TechProfile.objects.get(prospect=prospect).analytics == ""

    browser = tech_scan_run(prospect=prospect, mode="browser")
    assert browser.scanned and browser.mode == "browser", browser.note
    found = _technologies(prospect)
    for name, version in RUNTIME_ONLY_TECHS.items():
        assert name in found, (name, found)  # global, cookie, loaded script, rendered DOM
        assert found[name] == version
    profile = TechProfile.objects.get(prospect=prospect)
    assert profile.scan_mode == "browser"
    assert profile.scan_note == ""
    assert "Google Analytics" in profile.analytics
    assert profile.tech_stack_json["browser"]["scripts_loaded"] == 2  # app.js and the piwik.js it loads
    assert profile.tech_stack_json["browser"]["refused_by_address_guard"] == []
    hits = [path for _scheme, _host, path in farm.hits("runtime-only.lu")]
    assert hits.count("/vendor/stats/piwik.js") == 1  # fetched by the safe fetcher for the browser
    assert hits.count("/") == 3  # HTTP check and one read per scan: the browser was handed the page, not refetching
    assert _our_chromium_processes() == []  # a single run closes its browser


@needs_chromium
def test_static_facts_are_kept_in_browser_mode(farm):
    prospect = ProspectFactory(domain_name="wordpress-weber.lu")
    http_check_run(prospect=prospect)
    outcome = tech_scan_run(prospect=prospect, mode="browser")
    assert outcome.mode == "browser", outcome.note
    profile = TechProfile.objects.get(prospect=prospect)
    assert (profile.cms, profile.cms_version, profile.server) == ("WordPress", "5.8.3", "Nginx")  # generator, header
    assert "Google Analytics" in profile.analytics  # gtag's script URL


class _Listener:
    """A TCP server that only counts the connections it receives (the address the page must never reach)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.sock.close()


@needs_chromium
def test_no_request_of_the_page_reaches_a_forbidden_address(settings, tmp_path):
    """The page's host is allowed (one loopback port pair); everything it points to on another loopback port is
    forbidden: scripts by name and by address, a redirect, XHR, a WebSocket, an image, a frame, a preconnect."""
    secret = _Listener()
    forbidden = f"http://127.0.0.1:{secret.port}"
    head = f"""<title>Guarded</title>
<link rel="preconnect" href="{forbidden}">
<script src="/ok.js"></script>
<script src="http://internal-service.lu/by-name.js"></script>
<script src="{forbidden}/by-address.js"></script>
<script src="/hop.js"></script>"""
    body = f"""<h1>Guarded</h1><img src="{forbidden}/pixel.gif"><iframe src="{forbidden}/frame"></iframe>
<script>
fetch("{forbidden}/xhr").catch(function () {{}});
try {{ new WebSocket("ws://127.0.0.1:{secret.port}/socket"); }} catch (e) {{}}
var s = document.createElement("script"); s.src = "http://[::ffff:127.0.0.1]:{secret.port}/mapped.js";
document.head.appendChild(s);
</script>"""
    sites = {
        "guarded-page.lu": Site(
            pages={
                "/": page(html(head, body), Server="nginx"),
                "/ok.js": Response(200, {"Content-Type": "application/javascript"}, b"window.gaGlobal = {vid: '1'};"),
                "/hop.js": Response(302, {"Location": f"{forbidden}/redirected.js"}, b""),
            },
            https=False,
        )
    }
    try:
        with farm_running(tmp_path, sites) as farm:
            settings.ENRICHMENT_ALLOW_PRIVATE_NETWORKS = False
            settings.ENRICHMENT_ALLOWED_PRIVATE_ADDRESSES = [
                f"127.0.0.1:{farm.http_port}",
                f"127.0.0.1:{farm.https_port}",
            ]
            settings.ENRICHMENT_CONNECT_TIMEOUT = settings.ENRICHMENT_READ_TIMEOUT = 1.0
            overrides = {**farm.resolver_map, "internal-service.lu:80": f"127.0.0.1:{secret.port}"}
            with resolver_overrides(overrides):
                prospect = ProspectFactory(domain_name="guarded-page.lu")
                http_check_run(prospect=prospect)
                outcome = tech_scan_run(prospect=prospect, mode="browser")
    finally:
        secret.close()
    assert outcome.mode == "browser", outcome.note
    assert "Google Analytics" in _technologies(prospect)  # the allowed script ran: the page did render
    assert secret.connections == 0
    refused = TechProfile.objects.get(prospect=prospect).tech_stack_json["browser"]["refused_by_address_guard"]
    assert "http://internal-service.lu/by-name.js" in refused
    assert f"{forbidden}/by-address.js" in refused
    assert f"{forbidden}/xhr" in refused
    assert any("/hop.js" in url for url in refused)  # its redirect points to the forbidden address


def test_without_chromium_the_scan_falls_back_to_static_and_says_why(farm, settings):
    settings.CHROME_PATH = "/nonexistent/chromium"
    prospect = ProspectFactory(domain_name="classic-ga.lu")
    http_check_run(prospect=prospect)
    outcome = tech_scan_run(prospect=prospect, mode="browser")
    assert outcome.scanned and outcome.mode == "static"
    profile = TechProfile.objects.get(prospect=prospect)
    assert profile.scan_mode == "static"
    assert "Chromium not found at /nonexistent/chromium" in profile.scan_note
    assert profile.analytics == "Google Analytics"  # the static scan still ran


def test_a_batch_without_chromium_records_the_reason_with_the_job(farm, settings):
    settings.CHROME_PATH = "/nonexistent/chromium"
    prospects = [ProspectFactory(domain_name=host) for host in ("classic-ga.lu", "analytics-js.lu")]
    for prospect in prospects:
        http_check_run(prospect=prospect)
    job = enrichment_batch_start(
        job_type="tech_scan", prospect_ids=[p.pk for p in prospects], scan_mode="browser", foreground=True
    )
    job.refresh_from_db()
    assert job.status == ScanJob.Status.COMPLETED
    assert "Chromium not found" in job.params["scan_mode_note"]
    assert job.params["outcomes"]["tech_scan_modes"] == {"static": 2}
    assert set(TechProfile.objects.filter(prospect__in=prospects).values_list("scan_mode", flat=True)) == {"static"}


@needs_chromium
def test_a_browser_batch_scans_every_page_in_one_browser_and_closes_it(farm, settings):
    settings.TECH_SCAN_BROWSER_CONCURRENCY = 2
    hosts = ["runtime-only.lu", "classic-ga.lu", "drupal-markup.lu", "static-lentz.lu"]
    prospects = [ProspectFactory(domain_name=host) for host in hosts]
    for prospect in prospects:
        http_check_run(prospect=prospect)
    launches = []
    original = BrowserScanner.start

    def counting_start(self):
        launches.append(self.concurrency)
        return original(self)

    BrowserScanner.start = counting_start
    try:
        job = enrichment_batch_start(
            job_type="tech_scan", prospect_ids=[p.pk for p in prospects], scan_mode="browser", foreground=True
        )
    finally:
        BrowserScanner.start = original
    job.refresh_from_db()
    assert job.status == ScanJob.Status.COMPLETED, job.error
    assert launches == [2]  # one browser for the batch, TECH_SCAN_BROWSER_CONCURRENCY pages at a time
    assert job.params["scan_mode"] == "browser"
    assert job.params["outcomes"]["tech_scan_modes"] == {"browser": 4}
    profiles = {p.prospect.domain_name: p for p in TechProfile.objects.filter(prospect__in=prospects)}
    assert {p.scan_mode for p in profiles.values()} == {"browser"}
    assert profiles["drupal-markup.lu"].cms == "Drupal"
    assert profiles["classic-ga.lu"].analytics == "Google Analytics"
    assert "jQuery" in {t["name"] for t in profiles["runtime-only.lu"].tech_stack_json["technologies"]}
    assert _our_chromium_processes() == []


@needs_chromium
def test_a_page_over_its_time_box_falls_back_to_static_and_the_next_page_is_rendered(settings, tmp_path):
    gtag = '<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>'
    sites = {
        "endless-loop.lu": Site(
            pages={"/": page(html(f"<title>Loop</title>{gtag}", "<script>while (true) {}</script>"))}, https=False
        ),
        "calm-page.lu": Site(pages={"/": page(html("<title>Calm</title>", "<p>calm</p>"))}, https=False),
    }
    settings.ENRICHMENT_ALLOW_PRIVATE_NETWORKS = True
    with farm_running(tmp_path, sites) as loop_farm, resolver_overrides(loop_farm.resolver_map):
        loop_page, calm_page = read_page("http://endless-loop.lu/"), read_page("http://calm-page.lu/")
        with tech_scan_session("browser", page_seconds=2, concurrency=1) as session:
            stuck = tech_scan_probe(loop_page, {}, session=session)
            calm = tech_scan_probe(calm_page, {}, session=session)
        prospect = ProspectFactory(domain_name="endless-loop.lu", has_website=True)
        tech_scan_store(prospect=prospect, probe=stuck)
    assert stuck.mode == "static"
    assert "did not render within 2 s" in stuck.note and "Static scan used" in stuck.note
    assert "Google Analytics" in {d.name for d in stuck.detections}  # the static scan's findings
    assert calm.mode == "browser", calm.note
    profile = TechProfile.objects.get(prospect=prospect)
    assert profile.scan_mode == "static"
    assert "did not render within 2 s" in profile.scan_note
    assert _our_chromium_processes() == []


def test_an_unknown_scan_mode_is_refused_before_any_job(farm):
    prospect = ProspectFactory(domain_name="classic-ga.lu")
    with pytest.raises(ValueError, match="Unknown tech scan mode"):
        enrichment_batch_start(job_type="tech_scan", prospect_ids=[prospect.pk], scan_mode="gpu")
    assert not ScanJob.objects.exists()


BASE = "/api/admin/prospecting/"


@needs_chromium
def test_the_batch_api_takes_the_scan_mode(api_client, farm, django_capture_on_commit_callbacks, sync_tasks):
    prospect = ProspectFactory(domain_name="runtime-only.lu", status="active", has_website=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            BASE + "enrichment/tech-scan/batch", {"prospect_ids": [prospect.pk], "scan_mode": "browser"}, format="json"
        )
    assert response.status_code == 202, response.content
    job = ScanJob.objects.get(pk=response.json()["id"])
    assert (job.status, job.params["scan_mode"], job.params["outcomes"]["tech_scan_modes"]) == (
        "completed",
        "browser",
        {"browser": 1},
    )
    assert TechProfile.objects.get(prospect=prospect).analytics.startswith("Google Analytics")
    detail = api_client.get(BASE + f"prospects/{prospect.pk}").json()
    assert detail["tech_profile"]["scan_mode"] == "browser"


def test_the_batch_api_refuses_an_unknown_scan_mode(api_client):
    prospect = ProspectFactory(domain_name="classic-ga.lu", has_website=True)
    response = api_client.post(
        BASE + "enrichment/tech-scan/batch", {"prospect_ids": [prospect.pk], "scan_mode": "gpu"}, format="json"
    )
    assert response.status_code == 400
    assert "scan_mode" in response.json()
    assert not ScanJob.objects.exists()


def test_the_enrich_command_takes_the_scan_mode_and_tells_the_fallback(farm, settings):
    settings.CHROME_PATH = "/nonexistent/chromium"
    prospect = ProspectFactory(domain_name="analytics-js.lu", status="active", has_website=True)
    out = io.StringIO()
    arguments = ["--ids", str(prospect.pk), "--scan-mode", "browser", "--no-progress"]
    call_command("enrich", "tech-scan", *arguments, stdout=out)
    assert "completed: 1/1 processed, 0 failed" in out.getvalue()
    assert "Chromium not found at /nonexistent/chromium" in out.getvalue()
    assert ScanJob.objects.get().params["scan_mode"] == "browser"


@needs_chromium
def test_full_enrichment_uses_the_default_scan_mode_setting(farm, settings):
    settings.TECH_SCAN_MODE = "browser"
    prospect = ProspectFactory(domain_name="runtime-only.lu")
    report = enrichment_full_run(prospect=prospect)
    assert report["tech_scan"]["status"] == "done" and "(browser)" in report["tech_scan"]["detail"]
    profile = TechProfile.objects.get(prospect=prospect)
    assert profile.scan_mode == "browser"
    assert "Google Analytics" in profile.analytics
    assert _our_chromium_processes() == []


@needs_chromium
def test_a_page_that_sends_itself_away_is_still_read(settings, tmp_path):
    """A frame-buster or an ad sending the page to another site is cancelled: the scan reads the page it was
    given, never Chromium's error page; the page may still go elsewhere on its own site."""
    away = "<script>window.GoogleAnalyticsObject = 'ga'; location.href = 'http://elsewhere.lu/';</script>"
    home = "<script>window.gaGlobal = {}; location.replace('/fr/');</script>"
    sites = {
        "goes-away.lu": Site(pages={"/": page(html("<title>Away</title>", away))}, https=False),
        "goes-home.lu": Site(
            pages={
                "/": page(html("<title>Home</title>", home)),
                "/fr/": page(html('<meta name="generator" content="Joomla! - Open Source Content Management">', "")),
            },
            https=False,
        ),
        "elsewhere.lu": Site(pages={"/": page(html("<title>Elsewhere</title>", "<p>elsewhere</p>"))}, https=False),
    }
    settings.ENRICHMENT_ALLOW_PRIVATE_NETWORKS = True
    with farm_running(tmp_path, sites) as own_farm, resolver_overrides(own_farm.resolver_map):
        with tech_scan_session("browser", concurrency=1) as session:
            stayed = tech_scan_probe(read_page("http://goes-away.lu/"), {}, session=session)
            moved = tech_scan_probe(read_page("http://goes-home.lu/"), {}, session=session)
        assert own_farm.hits("elsewhere.lu") == []
    assert stayed.mode == "browser", stayed.note
    assert stayed.browser["url"] == "http://goes-away.lu/"
    assert "Google Analytics" in {d.name for d in stayed.detections}
    assert moved.mode == "browser", moved.note
    assert moved.browser["url"] == "http://goes-home.lu/fr/"
    assert "Joomla" in {d.name for d in moved.detections}


def test_the_admin_action_queues_a_browser_tech_scan(admin_client_logged_in):
    prospects = [ProspectFactory(domain_name=host, has_website=True) for host in ("a-site.lu", "b-site.lu")]
    changelist = reverse("admin:prospects_prospect_changelist")
    assert "Run tech scan in a browser" in admin_client_logged_in.get(changelist).content.decode()
    response = admin_client_logged_in.post(
        changelist, {"action": "run_tech_scan_browser", "_selected_action": [p.pk for p in prospects]}, follow=True
    )
    job = ScanJob.objects.get()
    assert (job.job_type, job.total_items, job.params["scan_mode"]) == ("tech_scan", 2, "browser")
    assert f"/admin/core/scanjob/{job.pk}/change/" in response.content.decode()


@needs_chromium
def test_pages_are_rendered_at_most_concurrency_at_a_time(farm, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    rendering, most = [0], [0]
    original = BrowserScanner._render

    async def counting_render(self, *args):
        rendering[0] += 1
        most[0] = max(most[0], rendering[0])
        try:
            return await original(self, *args)
        finally:
            rendering[0] -= 1

    monkeypatch.setattr(BrowserScanner, "_render", counting_render)
    pages = [read_page(f"https://{host}/") for host in ("classic-ga.lu", "analytics-js.lu", "drupal-markup.lu")] * 2
    with tech_scan_session("browser", concurrency=2) as session, ThreadPoolExecutor(6) as pool:
        probes = list(pool.map(lambda fetched: tech_scan_probe(fetched, {}, session=session), pages))
    assert [probe.mode for probe in probes] == ["browser"] * 6
    assert most[0] == 2


@needs_chromium
def test_a_crashed_browser_is_started_again_for_the_next_page(farm):
    import signal

    fetched = read_page("https://classic-ga.lu/")
    with tech_scan_session("browser", concurrency=1) as session:
        assert tech_scan_probe(fetched, {}, session=session).mode == "browser"
        for pid in _our_chromium_processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        again = tech_scan_probe(fetched, {}, session=session)
        if again.mode != "browser":  # the page that met the dying browser falls back, the next one is rendered
            assert "Static scan used" in again.note
            again = tech_scan_probe(fetched, {}, session=session)
    assert again.mode == "browser", again.note
    assert "Google Analytics" in {d.name for d in again.detections}
    assert _our_chromium_processes() == []


@needs_chromium
def test_a_full_enrichment_batch_in_browser_mode(farm):
    prospects = [ProspectFactory(domain_name=host) for host in ("runtime-only.lu", "wordpress-weber.lu")]
    job = enrichment_batch_start(
        job_type="full", prospect_ids=[p.pk for p in prospects], scan_mode="browser", foreground=True
    )
    job.refresh_from_db()
    assert (job.status, job.processed_items, job.failed_items) == ("completed", 2, 0), job.params
    assert job.params["outcomes"]["tech_scan_modes"] == {"browser": 2}
    assert job.params["processes"] == 1
    profiles = {p.prospect.domain_name: p for p in TechProfile.objects.filter(prospect__in=prospects)}
    assert "Google Analytics" in profiles["runtime-only.lu"].analytics
    assert profiles["wordpress-weber.lu"].cms == "WordPress"
    assert _our_chromium_processes() == []
