"""Refresh docs/screenshots/ from demo data: a throwaway SQLite database (migrated, demo data, an admin), a
local web server on it, and Debian's Chromium driven by Playwright (a development dependency)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
USERNAME = "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    raise CommandError("Chromium is not installed: run `bash .ci/chromium-up` (or set CHROMIUM_PATH).")


class Command(BaseCommand):
    help = (
        "Refresh docs/screenshots/ (dashboard, prospects list, prospect page, leads, quick capture on a phone) "
        "from demo data in a throwaway database. Needs Chromium and the playwright package (requirements-dev)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.BASE_DIR / "docs" / "screenshots"), help="Folder.")
        parser.add_argument("--language", default="en-gb", help="Language of the pages (en-gb, fr, de).")

    def handle(self, *args, **options):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise CommandError("Install the development requirements (playwright): make install") from exc
        chromium = _chromium()
        output = Path(options["output"])
        output.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(16)
        with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'db.sqlite3'}",
                "DEBUG": "1",
                "ADMIN_USERNAME": USERNAME,
                "ADMIN_PASSWORD": password,
                "ENV_FILE": str(Path(folder) / "none.env"),  # the developer's .env must not point elsewhere
                "SECRET_KEY": secrets.token_urlsafe(40),
                "LANGUAGE_CODE": options["language"],
            }
            self.stdout.write("Preparing a throwaway database with demo data…")
            for command in (["migrate", "--noinput", "-v0"], ["ensure_admin"], ["seed_demo"]):
                self._manage(command, env)
            best = self._manage(
                [
                    "shell",
                    "-c",
                    "from prospecting.prospects.models import Prospect; "
                    "print(Prospect.objects.filter(score__isnull=False, domain_name__isnull=False)"
                    ".order_by('-score__score', 'pk').values_list('pk', flat=True).first())",
                ],
                env,
            ).split()[-1]
            port = _free_port()
            server = subprocess.Popen(  # noqa: S603 (our own manage.py)
                [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                self._wait_for(base + "/admin/login/")
                locale = {"fr": "fr-LU", "de": "de-LU"}.get(options["language"], "en-GB")
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=chromium,
                        args=["--no-sandbox", f"--lang={locale}"],  # date fields too
                    )
                    try:
                        self._shoot(browser, base, password, best, output, locale)
                    finally:
                        browser.close()
            finally:
                server.terminate()
                server.wait(timeout=10)

    def _manage(self, command: list[str], env: dict[str, str]) -> str:
        result = subprocess.run(  # noqa: S603 (our own manage.py)
            [sys.executable, "manage.py", *command],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CommandError(f"manage.py {command[0]} failed:\n{result.stderr[-2000:]}")
        return result.stdout

    @staticmethod
    def _wait_for(url: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (http on 127.0.0.1)
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise CommandError(f"The web server did not answer at {url}") from None
                time.sleep(0.3)

    def _shoot(self, browser, base: str, password: str, best: str, output: Path, locale: str) -> None:
        pages = [
            ("dashboard", "/admin/prospecting/", DESKTOP),
            ("prospects", "/admin/prospecting/prospects/", DESKTOP),
            ("prospect", f"/admin/prospecting/prospects/{best}/", DESKTOP),
            ("leads", "/admin/prospecting/leads/", DESKTOP),
            ("quick-capture", "/admin/prospecting/capture/", PHONE),
        ]
        for name, path, viewport in pages:
            context = browser.new_context(base_url=base, viewport=viewport, locale=locale, device_scale_factor=1)
            page = context.new_page()
            page.goto("/admin/login/")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", password)
            page.click("[type=submit]")
            page.wait_for_load_state()
            response = page.goto(path)
            page.wait_for_load_state("networkidle")
            if response is None or response.status != 200 or "/login/" in page.url:
                raise CommandError(f"{path} answered {response.status if response else 'nothing'} at {page.url}")
            target = output / f"{name}.png"
            page.screenshot(path=target, full_page=viewport is PHONE)
            context.close()
            self.stdout.write(f"{target}")
        self.stdout.write(self.style.SUCCESS(f"Screenshots refreshed in {output}"))
