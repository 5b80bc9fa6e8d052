"""Computing and storing scores: single and batch agree, stale detection, recompute triggers."""

import datetime

import pytest
from django.utils import timezone

from prospecting.interactions.services import interaction_create
from prospecting.prospects.models import Prospect
from prospecting.scoring.models import ProspectScore
from prospecting.scoring.rules import active_rule_set
from prospecting.scoring.selectors import stale_scores_queryset
from prospecting.scoring.services import score_compute, scores_compute_batch
from tests.factories import (
    InteractionFactory,
    OfflineProspectFactory,
    PerformanceProfileFactory,
    ProspectContactFactory,
    ProspectFactory,
    TechProfileFactory,
)

pytestmark = pytest.mark.django_db

COMPARED = [
    "score",
    "technical_health_score",
    "modernity_score",
    "business_value_score",
    "engagement_score",
    "reason_flags",
    "score_breakdown",
    "lead_tier",
    "lead_type",
    "intent_level",
    "buying_signal",
    "recommended_channel",
    "summary",
    "rules_version",
]


def make_varied_prospects(count=60):
    prospects = []
    for index in range(count):
        prospect = ProspectFactory(
            status=["pending", "active", "parked", "error", "contacted"][index % 5],
            has_website=[True, False, None][index % 3],
            uses_https=index % 2 == 0,
            country=["LU", "BE"][index % 2],
            http_status_code=[200, 404, None][index % 3],
        )
        if index % 2:
            TechProfileFactory(prospect=prospect, cms=["WordPress", "Joomla", "", "Wix"][index % 4], cms_version="4.9")
        if index % 3:
            PerformanceProfileFactory(
                prospect=prospect, performance_score=index, largest_contentful_paint_ms=index * 150
            )
        if index % 4 == 0:
            ProspectContactFactory(prospect=prospect, contact_type="email")
        if index % 5 == 0:
            ProspectContactFactory(prospect=prospect, contact_type="phone", value=f"+352 621 {index:06d}")
        if index % 7 == 0:
            InteractionFactory(prospect=prospect, outcome="positive")
        prospects.append(prospect)
    for index in range(10):
        OfflineProspectFactory(business_name=f"Offline {index}", address="1, Grand-Rue" if index % 2 else "")
    return prospects


def snapshot():
    return {
        row["prospect_id"]: {k: row[k] for k in COMPARED}
        for row in ProspectScore.objects.values("prospect_id", *COMPARED)
    }


def test_batch_compute_equals_single_compute_for_every_prospect():
    make_varied_prospects()
    for prospect in Prospect.objects.all():
        score_compute(prospect=prospect)
    single = snapshot()
    ProspectScore.objects.all().delete()
    scores_compute_batch(queryset=Prospect.objects.all(), chunk_size=7)
    batch = snapshot()
    assert len(single) == Prospect.objects.count() == 70
    assert batch == single


def test_batch_compute_query_count_does_not_grow_with_rows(django_assert_max_num_queries):
    make_varied_prospects(20)
    with django_assert_max_num_queries(10):
        scores_compute_batch(queryset=Prospect.objects.all(), chunk_size=1000)
    make_varied_prospects(60)
    with django_assert_max_num_queries(10):
        assert scores_compute_batch(queryset=Prospect.objects.all(), chunk_size=1000) == 100


def test_score_compute_stores_result_and_timestamp():
    prospect = ProspectFactory(has_website=True, uses_https=False, status="active")
    score = score_compute(prospect=prospect)
    assert "no_https" in score.reason_flags
    assert score.rules_version == active_rule_set().version
    assert score.computed_at is not None
    assert sum(item["points"] for item in score.score_breakdown.values()) == score.score


def test_missing_data_scores_as_unknown_not_a_crash():
    prospect = ProspectFactory(has_website=None, uses_https=None, city="", postal_code="", country="LU")
    score = score_compute(prospect=prospect)
    assert score.reason_flags == ["local_business"]
    assert score.lead_type == ""


def test_recompute_after_settings_change_updates_all_scores(settings):
    make_varied_prospects(10)
    scores_compute_batch(queryset=Prospect.objects.all())
    assert not stale_scores_queryset().exists()
    old_version = active_rule_set().version
    settings.SCORING = {"points": {"local_business": 0}}
    assert stale_scores_queryset().count() == Prospect.objects.count()
    scores_compute_batch(queryset=stale_scores_queryset())
    assert not ProspectScore.objects.filter(rules_version=old_version).exists()
    assert all("local_business" not in flags for flags in ProspectScore.objects.values_list("reason_flags", flat=True))


def test_stale_includes_missing_and_enriched_after_scoring():
    scored, fresh, new = ProspectFactory(), ProspectFactory(), ProspectFactory()
    scores_compute_batch(queryset=Prospect.objects.filter(pk__in=[scored.pk, fresh.pk]))
    Prospect.objects.filter(pk=scored.pk).update(last_tech_scan_at=timezone.now() + datetime.timedelta(seconds=5))
    assert set(stale_scores_queryset().values_list("pk", flat=True)) == {scored.pk, new.pk}


def test_new_interaction_recomputes_score_on_commit(staff_user, django_capture_on_commit_callbacks):
    prospect = ProspectFactory()
    score_compute(prospect=prospect)
    assert "recent_positive_interaction" not in ProspectScore.objects.get(prospect=prospect).reason_flags
    with django_capture_on_commit_callbacks(execute=True):
        interaction_create(prospect=prospect, data={"interaction_type": "call", "outcome": "positive"}, user=staff_user)
    score = ProspectScore.objects.get(prospect=prospect)
    assert "recent_positive_interaction" in score.reason_flags
    assert score.buying_signal is True


def test_offline_capture_gets_a_score(admin_client_logged_in, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_logged_in.post(
            "/admin/prospects/prospect/capture/",
            {
                "business_name": "Garage Klein",
                "address": "2, Route d'Arlon",
                "phone": "+352 44 11 22",
                "interaction_type": "visit",
            },
        )
    score = Prospect.objects.get().score
    assert score.technical_health_score == score.modernity_score == 0
    assert {"local_business", "has_address", "met_in_person", "has_phone"} <= set(score.reason_flags)


@pytest.mark.django_db(transaction=True)
def test_parallel_batch_on_postgresql_equals_single_compute():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    make_varied_prospects(30)
    for prospect in Prospect.objects.all():
        score_compute(prospect=prospect)
    single = snapshot()
    ProspectScore.objects.all().delete()
    progress = []
    total = scores_compute_batch(queryset=Prospect.objects.all(), chunk_size=6, workers=3, on_progress=progress.append)
    assert total == sum(progress) == 40
    assert len(progress) > 3
    assert snapshot() == single


def test_refresh_requests_in_one_transaction_become_one_recompute(monkeypatch, django_capture_on_commit_callbacks):
    from django.db import transaction

    from prospecting.scoring import services

    calls = []
    real = services.scores_compute_batch
    monkeypatch.setattr(
        services,
        "scores_compute_batch",
        lambda **kw: calls.append(sorted(kw["queryset"].values_list("pk", flat=True))) or real(**kw),
    )
    prospects = ProspectFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for prospect in prospects:
            services.score_refresh_on_commit(prospect_ids=[prospect.pk])
    assert calls == [sorted(p.pk for p in prospects)]
    assert ProspectScore.objects.count() == 3


def test_refresh_after_a_rolled_back_transaction_still_happens(django_capture_on_commit_callbacks):
    from django.db import transaction

    from prospecting.scoring import services

    first, second = ProspectFactory(), ProspectFactory()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.score_refresh_on_commit(prospect_ids=[first.pk])
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        with transaction.atomic():
            services.score_refresh_on_commit(prospect_ids=[second.pk])
    assert list(ProspectScore.objects.values_list("prospect_id", flat=True)) == [second.pk]


def _copies_match_scores():
    scores = dict(ProspectScore.objects.values_list("prospect_id", "score"))
    tiers = dict(ProspectScore.objects.values_list("prospect_id", "lead_tier"))
    for pk, lead_score, lead_tier in Prospect.objects.values_list("pk", "lead_score", "lead_tier"):
        assert (lead_score, lead_tier) == (scores.get(pk), tiers.get(pk, "")), pk


def test_each_prospect_carries_a_copy_of_its_score_and_tier_in_step_with_recomputes(settings):
    """The dashboard's aggregates read Prospect.lead_score / lead_tier: scoring writes them with every score."""
    make_varied_prospects(30)
    ProspectFactory()  # never scored: no copy
    scores_compute_batch(queryset=Prospect.objects.exclude(pk=Prospect.objects.order_by("-pk").first().pk))
    _copies_match_scores()
    before = dict(Prospect.objects.values_list("pk", "lead_score"))
    settings.SCORING = {"points": {"local_business": 0, "no_https": 0}}
    scores_compute_batch(queryset=stale_scores_queryset(), chunk_size=7)
    _copies_match_scores()
    assert dict(Prospect.objects.values_list("pk", "lead_score")) != before  # the recompute changed some
    prospect = Prospect.objects.filter(lead_score__isnull=False).first()
    score_compute(prospect=prospect)
    _copies_match_scores()
