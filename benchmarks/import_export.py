"""Import and export throughput.

1. Generates a 100,000-row CSV of domains (with company names and 1 % bad rows), imports it through the
   `import_prospects` command path and through django-import-export's default import of the same file
   (a fresh database table each time), and prints rows/s for both and their ratio.
2. Generates 1,000,000 prospects with scores and contacts and exports them with `export_leads` in a child
   process, printing rows/s and the child's peak RSS.

Usage: .venv/bin/python benchmarks/import_export.py [--import-rows N] [--export-rows N]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the project, not this folder (import_export!)

from benchmarks._bench import ROOT, django_setup, run_with_peak_rss  # noqa: E402

TARGET_RATIO = 20
TARGET_EXPORT_RSS_MB = 200


def make_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["domain_name", "business_name", "city"])
        for index in range(rows):
            domain = f"bad domain {index}" if index % 100 == 0 else f"site-{index}.lu"
            writer.writerow([domain, f"Company {index}", "Luxembourg"])


def wipe() -> None:
    from prospecting.prospects.models import ImportBatch, Prospect

    Prospect.objects.all().delete()
    ImportBatch.objects.all().delete()


def import_with_command(path: Path) -> float:
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("import_prospects", str(path), "--no-progress", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return time.perf_counter() - start


def import_with_import_export(path: Path) -> float:
    import tablib

    from prospecting.prospects.resources import ProspectResource

    start = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    ProspectResource().import_data(dataset, dry_run=False, raise_errors=False)
    return time.perf_counter() - start


def generate_prospects(count: int) -> None:
    from prospecting.prospects.models import Prospect, ProspectContact
    from prospecting.scoring.models import ProspectScore

    chunk = 10_000
    tiers = ["top_priority", "quick_win", "strategic", "low_priority"]
    for start in range(0, count, chunk):
        prospects = Prospect.objects.bulk_create(
            [
                Prospect(domain_name=f"gen-{i}.lu", business_name=f"Generated {i}", city="Esch-sur-Alzette")
                for i in range(start, min(start + chunk, count))
            ]
        )
        ProspectScore.objects.bulk_create(
            [ProspectScore(prospect=p, score=p.pk % 101, lead_tier=tiers[p.pk % 4]) for p in prospects]
        )
        ProspectContact.objects.bulk_create(
            [
                ProspectContact(prospect=p, contact_type="email", value=f"info@{p.domain_name}", is_primary=True)
                for p in prospects[::2]
            ]
        )


def export_in_child(out: Path) -> tuple[float, float]:
    return run_with_peak_rss(
        [sys.executable, "manage.py", "export_leads", "-o", str(out), "--no-progress"],
        cwd=ROOT,
        env=dict(os.environ),
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    database = django_setup()
    print(f"Database: {database}")

    folder = Path(tempfile.mkdtemp(prefix="prospecting-import-"))
    path = folder / "domains.csv"
    make_csv(path, args.import_rows)
    print(f"CSV: {args.import_rows:,} rows, {path.stat().st_size / 1e6:.1f} MB (1 % bad rows)")

    wipe()
    command_seconds = import_with_command(path)
    from prospecting.prospects.models import Prospect

    imported = Prospect.objects.count()
    wipe()
    ie_seconds = import_with_import_export(path)
    ie_imported = Prospect.objects.count()
    wipe()
    command_rate = args.import_rows / command_seconds
    ie_rate = args.import_rows / ie_seconds
    print(
        f"import_prospects command:      {command_rate:10,.0f} rows/s ({command_seconds:.1f} s, {imported:,} created)"
    )
    print(f"django-import-export default:  {ie_rate:10,.0f} rows/s ({ie_seconds:.1f} s, {ie_imported:,} created)")
    ratio = command_rate / ie_rate
    print(f"ratio: {ratio:.1f}x (target >= {TARGET_RATIO}x) {'OK' if ratio >= TARGET_RATIO else 'BELOW TARGET'}")

    start = time.perf_counter()
    generate_prospects(args.export_rows)
    print(f"Generated {args.export_rows:,} prospects in {time.perf_counter() - start:.0f} s")
    out = folder / "leads.csv"
    seconds, rss = export_in_child(out)
    with out.open(encoding="utf-8") as handle:
        lines = sum(1 for _ in handle) - 1
    print(f"export_leads: {lines:,} rows in {seconds:.1f} s = {lines / seconds:,.0f} rows/s, peak RSS {rss:.0f} MB")
    print(f"(target peak RSS <= {TARGET_EXPORT_RSS_MB} MB) {'OK' if rss <= TARGET_EXPORT_RSS_MB else 'ABOVE TARGET'}")


if __name__ == "__main__":
    main()
