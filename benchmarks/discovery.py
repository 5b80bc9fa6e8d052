"""Discovered listings normalized into prospects: raw records → prospects (matching, contacts, scores).

Creates N raw records (60 % with a website, all with a phone, 10 % already prospects, 5 % listed twice under
another id) and imports them with the same job the admin's "Import selected" runs. Prints listings/s.

    .venv/bin/python benchmarks/discovery.py [--records 100000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks._bench import django_setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    label = django_setup()
    from django.db.models import Count

    from prospecting.discovery.models import DiscoverySource, RawRecord
    from prospecting.discovery.services import raw_records_import_start
    from prospecting.prospects.models import Prospect

    source = DiscoverySource.objects.create(name="OpenStreetMap", slug="osm", kind="osm")
    existing = []
    records = []
    for i in range(args.records):
        same = i - 1 if i % 20 == 19 else i  # every 20th listing is the previous business under another id
        website = f"https://www.business-{same}.lu/" if same % 5 < 3 else ""
        fields = {
            "name": f"Business {same}",
            "street": f"{same % 200} Grand-Rue",
            "postal_code": f"L-{1000 + same % 8000}",
            "city": "Luxembourg",
            "phone": f"+352 {20000000 + same}",
            "website": website,
            "category": "shop=bakery",
        }
        records.append(RawRecord(source=source, external_id=f"node/{i}", data_hash=f"{i:064x}", fields=fields,
                                 payload={"id": i, "tags": fields}, name=fields["name"]))  # fmt: skip
        if i % 10 == 0 and website:
            existing.append(Prospect(domain_name=f"business-{same}.lu", business_name=""))
    RawRecord.objects.bulk_create(records, batch_size=5000)
    Prospect.objects.bulk_create(existing, batch_size=5000)
    ids = list(RawRecord.objects.values_list("pk", flat=True))
    start, cpu_start = time.perf_counter(), time.process_time()
    job = raw_records_import_start(record_ids=ids, foreground=True)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    counts = dict(RawRecord.objects.values_list("status").annotate(n=Count("pk")))
    print(f"Database: {label}")
    print(
        f"{args.records:,} raw records normalized in {elapsed:.1f} s = {args.records / elapsed:,.0f} listings/s "
        f"(target >= 2,000/s on SQLite); job {job.status}"
    )
    print(f"CPU of this process: {cpu:.1f} s = {args.records / cpu:,.0f} listings per CPU-second (load-independent)")
    print(f"outcomes: {counts}; prospects now {Prospect.objects.count():,}")


if __name__ == "__main__":
    main()
