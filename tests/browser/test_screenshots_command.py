"""`manage.py screenshots` refreshes the README's pictures from demo data, in a database of its own."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import chromium_path

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["dashboard", "prospects", "prospect", "leads", "quick-capture"]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_the_screenshots_command_shoots_the_five_pages_of_the_readme(tmp_path):
    if chromium_path() is None:
        pytest.skip("Chromium is not installed")
    pytest.importorskip("playwright.sync_api")
    result = subprocess.run(  # noqa: S603 - a process of its own: Playwright's sync API wants a thread without an event loop
        [sys.executable, "manage.py", "screenshots", "--output", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(path.stem for path in tmp_path.iterdir()) == sorted(NAMES)
    for name in ["dashboard", "prospects", "prospect", "leads"]:
        assert png_size(tmp_path / f"{name}.png") == (1440, 900)
    width, height = png_size(tmp_path / "quick-capture.png")
    assert width == 390 and height >= 844  # the whole form, at phone width
