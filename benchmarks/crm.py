"""The CRM's reads at a million prospects: `interactions/upcoming` for one owner, `stats` (the dashboard) and
`stats/conversions`, as the API answers them (p50/p95 of repeated calls after a warm-up).

Generates N prospects in SQL (the spread of benchmarks/admin_scale.py: ten statuses, a tenth offline, scores
0-100), a third of them owned by 20 sales users, one interaction with a follow-up for every second prospect
(due from 60 days ago to 60 days ahead, a fifth of them done) with the prospects' `next_follow_up_at` in step,
and a conversion for every hundredth. Run it on PostgreSQL, the production database:

    DATABASE_URL=postgres://prospecting:prospecting@127.0.0.1:5432/prospecting \
        .venv/bin/python benchmarks/crm.py [--prospects 1000000] [--calls 50]

BENCH_KEEP_DB=1 keeps the generated database; BENCH_REUSE_DB=1 measures again on it without generating.

Targets: `stats` p95 under 1 s at a million prospects; `interactions/upcoming` for one owner p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks._bench import django_setup  # noqa: E402

SALES_USERS = 20


def generate(count: int) -> list[int]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from benchmarks.admin_scale import _case, _insert_generated
    from benchmarks.admin_scale import generate as generate_prospects
    from prospecting.interactions.models import Interaction
    from prospecting.prospects.models import Conversion, Prospect

    generate_prospects(count)  # prospects, scores, contacts (and N users, ids 11..N+10)
    user_model = get_user_model()
    sales = Group.objects.get(name="Sales")
    owners = []
    for n in range(SALES_USERS):
        user = user_model.objects.create_user(f"sales{n}", f"sales{n}@agency.lu", is_staff=True)
        user.groups.add(sales)
        owners.append(user.pk)
    first = owners[0]
    pg = connection.vendor == "postgresql"
    due = "(current_date + ((i % 121) - 60))" if pg else "date('now', ((i % 121) - 60) || ' days')"
    owner = f"({first} + (i % {SALES_USERS}))"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE prospects_prospect SET owner_id = {first} + (id % {SALES_USERS}) WHERE id % 3 = 0"  # noqa: S608
        )
    now = "now()" if pg else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    _insert_generated(
        Interaction,
        count // 2,
        {
            "prospect_id": "(i * 2)",
            "interaction_type": _case("i", ["call", "email_sent", "visit", "meeting", "note"]),
            "subject": "'Follow-up call'",
            "notes": "''",
            "outcome": _case("i", ["positive", "neutral", "negative", "no_answer"]),
            "next_action": "'Send proposal'",
            "next_action_date": due,
            "follow_up_owner_id": owner,
            "follow_up_done_at": f"(CASE WHEN i % 5 = 0 THEN {now} ELSE NULL END)",
            "created_at": now,
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE prospects_prospect SET next_follow_up_at = (SELECT i.next_action_date FROM "
            "interactions_interaction i WHERE i.prospect_id = prospects_prospect.id "
            "AND i.follow_up_done_at IS NULL) WHERE id % 2 = 0"
        )
        cursor.execute("UPDATE prospects_prospect SET status = 'converted' WHERE id % 100 = 0")
    converted = "(current_date - (i % 200))" if pg else "date('now', '-' || (i % 200) || ' days')"
    _insert_generated(
        Conversion,
        count // 100,
        {
            "prospect_id": "(i * 100)",
            "plan": _case("i", ["basic", "business", "premium"]),
            "mrr": "(19 + (i % 5) * 20)",
            "converted_at": converted,
            "attributed_source": _case("i", ["import", "osm", "capture"]),
            "days_to_convert": "(i % 90)",
            "created_at": now,
            "updated_at": now,
        },
    )
    if pg:
        with connection.cursor() as cursor:
            for model in (Interaction, Conversion):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                )
            cursor.execute("VACUUM ANALYZE")
    if not Prospect.objects.filter(next_follow_up_at__isnull=False).exists():
        raise RuntimeError("no follow-up was generated")
    return owners


def p50_p95(client: object, url: str, calls: int) -> tuple[float, float]:
    client.get(url)  # warm-up: caches, plans
    timings = []
    for _ in range(calls):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    label = django_setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import override_settings
    from rest_framework.test import APIClient

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    start = time.perf_counter()
    from benchmarks._bench import reusing_data
    from prospecting.prospects.models import Prospect

    if reusing_data() and Prospect.objects.exists():  # BENCH_REUSE_DB=1: the data a BENCH_KEEP_DB=1 run kept
        owners = list(
            get_user_model().objects.filter(username__startswith="sales").order_by("pk").values_list("pk", flat=True)
        )
        get_user_model().objects.filter(username="bench-admin").delete()
    else:
        owners = generate(args.prospects)
    print(f"Database: {label}; {args.prospects:,} prospects, {args.prospects // 2:,} follow-ups, "
          f"{args.prospects // 100:,} conversions generated in {time.perf_counter() - start:.0f} s")  # fmt: skip

    admin = get_user_model().objects.create_superuser("bench-admin", "bench@example.lu", "x")
    sales = get_user_model().objects.get(pk=owners[0])
    base = "/api/admin/prospecting/"
    today = time.strftime("%Y-%m-%d")
    runs = [
        ("interactions/upcoming, one owner (admin)", admin, f"{base}interactions/upcoming?owner={sales.pk}"),
        ("interactions/upcoming, mine overdue (sales)", sales, f"{base}interactions/upcoming?owner=me&overdue=true"),
        ("interactions/upcoming, from today (sales)", sales, f"{base}interactions/upcoming?owner=me&from={today}"),
    ]
    for cached in (False, True):
        label = "cached for STATS_CACHE_SECONDS" if cached else "computed on every call"
        runs += [
            (f"stats (admin: every prospect), {label}", admin, f"{base}stats", cached),
            (f"stats (sales: own and unassigned), {label}", sales, f"{base}stats", cached),
            (f"stats/conversions (admin), {label}", admin, f"{base}stats/conversions", cached),
            (f"stats/conversions (sales), {label}", sales, f"{base}stats/conversions", cached),
        ]
    print(f"{'request':72} {'p50 ms':>8} {'p95 ms':>8}")
    for name, user, url, *cached in runs:
        client = APIClient()
        client.force_authenticate(user)
        with override_settings(STATS_CACHE_SECONDS=60 if cached and cached[0] else 0):
            p50, p95 = p50_p95(client, url, args.calls)
        print(f"{name:72} {p50:8.0f} {p95:8.0f}")


if __name__ == "__main__":
    main()
