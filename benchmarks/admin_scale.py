"""The admin's main pages at a million prospects, beside Django's own `auth.User` changelist with as many rows.

Generates N prospects in SQL (a realistic spread: ten statuses, 40 % with an e-mail, 30 % with a phone,
scores spread evenly over 0-100, two years of creation dates, a tenth offline), N scores and N users, then
times each page as a logged-in superuser (median of several loads, after one warm-up) and the filtered leads
API (p50/p95 of 50 calls). Run it on PostgreSQL, the production database:

    DATABASE_URL=postgres://prospecting:prospecting@127.0.0.1:5432/prospecting \
        .venv/bin/python benchmarks/admin_scale.py [--prospects 1000000]

Targets: each prospects and leads page within 1.5x the `auth.User` baseline and never above 1 s; the leads API
p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks._bench import django_setup  # noqa: E402

CITIES = ["Luxembourg", "Esch-sur-Alzette", "Differdange", "Dudelange", "Ettelbruck", "Diekirch", "Wiltz", "Remich"]
STATUSES = ["pending", "pending", "active", "active", "active", "parked", "error", "contacted", "converted", "inactive"]


def _case(expression: str, values: list[str]) -> str:
    whens = " ".join(f"WHEN {n} THEN '{value}'" for n, value in enumerate(values))
    return f"(CASE ({expression}) % {len(values)} {whens} END)"


def _insert_generated(model: type, count: int, expressions: dict[str, str], *, start: int = 1) -> None:
    """INSERT ... SELECT over a generated series: the given SQL expressions of `i`; every other column gets
    NULL or the field's default, so the statement follows the model as it grows."""
    from django.db import connection

    columns, selects, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in expressions:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in expressions:
            selects.append(expressions[field.column].replace("%", "%%"))  # a literal % beside placeholders
        elif field.null:
            selects.append("NULL")
        else:
            selects.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE g(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM g WHERE i < {start + count - 1}) "  # noqa: S608
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selects)} FROM g",
            params,
        )


def generate(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from prospecting.prospects.models import Prospect, ProspectContact
    from prospecting.scoring.models import ProspectScore

    text = "TEXT"
    if connection.vendor == "postgresql":
        created = "(now() - (i % 730) * interval '1 day' - (i % 86400) * interval '1 second')"
    else:
        created = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (i % 730) || ' days', '-' || (i % 86400) || ' seconds')"
    offline = "(i % 10 = 9)"
    _insert_generated(
        Prospect,
        count,
        {
            "id": "i",
            "channel": f"(CASE WHEN {offline} THEN 'offline' ELSE 'digital' END)",
            "domain_name": f"(CASE WHEN {offline} THEN NULL ELSE 'business-' || CAST(i AS {text}) || '.lu' END)",
            "business_name": f"('Société ' || CAST(i AS {text}) || ' ' || {_case('i / 7', CITIES)})",
            "status": _case("i * 7", STATUSES),
            "source": _case("i", ["import", "import", "osm", "capture"]),
            "city": _case("i / 3", CITIES),
            "country": "'LU'",
            "has_website": f"(NOT {offline})",
            "uses_https": "(i % 3 <> 0)",
            "lead_score": "((i * 37) % 101)",
            "lead_tier": "(CASE WHEN ((i * 37) % 101) >= 70 THEN 'top_priority' WHEN ((i * 37) % 101) >= 50 "
            "THEN 'quick_win' ELSE 'low_priority' END)",
            "created_at": created,
            "updated_at": created,
        },
    )
    score = "((i * 37) % 101)"
    tier = f"(CASE WHEN {score} >= 70 THEN 'top_priority' WHEN {score} >= 50 THEN 'quick_win' ELSE 'low_priority' END)"
    _insert_generated(
        ProspectScore,
        count,
        {
            "prospect_id": "i",
            "score": score,
            "lead_tier": tier,
            "lead_type": _case("i", ["no_website", "bad_website", "outdated_cms", "slow_website"]),
            "reason_flags": "'[\"no_https\"]'",
            "score_breakdown": "'{}'",
            "computed_at": created,
        },
    )
    emails = count * 2 // 5
    _insert_generated(
        ProspectContact,
        emails,
        {
            "prospect_id": "(i * 5 / 2)",
            "contact_type": "'email'",
            "value": f"('info' || CAST(i AS {text}) || '@business.lu')",
            "is_primary": "(1 = 1)",
            "created_at": created,
        },
    )
    _insert_generated(
        ProspectContact,
        count * 3 // 10,
        {
            "prospect_id": "(i * 10 / 3)",
            "contact_type": "'phone'",
            "value": f"('+352 621 ' || CAST(i AS {text}))",
            "is_primary": "(1 = 1)",
            "created_at": created,
        },
        start=1,
    )
    user_model = get_user_model()
    _insert_generated(
        user_model,
        count,
        {
            "id": "i + 10",
            "username": f"('user' || CAST(i AS {text}))",
            "email": f"('user' || CAST(i AS {text}) || '@example.lu')",
            "first_name": _case("i", ["Anne", "Marc", "Sophie", "Luc", "Claire"]),
            "last_name": _case("i / 5", ["Weber", "Schmit", "Muller", "Wagner", "Hoffmann"]),
            "password": "'!'",
            "is_active": "(1 = 1)",
            "date_joined": created,
        },
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Prospect, ProspectScore, ProspectContact, user_model):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                )
            cursor.execute("VACUUM ANALYZE")


def page_time(client: object, url: str, loads: int = 5, *, cold: bool = False) -> float:
    """Median time of `loads` loads after a warm-up; `cold`: the cache (the dashboard's figures) is emptied
    before each load, so every load computes them."""
    from django.core.cache import cache

    client.get(url)  # warm-up: caches, plans
    timings = []
    for _ in range(loads):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=1_000_000)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    label = django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    # Pages are rendered here without collectstatic: plain static URLs (the manifest is not part of the figure).
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    start = time.perf_counter()
    from benchmarks._bench import reusing_data
    from prospecting.prospects.models import Prospect

    if reusing_data() and Prospect.objects.exists():  # BENCH_REUSE_DB=1: the data a BENCH_KEEP_DB=1 run kept
        get_user_model().objects.filter(username="bench-admin").delete()
    else:
        generate(args.prospects)
    took = time.perf_counter() - start
    print(f"Database: {label}; {args.prospects:,} prospects, scores and users generated in {took:.0f} s")

    admin = get_user_model().objects.create_superuser("bench-admin", "bench@example.lu", "x")
    client = Client()
    client.force_login(admin)
    last_page = min(5000, max(1, args.prospects // 100))
    pages = [
        ("auth.User changelist (baseline)", "/admin/auth/user/"),
        ("auth.User page 5,000 (baseline)", f"/admin/auth/user/?p={last_page}"),
        ("prospects changelist", "/admin/prospects/prospect/"),
        ("prospects page 5,000", f"/admin/prospects/prospect/?p={last_page}"),
        ("prospects search", "/admin/prospects/prospect/?q=business-123456"),
        ("prospects search by e-mail", "/admin/prospects/prospect/?q=info4242%40business.lu"),
        ("prospects status filter", "/admin/prospects/prospect/?status__exact=parked"),
        ("leads changelist", "/admin/scoring/lead/"),
        ("leads page 5,000", f"/admin/scoring/lead/?p={last_page}"),
        ("leads Top priority", "/admin/scoring/lead/?preset=top_priority"),
        ("dashboard (admin index)", "/admin/"),
    ]
    results = {name: page_time(client, url, args.loads) for name, url in pages}
    results["dashboard, figures recomputed"] = page_time(client, "/admin/", args.loads, cold=True)
    baseline = results["auth.User changelist (baseline)"]
    print(f"{'page':36} {'median ms':>10} {'x baseline':>11}")
    for name, ms in results.items():
        print(f"{name:36} {ms:10.0f} {ms / baseline:11.2f}")

    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(admin)
    url = "/api/admin/prospecting/leads?min_score=60&has_email=true&channel=digital"
    api.get(url)
    timings = []
    for _ in range(50):
        start = time.perf_counter()
        response = api.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"leads API answered {response.status_code}")
    timings.sort()
    print(f"leads API (min_score=60, has_email, digital): p50 {statistics.median(timings):.0f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
