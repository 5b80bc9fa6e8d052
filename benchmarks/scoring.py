"""Scoring at scale.

Generates N prospects (default 1,000,000) with tech and performance profiles, contacts and interactions,
then prints:
  * the batch recompute of all of them (prospects/s),
  * a naive per-row loop (load each prospect's relations, evaluate, save()) on a 20,000 sample, and the
    speed-up of the batch path over it,
  * GET /api/admin/prospecting/leads?min_score=60&has_email=true&channel=digital: p50/p95 over 50 calls.

PostgreSQL via DATABASE_URL (a separate <name>_bench database is created and dropped), SQLite otherwise.
Targets on PostgreSQL: 1M recompute <= 60 s, >= 20x the naive loop, leads p95 <= 100 ms.

Usage: .venv/bin/python benchmarks/scoring.py [--prospects N] [--sample N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks._bench import django_setup  # noqa: E402


def generate(count: int) -> None:
    from django.utils import timezone

    from prospecting.enrichment.models import PerformanceProfile, TechProfile
    from prospecting.interactions.models import Interaction
    from prospecting.prospects.models import Prospect, ProspectContact

    rng = random.Random(1)
    now = timezone.now()
    chunk = 10_000
    cms_choices = [("WordPress", "5.8.1"), ("WordPress", "6.5"), ("Joomla", "3.10"), ("Wix", ""), ("", "")]
    for start in range(0, count, chunk):
        prospects = Prospect.objects.bulk_create(
            [
                Prospect(
                    domain_name=f"gen-{i}.lu",
                    business_name=f"Generated {i}",
                    status=rng.choice(["pending", "active", "active", "parked", "error"]),
                    has_website=rng.choice([True, True, False, None]),
                    uses_https=rng.choice([True, False]),
                    http_status_code=rng.choice([200, 200, 404, 500]),
                    country=rng.choice(["LU", "LU", "BE", "FR"]),
                    city="Luxembourg",
                    address=rng.choice(["", "1, Grand-Rue"]),
                )
                for i in range(start, min(start + chunk, count))
            ],
            batch_size=2000,
        )
        techs, perfs, contacts, interactions = [], [], [], []
        for prospect in prospects:
            if rng.random() < 0.6:
                cms, version = rng.choice(cms_choices)
                techs.append(
                    TechProfile(
                        prospect=prospect,
                        cms=cms,
                        cms_version=version,
                        analytics=rng.choice(["", "Google Analytics"]),
                        tech_stack_json={
                            "technologies": [{"name": "jQuery", "version": rng.choice(["1.12.4", "3.7.1"])}]
                        },
                        scanned_at=now,
                    )
                )
            if rng.random() < 0.5:
                perfs.append(
                    PerformanceProfile(
                        prospect=prospect,
                        performance_score=rng.randint(5, 100),
                        seo_score=rng.randint(30, 100),
                        accessibility_score=rng.randint(30, 100),
                        largest_contentful_paint_ms=rng.randint(800, 12000),
                        is_mobile_friendly=rng.random() < 0.6,
                        scanned_at=now,
                    )
                )
            if rng.random() < 0.4:
                contacts.append(
                    ProspectContact(
                        prospect=prospect, contact_type="email", value=f"info@{prospect.domain_name}", is_primary=True
                    )
                )
            if rng.random() < 0.3:
                contacts.append(
                    ProspectContact(
                        prospect=prospect, contact_type="phone", value=f"+352 {prospect.pk}", is_primary=True
                    )
                )
            if rng.random() < 0.05:
                interactions.append(Interaction(prospect=prospect, interaction_type="call", outcome="positive"))
        TechProfile.objects.bulk_create(techs, batch_size=2000)
        PerformanceProfile.objects.bulk_create(perfs, batch_size=2000)
        ProspectContact.objects.bulk_create(contacts, batch_size=2000)
        Interaction.objects.bulk_create(interactions, batch_size=2000)


def naive_loop(ids: list[int]) -> float:
    """What a straightforward implementation does: one prospect at a time, relations via attributes."""
    from django.utils import timezone

    from prospecting.prospects.models import Prospect
    from prospecting.scoring.models import ProspectScore
    from prospecting.scoring.rules import ProspectFacts, active_rule_set
    from prospecting.scoring.services import score_evaluate

    rule_set = active_rule_set()
    start = time.perf_counter()
    for prospect_id in ids:
        prospect = Prospect.objects.get(pk=prospect_id)
        tech = getattr(prospect, "tech_profile", None) if hasattr(prospect, "tech_profile") else None
        perf = getattr(prospect, "performance_profile", None) if hasattr(prospect, "performance_profile") else None
        last_positive = prospect.interactions.filter(outcome="positive").order_by("-created_at").first()
        facts = ProspectFacts(
            channel=prospect.channel,
            status=prospect.status,
            has_domain=bool(prospect.domain_name),
            has_website=prospect.has_website,
            uses_https=prospect.uses_https,
            http_status_code=prospect.http_status_code,
            country=prospect.country,
            postal_code=prospect.postal_code,
            address=prospect.address,
            city=prospect.city,
            cms=tech.cms if tech else "",
            cms_version=tech.cms_version if tech else "",
            analytics=tech.analytics if tech else "",
            tech_stack=tech.tech_stack_json if tech else {},
            tech_scanned=bool(tech and tech.scanned_at),
            performance_score=perf.performance_score if perf else None,
            lcp_ms=perf.largest_contentful_paint_ms if perf else None,
            is_mobile_friendly=perf.is_mobile_friendly if perf else None,
            has_email=prospect.contacts.filter(contact_type="email").exists(),
            has_phone=prospect.contacts.filter(contact_type="phone").exists(),
            last_positive_interaction=last_positive.created_at if last_positive else None,
            now=timezone.now(),
        )
        result = score_evaluate(facts, rule_set)
        score, _ = ProspectScore.objects.get_or_create(prospect=prospect)
        score.score = result.score
        score.lead_tier = result.lead_tier
        score.reason_flags = result.reason_flags
        score.score_breakdown = result.breakdown
        score.computed_at = timezone.now()
        score.save()
    return time.perf_counter() - start


def leads_latency(calls: int = 50) -> tuple[float, float, int]:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    user = get_user_model().objects.create(username="bench", is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_authenticate(user)
    url = "/api/admin/prospecting/leads?min_score=60&has_email=true&channel=digital"
    count = client.get(url).json()["count"]  # warm-up
    timings = []
    for _ in range(calls):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"leads answered {response.status_code}")
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    database = django_setup()
    from django.db import connection

    from prospecting.prospects.models import Prospect
    from prospecting.scoring.services import scores_compute_batch

    print(f"Database: {database}")
    start = time.perf_counter()
    generate(args.prospects)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"Generated {args.prospects:,} prospects with profiles in {time.perf_counter() - start:.0f} s")

    start = time.perf_counter()
    computed = scores_compute_batch(queryset=Prospect.objects.all())
    batch_seconds = time.perf_counter() - start
    batch_rate = computed / batch_seconds
    print(f"Batch recompute: {computed:,} scores in {batch_seconds:.1f} s = {batch_rate:,.0f} prospects/s")

    sample = list(Prospect.objects.order_by("?").values_list("pk", flat=True)[: args.sample])
    naive_seconds = naive_loop(sample)
    naive_rate = len(sample) / naive_seconds
    print(f"Naive per-row save() loop: {len(sample):,} in {naive_seconds:.1f} s = {naive_rate:,.0f} prospects/s")
    print(f"Speed-up of the batch path: {batch_rate / naive_rate:.1f}x (target >= 20x)")
    if args.prospects >= 1_000_000:
        print(f"1M recompute: {batch_seconds:.1f} s (target <= 60 s on PostgreSQL)")

    p50, p95, count = leads_latency()
    query = "GET leads?min_score=60&has_email=true&channel=digital"
    print(f"{query} ({count:,} matches): p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 <= 100 ms)")


if __name__ == "__main__":
    main()
