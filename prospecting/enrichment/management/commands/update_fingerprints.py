import json
import shutil
import tempfile
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from prospecting.enrichment.fingerprints import FINGERPRINT_FILES, fingerprint_dir


class Command(BaseCommand):
    help = "Download a newer Wappalyzer-format fingerprint snapshot (needs internet); the shipped copy stays."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="Base URL of the snapshot (default FINGERPRINTS_UPDATE_URL)")

    def handle(self, *args, **options):
        base = (options["url"] or settings.FINGERPRINTS_UPDATE_URL).rstrip("/")
        target = Path(settings.FINGERPRINTS_DIR)
        before = _count(fingerprint_dir())
        session = requests.Session()
        session.trust_env = False
        with tempfile.TemporaryDirectory(dir=target.parent if target.parent.exists() else None) as folder:
            staging = Path(folder) / "snapshot"
            for name in FINGERPRINT_FILES:
                url = f"{base}/{name}"
                try:
                    response = session.get(url, timeout=30)
                    response.raise_for_status()
                    data = response.json()
                except (requests.RequestException, ValueError) as exc:
                    raise CommandError(f"{url}: {exc}. Nothing was changed.") from exc
                _validate(name, data)
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            target.parent.mkdir(parents=True, exist_ok=True)
            previous = target.with_name(target.name + ".previous")
            if target.exists():
                shutil.rmtree(previous, ignore_errors=True)
                target.rename(previous)
            staging.rename(target)
            shutil.rmtree(previous, ignore_errors=True)
        after = _count(target)
        self.stdout.write(self.style.SUCCESS(f"Fingerprints updated: {before} → {after} technologies in {target}."))
        self.stdout.write("Restart the web server and workers to use them.")


def _validate(name: str, data: object) -> None:
    if not isinstance(data, dict) or not data:
        raise CommandError(f"{name}: expected a non-empty JSON object. Nothing was changed.")
    if name.startswith("technologies/"):
        for tech, spec in data.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("cats", []), list):
                raise CommandError(f"{name}: {tech!r} is not a technology definition. Nothing was changed.")


def _count(folder: Path) -> int:
    return sum(len(json.loads(path.read_text(encoding="utf-8"))) for path in (folder / "technologies").glob("*.json"))
