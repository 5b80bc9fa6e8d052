"""The tech scan's browser mode: Debian's Chromium renders the page, and the scan reads what only a running
page shows (the real `window` globals named by the fingerprints' `js` keys, cookies set by scripts, the
rendered DOM, the script URLs actually loaded).

Driver: Playwright's Python package (asyncio API) against the system Chromium (CHROME_PATH). It gives request
interception for every request of a page, WebSocket interception and service-worker blocking in a few
lines, and the same package already drives Chromium in the journey tests; talking CDP by hand would mean
writing and keeping our own protocol client for the same features.

Safety: **Chromium never touches the network itself.** Every request a page makes (the document, redirects,
scripts, XHR/fetch) is intercepted and answered with what the safe fetcher (`core/fetch.py`, through
`read_page`) got: the same private-address guard, DNS pinning, redirect checks, size and time bounds as the
static scan. Requests the scan does not need (images, fonts, styles, media, frames, non-GET, beyond
TECH_SCAN_BROWSER_MAX_REQUESTS) are refused without any fetch; WebSockets are answered by a mock that closes
them; service workers are blocked. As a second wall, Chromium starts with a host resolver that resolves
nothing and a proxy that does not exist, loopback included: anything that escaped the interception (a
preconnect, WebRTC, a future request kind) fails inside Chromium.

Cost: one Chromium per batch (per single run), TECH_SCAN_BROWSER_CONCURRENCY pages at once, each in its own
context (no cookie shared between prospects) and time-boxed (TECH_SCAN_BROWSER_PAGE_SECONDS). The browser
runs in a thread of its own with its own event loop; probe threads call `BrowserScanner.scan` and wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from prospecting.core.fetch import FetchError, FetchResult
from prospecting.enrichment.fingerprints import fingerprint_set

# What a page may load: its document, its scripts and the data they fetch. The rest cannot change what the
# scan reads (globals, cookies, DOM, script URLs) but costs fetches.
LOADED_TYPES = frozenset({"document", "script", "xhr", "fetch"})
# Chromium's network error names, for a request the fetcher could not make.
_ABORT_CODES = {
    "blocked": "blockedbyclient",
    "dns": "namenotresolved",
    "resolver": "namenotresolved",
    "timeout": "timedout",
    "connect": "connectionrefused",
    "tls": "failed",
    "too_many_redirects": "failed",
    "invalid_url": "addressunreachable",
}
# Chromium switches: no name resolves and every connection goes to a proxy that does not exist (loopback
# included), so the browser cannot reach anything the interception did not answer.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://no-network.invalid:9",
    "--proxy-bypass-list=<-loopback>",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-background-networking",
    "--dns-prefetch-disable",
    "--no-pings",
    # No automatic upgrade of http:// navigations to https:// (the page is the one the fetcher read; and
    # Chromium's fallback to http after a failed upgrade is not offered to the interception).
    "--disable-features=NetworkPrediction,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,HttpsFirstModeV2ForEngagedSites",
]
# Reads every `js` key on `window` the way Wappalyzer does: each step of a dotted path must be an own
# property of an object; strings and numbers are kept, any other value is only "present".
_READ_GLOBALS = """(keys) => {
  const found = {};
  for (const key of keys) {
    let value = window, present = true;
    for (const part of key.split('.')) {
      try {
        if (value !== null && (typeof value === 'object' || typeof value === 'function')
            && Object.prototype.hasOwnProperty.call(value, part)) { value = value[part]; }
        else { present = false; break; }
      } catch (e) { present = false; break; }
    }
    if (present) {
      found[key] = (typeof value === 'string' || typeof value === 'number') ? String(value).slice(0, 200)
        : String(!!value);
    }
  }
  return found;
}"""


class BrowserUnavailableError(Exception):
    """Chromium (or its driver) cannot be started: the scan falls back to static, saying why."""


class BrowserScanError(Exception):
    """One page could not be rendered (time box, crash): that page falls back to static, saying why."""


@dataclass
class BrowserEvidence:
    """What a rendered page showed."""

    url: str  # the page's address once loaded (after redirects)
    html: str  # the rendered DOM, serialised
    globals: dict[str, str]  # `js` key -> value ("true" when present without a string or number)
    cookies: dict[str, str]  # every cookie of the page, set by headers or by scripts
    script_urls: list[str]  # scripts the page loaded
    requests: int = 0  # requests the page made
    fetched: int = 0  # of which answered through the safe fetcher
    refused: list[str] = field(default_factory=list)  # refused by the address guard (first 20)
    partial: bool = False  # the page had not finished loading within its time box
    ms: int = 0  # wall time of the page

    def summary(self) -> dict[str, Any]:
        """What the tech profile keeps about the run (its JSON)."""
        return {
            "url": self.url,
            "ms": self.ms,
            "requests": self.requests,
            "fetched": self.fetched,
            "scripts_loaded": len(self.script_urls),
            "globals_found": len(self.globals),
            "refused_by_address_guard": self.refused,
            "partial": self.partial,
        }


def chromium_path() -> str | None:
    """The Chromium binary to use, or None when it is not installed."""
    path = settings.CHROME_PATH
    if os.path.isabs(path):
        return path if os.access(path, os.X_OK) else None
    return shutil.which(path)


def _fetch(url: str) -> FetchResult:
    from prospecting.enrichment.services.http_check import read_page

    return read_page(url)


class _PageState:
    def __init__(self, seed: FetchResult | None) -> None:
        self.cache: dict[str, FetchResult] = {}
        if seed is not None:
            self.cache[seed.url] = seed
        self.requests = 0
        self.fetched = 0
        self.in_flight = 0
        self.script_urls: list[str] = []
        self.refused: list[str] = []
        self.main_frame: Any = None
        self.site = ""  # the registrable-ish host of the page (www. dropped): where it may navigate itself
        self.expected_documents: set[str] = set()  # the first navigation and the redirect targets we sent


def _site_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


class BrowserScanner:
    """One Chromium for a batch: `start()`, then `scan(url)` from any thread, then `close()` (a run opens and
    closes it with `tech_scan.tech_scan_session`)."""

    def __init__(
        self,
        *,
        concurrency: int | None = None,
        page_seconds: float | None = None,
        settle_seconds: float | None = None,
        max_requests: int | None = None,
    ) -> None:
        self.concurrency = max(1, concurrency or settings.TECH_SCAN_BROWSER_CONCURRENCY)
        self.page_seconds = page_seconds or settings.TECH_SCAN_BROWSER_PAGE_SECONDS
        self.settle_seconds = settings.TECH_SCAN_BROWSER_SETTLE_SECONDS if settle_seconds is None else settle_seconds
        self.max_requests = max_requests or settings.TECH_SCAN_BROWSER_MAX_REQUESTS
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._fetchers = ThreadPoolExecutor(max_workers=8 * self.concurrency, thread_name_prefix="browser-fetch")
        self._playwright: Any = None
        self._browser: Any = None
        self._slots: Any = None  # an asyncio.Semaphore and Lock, made in the browser's loop by `_start`
        self._launch_lock: Any = None
        # One JSON string: Playwright serialises a list of 5,500 strings ten times slower than one string.
        self._js_keys = json.dumps(fingerprint_set().js_keys())
        self.pages = 0

    # --- life cycle (called from the caller's thread) ---------------------------------------------------

    def start(self) -> BrowserScanner:
        """Start the driver and Chromium; BrowserUnavailableError when either is missing or fails."""
        binary = chromium_path()
        if binary is None:
            raise BrowserUnavailableError(f"Chromium not found at {settings.CHROME_PATH} (CHROME_PATH)")
        try:
            import playwright.async_api  # noqa: F401
        except ImportError as exc:
            raise BrowserUnavailableError(f"the playwright package is not installed ({exc})") from exc
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="browser-scan", daemon=True)
        self._thread.start()
        try:
            self._call(self._start(binary), timeout=60)
        except Exception as exc:
            self.close()
            raise BrowserUnavailableError(f"Chromium could not be started: {str(exc).splitlines()[0][:200]}") from exc
        return self

    def scan(self, url: str, page: FetchResult | None = None) -> BrowserEvidence:
        """Render `url` and read it. `page`: the document the caller fetched already (not fetched again).

        Waits for a free slot (TECH_SCAN_BROWSER_CONCURRENCY), then at most TECH_SCAN_BROWSER_PAGE_SECONDS;
        BrowserScanError when the page could not be read."""
        try:
            return self._call(self._scan(url, page))
        except BrowserScanError:
            raise
        except Exception as exc:
            raise BrowserScanError(f"the browser failed on {url}: {str(exc).splitlines()[0][:200]}") from exc

    def close(self) -> None:
        """Close Chromium and the driver, and stop the browser's thread."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            with contextlib.suppress(Exception):
                self._call(self._stop(), timeout=30)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        if self._loop is not None and not self._loop.is_running():
            self._loop.close()
        self._loop = self._thread = None
        self._fetchers.shutdown(wait=False, cancel_futures=True)

    def _call(self, coroutine: Any, timeout: float | None = None) -> Any:
        if self._loop is None:
            raise BrowserScanError("the browser is not running")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # --- in the browser's thread ------------------------------------------------------------------------

    async def _start(self, binary: str) -> None:
        from playwright.async_api import async_playwright

        self._slots = asyncio.Semaphore(self.concurrency)
        self._launch_lock = asyncio.Lock()
        self._playwright = await async_playwright().start()
        self._browser = await self._launch(binary)

    async def _launch(self, binary: str) -> Any:
        return await self._playwright.chromium.launch(executable_path=binary, args=CHROMIUM_ARGS, timeout=30_000)

    async def _live_browser(self) -> Any:
        """The browser, started again if it crashed since the last page."""
        async with self._launch_lock:
            if self._browser is None or not self._browser.is_connected():
                binary = chromium_path()
                if binary is None:
                    raise BrowserScanError(f"Chromium not found at {settings.CHROME_PATH}")
                self._browser = await self._launch(binary)
            return self._browser

    async def _stop(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._browser.close(), 15)
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._playwright.stop(), 15)
        self._browser = self._playwright = None

    async def _scan(self, url: str, seed: FetchResult | None) -> BrowserEvidence:
        async with self._slots:  # the time box starts when the page has a slot
            browser = await self._live_browser()
            context = await browser.new_context(
                service_workers="block", user_agent=settings.ENRICHMENT_USER_AGENT, locale="fr-LU"
            )
            try:
                return await asyncio.wait_for(self._render(context, url, seed), self.page_seconds)
            except TimeoutError as exc:
                raise BrowserScanError(f"the page did not render within {self.page_seconds:g} s") from exc
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(context.close(), 10)
                self.pages += 1

    async def _render(self, context: Any, url: str, seed: FetchResult | None) -> BrowserEvidence:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeoutError

        started = time.perf_counter()
        state = _PageState(seed)
        await context.route("**/*", lambda route: self._answer(route, state))
        await context.route_web_socket("**/*", _refuse_websocket)
        page = await context.new_page()
        state.main_frame = page.main_frame
        state.site, state.expected_documents = _site_of(url), {url.split("#")[0]}
        partial = False
        # Leave time to read the page after `load`: the box covers loading, settling and reading.
        load_ms = max(1_000, int(self.page_seconds * 1000 * 0.7))
        try:
            await page.goto(url, wait_until="load", timeout=load_ms)
        except PlaywrightTimeoutError:
            partial = True  # read what is there
        except PlaywrightError as exc:
            raise BrowserScanError(f"the page could not be loaded: {str(exc).splitlines()[0][:200]}") from exc
        if not page.url.startswith(("http://", "https://")):  # Chromium's own error page
            raise BrowserScanError(f"the page could not be loaded ({page.url.split('#')[0][:100]})")
        deadline = time.perf_counter() + self.settle_seconds
        while state.in_flight and time.perf_counter() < deadline:  # late scripts (analytics loaders)
            await asyncio.sleep(0.05)
        try:
            globals_found, html = await self._read(page)
        except PlaywrightError:  # the page navigated (on its own site) while being read: read the new one
            await page.wait_for_load_state("load")
            globals_found, html = await self._read(page)
        cookies = {cookie["name"]: cookie["value"] for cookie in await context.cookies()}
        return BrowserEvidence(
            url=page.url,
            html=html,
            globals=globals_found,
            cookies=cookies,
            script_urls=list(dict.fromkeys(state.script_urls)),
            requests=state.requests,
            fetched=state.fetched,
            refused=state.refused[:20],
            partial=partial,
            ms=int((time.perf_counter() - started) * 1000),
        )

    async def _read(self, page: Any) -> tuple[dict[str, str], str]:
        globals_found = await page.evaluate(f"(keys) => ({_READ_GLOBALS})(JSON.parse(keys))", self._js_keys)
        return globals_found, await page.content()

    async def _answer(self, route: Any, state: _PageState) -> None:
        """Every request of the page: refused, or answered with what the safe fetcher got."""
        request = route.request
        state.requests += 1
        url = request.url.split("#")[0]
        document = request.resource_type == "document"
        wanted = (
            request.method == "GET"
            and request.resource_type in LOADED_TYPES
            and urlsplit(url).scheme in {"http", "https"}
            and (not document or request.frame == state.main_frame)
            and state.fetched < self.max_requests
        )
        # Once the page is there, it may send itself elsewhere on its own site (/fr/, a cookie wall), not
        # away (a frame-buster, an ad): that navigation is cancelled and the page stays ("aborted" keeps the
        # current document; another error would replace it with Chromium's error page).
        later_navigation = document and url not in state.expected_documents
        if later_navigation and _site_of(url) != state.site:
            wanted = False
        if not wanted:
            await _quietly(route.abort("aborted" if document else "blockedbyclient"))
            return
        result = state.cache.get(url)
        if result is None:
            state.in_flight += 1
            try:
                state.fetched += 1
                result = await asyncio.get_running_loop().run_in_executor(self._fetchers, _fetch, url)
            except FetchError as exc:
                if exc.kind == "blocked":
                    state.refused.append(url)
                code = "aborted" if later_navigation else _ABORT_CODES.get(exc.kind, "failed")
                await _quietly(route.abort(code))
                return
            finally:
                state.in_flight -= 1
            state.cache[result.url] = result
        if result.url != url and request.resource_type == "document":
            # The fetcher followed (and checked) the redirects; the browser is sent to where they ended, so the
            # page's address and its relative URLs are right. That address is answered from the cache.
            state.expected_documents.add(result.url)
            await _quietly(route.fulfill(status=302, headers={"location": result.url}, body=b""))
            return
        if request.resource_type == "script":
            state.script_urls.append(result.url)
        headers = {
            name: value
            for name, value in result.headers.items()
            if name not in {"content-encoding", "content-length", "transfer-encoding", "set-cookie", "connection"}
        }
        await _quietly(route.fulfill(status=result.status_code, headers=headers, body=result.body))


async def _refuse_websocket(websocket: Any) -> None:
    """Never connected to any server (not calling `connect_to_server`): closed at once."""
    await _quietly(websocket.close())


async def _quietly(action: Any) -> None:
    """A route answered after its page closed (time box) raises; nothing is left to do then."""
    with contextlib.suppress(Exception):
        await action
