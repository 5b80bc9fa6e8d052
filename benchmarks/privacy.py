"""Privacy at scale: how long an erasure takes (it reads every text and JSON column of every table once), what
the suppression check costs an import, and how fast the retention purge goes.

Generates N prospects with scores, e-mail and phone contacts (benchmarks/admin_scale.py), N activity entries
and N import lines with a JSON payload each, and S suppression entries; then measures:

1. `person_erase` of one person (an e-mail and a phone held in a contact, an import line and an activity
   entry): seconds, and rows changed;
2. `suppression_check` of 1,000 import rows (e-mail, phone, domain each): rows/s;
3. an import of 20,000 lines, with a suppression list of S entries of which 1,000 hit: lines/s, vs the same
   import with an empty list;
4. the retention purge of 10,000 old, untouched prospects: prospects/s.

    .venv/bin/python benchmarks/privacy.py [--prospects 100000] [--suppressed 100000]
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/privacy.py --prospects 1000000
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks._bench import django_setup  # noqa: E402


def generate(prospects: int, suppressed: int) -> None:
    from django.db import connection

    from benchmarks.admin_scale import _insert_generated
    from benchmarks.admin_scale import generate as generate_prospects
    from prospecting.core.models import ActivityLog, Suppression
    from prospecting.core.suppression import suppression_hash
    from prospecting.prospects.models import ImportBatch, ImportRow, Prospect

    generate_prospects(prospects)
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(Prospect).pk
    _insert_generated(
        ActivityLog,
        prospects,
        {
            "content_type_id": str(content_type),
            "object_id": "CAST(i AS TEXT)",
            "action": "'contact_added'",
            "description": "('Added E-mail: info' || CAST(i AS TEXT) || '@business.lu')",
            "metadata": "'{}'",
            "prospect_id": "i",
            "created_at": "'2026-01-01 00:00:00'",
        },
    )
    batch = ImportBatch.objects.create(name="bench.csv")
    _insert_generated(
        ImportRow,
        prospects,
        {
            "batch_id": str(batch.pk),
            "line_number": "i",
            "raw_payload": '(\'{"domain": "business-\' || CAST(i AS TEXT) || \'.lu", "email": "info\' || '
            'CAST(i AS TEXT) || \'@business.lu", "phone": "+352 621 \' || CAST(i AS TEXT) || \'"}\')',
            "data_hash": "'x'",
            "prospect_id": "i",
            "outcome": "'created'",
        },
    )
    Suppression.objects.bulk_create(
        [
            Suppression(kind="email", value_hash=suppression_hash("email", f"gone{i}@elsewhere.lu"), reason="erased")
            for i in range(suppressed)
        ],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def bench_erase(prospects: int) -> None:
    from prospecting.privacy.services import person_erase

    target = prospects * 2 // 5 // 2  # an e-mail contact in the middle of the table
    email = f"info{target}@business.lu"
    start = time.perf_counter()
    request = person_erase(emails=[email], phones=[f"+352 621 {target * 10 // 3 // 2}"])
    elapsed = time.perf_counter() - start
    rows = sum(request.counts["rows"].values())
    print(f"erasure of one person: {elapsed:.2f} s ({rows} rows changed or deleted: {request.counts['rows']})")


def bench_check() -> None:
    from prospecting.core.suppression import suppression_check

    emails = [f"someone{i}@shop{i}.lu" for i in range(1000)]
    phones = [f"+352 621 {100000 + i}" for i in range(1000)]
    domains = [f"shop{i}.lu" for i in range(1000)]
    start = time.perf_counter()
    for _ in range(5):
        check = suppression_check(emails=emails, phones=phones, domains=domains)
        for email, phone, domain in zip(emails, phones, domains, strict=True):
            check.email(email) or check.phone(phone) or check.domain(domain)
    elapsed = time.perf_counter() - start
    print(f"suppression check: {5000 / elapsed:,.0f} import rows/s (e-mail, phone and domain each)")


def bench_import(lines: int) -> None:
    from prospecting.core.models import Suppression
    from prospecting.core.suppression import suppression_import
    from prospecting.prospects import services
    from prospecting.prospects.models import Prospect

    folder = Path(tempfile.mkdtemp(prefix="privacy-bench-"))

    def run(tag: str) -> float:
        path = folder / f"{tag}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["domain", "business_name", "email", "phone"])
            for i in range(lines):
                writer.writerow([f"{tag}-{i}.lu", f"Shop {i}", f"boss{i}@{tag}-{i}.lu", f"+352 691 {200000 + i}"])
        batch = services.import_batch_create(path=path, name=path.name)
        start = time.perf_counter()
        services.import_batch_run(batch=batch)
        return time.perf_counter() - start

    plain = run("plain")
    Prospect.objects.filter(domain_name__startswith="plain-").delete()
    suppression_import(lines=[f"boss{i}@listed-{i}.lu" for i in range(0, lines, lines // 1000)], reason="objection")
    listed = run("listed")
    suppressed = Suppression.objects.filter(reason="objection").count()
    print(
        f"import of {lines:,} lines: {lines / plain:,.0f} lines/s with no hit, {lines / listed:,.0f} lines/s with "
        f"{suppressed} suppressed addresses among them (list of {Suppression.objects.count():,} entries)"
    )


def bench_retention(count: int) -> None:
    import datetime

    from django.utils import timezone

    from prospecting.privacy.services import retention_start
    from prospecting.prospects.models import Prospect

    old = timezone.now() - datetime.timedelta(days=3 * 365)
    ids = list(Prospect.objects.order_by("pk").values_list("pk", flat=True)[:count])
    Prospect.objects.filter(pk__in=ids).update(created_at=old, contacted_at=None, status="pending")
    start = time.perf_counter()
    dry = retention_start(dry_run=True, foreground=True, months=24)
    dry_elapsed = time.perf_counter() - start
    start = time.perf_counter()
    job = retention_start(dry_run=False, foreground=True, months=24)
    elapsed = time.perf_counter() - start
    purged = job.params["outcomes"]["purged"]
    print(
        f"retention: dry run {dry_elapsed:.2f} s ({dry.params['outcomes']['would_purge']:,} would go), "
        f"purge {purged:,} prospects in {elapsed:.1f} s ({purged / elapsed:,.0f}/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--suppressed", type=int, default=100_000)
    parser.add_argument("--import-lines", type=int, default=20_000)
    parser.add_argument("--purge", type=int, default=10_000)
    args = parser.parse_args()
    label = django_setup()
    print(f"{label}: {args.prospects:,} prospects, {args.suppressed:,} suppression entries")
    start = time.perf_counter()
    generate(args.prospects, args.suppressed)
    print(f"generated in {time.perf_counter() - start:.0f} s")
    bench_erase(args.prospects)
    bench_check()
    bench_import(args.import_lines)
    bench_retention(args.purge)


if __name__ == "__main__":
    main()
