"""update_fingerprints downloads a snapshot (here from a local server) and the matcher uses it."""

import io
import json
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from prospecting.enrichment.fingerprints import SHIPPED_FINGERPRINT_DIR, PageSignals, fingerprint_set


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def snapshot_server(tmp_path):
    source = tmp_path / "upstream"
    shutil.copytree(SHIPPED_FINGERPRINT_DIR, source, ignore=shutil.ignore_patterns("LICENSE", "*.md", "groups.json"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(source)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield source, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fresh_matcher():
    fingerprint_set.cache_clear()
    yield
    fingerprint_set.cache_clear()


def detect_names(html):
    page = PageSignals.from_page(url="https://x.lu/", headers={}, cookies={}, html=html)
    return {d.name for d in fingerprint_set().detect(page)}


def test_update_downloads_validates_and_is_used(snapshot_server, settings, tmp_path, fresh_matcher):
    source, url = snapshot_server
    letters = source / "technologies" / "z.json"
    data = json.loads(letters.read_text())
    data["Zzz Local CMS"] = {"cats": [1], "website": "https://example.test", "meta": {"generator": "^ZzzCMS"}}
    letters.write_text(json.dumps(data))
    settings.FINGERPRINTS_DIR = str(tmp_path / "var" / "fingerprints")
    html = '<meta name="generator" content="ZzzCMS 1.0">'
    assert "Zzz Local CMS" not in detect_names(html)
    out = io.StringIO()
    call_command("update_fingerprints", "--url", url, stdout=out)
    assert "Fingerprints updated" in out.getvalue()
    fingerprint_set.cache_clear()
    assert "Zzz Local CMS" in detect_names(html)


def test_broken_snapshot_changes_nothing(snapshot_server, settings, tmp_path, fresh_matcher):
    source, url = snapshot_server
    (source / "technologies" / "q.json").write_text("{not json")
    settings.FINGERPRINTS_DIR = str(tmp_path / "var" / "fingerprints")
    with pytest.raises(CommandError, match=r"q\.json"):
        call_command("update_fingerprints", "--url", url, stdout=io.StringIO())
    assert not (tmp_path / "var" / "fingerprints").exists()
    assert "WordPress" in detect_names('<meta name="generator" content="WordPress 6.4">')
