import csv
import io

import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse

from tests.factories import (
    InteractionFactory,
    OfflineProspectFactory,
    ProspectContactFactory,
    ProspectFactory,
    ProspectScoreFactory,
    TechProfileFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/admin/prospecting/leads/export/csv"


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture
def leads():
    hot = ProspectFactory(domain_name="hot.lu", business_name="Hot SA", status="active", city="Luxembourg")
    ProspectScoreFactory(prospect=hot, score=82, lead_tier="top_priority", reason_flags=["no_https", "slow_lcp"])
    ProspectContactFactory(prospect=hot, contact_type="email", value="info@hot.lu", is_primary=True)
    ProspectContactFactory(prospect=hot, contact_type="email", value="other@hot.lu")
    ProspectContactFactory(prospect=hot, contact_type="phone", value="+352 26 00 00", is_primary=True)
    TechProfileFactory(prospect=hot, cms="Joomla")
    InteractionFactory(prospect=hot, interaction_type="call")

    warm = ProspectFactory(domain_name="warm.lu", business_name="Warm Sàrl", status="pending", city="Wiltz")
    ProspectScoreFactory(prospect=warm, score=55, lead_tier="quick_win")
    ProspectContactFactory(prospect=warm, contact_type="phone", value="621 123 456")

    cold = OfflineProspectFactory(business_name="Cold", city="Luxembourg", status="contacted")
    ProspectScoreFactory(prospect=cold, score=12, lead_tier="low_priority")
    unscored = ProspectFactory(domain_name="new.lu", business_name="New", city="Remich")
    return {"hot": hot, "warm": warm, "cold": cold, "unscored": unscored}


def domains(rows):
    return {row["business"] for row in rows}


def test_export_columns_and_values(api_client, leads):
    rows = read_csv(api_client.get(URL, {"min_score": 80}))
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == [
        "business",
        "domain",
        "status",
        "channel",
        "score",
        "tier",
        "primary_email",
        "primary_phone",
        "city",
        "cms",
        "reason_flags",
        "last_interaction",
    ]
    assert row["business"] == "Hot SA"
    assert (row["score"], row["tier"], row["cms"]) == ("82", "top_priority", "Joomla")
    assert row["primary_email"] == "info@hot.lu"
    assert row["primary_phone"] == "'+352 26 00 00"  # formula-safe
    assert row["reason_flags"] == "no_https slow_lcp"
    assert row["last_interaction"].endswith(" call")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Hot SA", "Warm Sàrl", "Cold", "New"}),
        ({"min_score": 50}, {"Hot SA", "Warm Sàrl"}),
        ({"max_score": 60}, {"Warm Sàrl", "Cold"}),
        ({"lead_tier": "quick_win"}, {"Warm Sàrl"}),
        ({"lead_tier": ["quick_win", "top_priority"]}, {"Hot SA", "Warm Sàrl"}),
        ({"channel": "offline"}, {"Cold"}),
        ({"status": "pending"}, {"Warm Sàrl", "New"}),
        ({"has_email": "true"}, {"Hot SA"}),
        ({"has_email": "false"}, {"Warm Sàrl", "Cold", "New"}),
        ({"has_phone": "true", "min_score": 50}, {"Hot SA", "Warm Sàrl"}),
        ({"city": "luxembourg"}, {"Hot SA", "Cold"}),
        ({"cms": "joomla"}, {"Hot SA"}),
        ({"contact_type": "phone"}, {"Hot SA", "Warm Sàrl"}),
    ],
)
def test_export_of_a_filtered_set_returns_exactly_that_set(api_client, leads, params, expected):
    assert domains(read_csv(api_client.get(URL, params))) == expected


def test_export_neutralizes_formula_cells(api_client):
    for index, evil in enumerate(["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]):
        ProspectFactory(domain_name=f"evil{index}.lu", business_name=evil, city=evil)
    rows = read_csv(api_client.get(URL))
    for row in rows:
        assert row["business"].startswith("'")
        assert row["city"].startswith("'")


def test_export_rejects_invalid_filter(api_client):
    response = api_client.get(URL, {"min_score": "lots"})
    assert response.status_code == 400
    assert "min_score" in response.json()


def test_export_query_count_is_constant(api_client, leads, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        read_csv(api_client.get(URL))
    ProspectScoreFactory.create_batch(40)
    with django_assert_max_num_queries(3):
        assert len(read_csv(api_client.get(URL))) == 44


def test_export_command_writes_filtered_file(tmp_path, leads):
    out = tmp_path / "leads.csv"
    call_command("export_leads", "--min-score", "50", "--has-email", "true", "-o", str(out), "--no-progress")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [row["business"] for row in rows] == ["Hot SA"]


def test_export_command_accepts_any_filter_and_repeated_values(tmp_path, leads):
    out = tmp_path / "leads.csv"
    call_command(
        "export_leads",
        "--lead-tier",
        "quick_win",
        "--lead-tier",
        "low_priority",
        "--filter",
        "city=Wiltz",
        "-o",
        str(out),
        "--no-progress",
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [row["business"] for row in rows] == ["Warm Sàrl"]
