"""The prospects list: the columns a sales user decides on (score and tier, status, CMS, primary contact, owner,
last contact, next follow-up), a filter for each, a page read in a fixed number of queries, and Add a tag."""

import datetime
import re

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from prospecting.core.models import ActivityLog
from prospecting.prospects.models import Prospect
from prospecting.prospects.services import prospects_add_tag
from tests.factories import (
    InteractionFactory,
    ProspectContactFactory,
    ProspectFactory,
    ProspectScoreFactory,
    TechProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("admin:prospects_prospect_changelist")
TODAY = timezone.localdate()


def _names(response) -> list[str]:
    return re.findall(r'<th class="field-display_name"><a [^>]*><span title="([^"]+)">', response.content.decode())


def _row(response, name: str) -> str:
    page = response.content.decode()
    start = page.index(f'<span title="{name}">')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start : page.index("</tr>", start)]))


def _full_prospect(name: str, owner=None) -> Prospect:
    prospect = ProspectFactory(business_name=name, status="active", owner=owner, next_follow_up_at=TODAY)
    ProspectScoreFactory(prospect=prospect, score=77, lead_tier="top_priority")
    TechProfileFactory(prospect=prospect, cms="Joomla")
    ProspectContactFactory(prospect=prospect, contact_type="phone", value="+352 621 000 111", is_primary=True)
    ProspectContactFactory(prospect=prospect, contact_type="email", value=f"hello@{name.lower()}.lu")
    InteractionFactory(prospect=prospect, next_action_date=None)
    return prospect


def test_the_list_shows_score_tier_status_cms_contact_owner_last_contact_and_follow_up(admin_client_logged_in):
    owner = UserFactory(username="nadia", is_staff=True)
    _full_prospect("Boulangerie", owner=owner)
    ProspectFactory(business_name="Bare", domain_name="bare.lu")
    response = admin_client_logged_in.get(URL)
    page = response.content.decode()
    assert "<h1>Prospects</h1>" in page
    assert '<span class="badge badge-tier-top_priority">Top priority</span>' in page
    assert '<span class="badge badge-status-active">Active</span>' in page
    row = _row(response, "Boulangerie")
    today = date_format(TODAY)
    assert "Boulangerie 77 Top priority Active" in row
    assert f"Joomla hello@boulangerie.lu nadia {today} {today}" in row  # e-mail first, then the phone
    assert "Bare — Pending bare.lu — — — — —" in _row(response, "Bare")


def test_an_overdue_follow_up_stands_out(admin_client_logged_in):
    ProspectFactory(business_name="Late", next_follow_up_at=TODAY - datetime.timedelta(days=2))
    assert '<span class="overdue">' in admin_client_logged_in.get(URL).content.decode()


def test_a_page_costs_the_same_queries_for_5_or_40_prospects(admin_client_logged_in):
    for index in range(5):
        _full_prospect(f"Shop{index}")
    admin_client_logged_in.get(URL)  # warm the filters' cached choices
    with CaptureQueriesContext(connection) as five:
        admin_client_logged_in.get(URL)
    for index in range(5, 40):
        _full_prospect(f"Shop{index}")
    with CaptureQueriesContext(connection) as forty:
        response = admin_client_logged_in.get(URL)
    assert len(_names(response)) == 40
    assert len(forty) == len(five), [query["sql"] for query in forty.captured_queries]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("score_band=70", ["Boulangerie"]),
        ("lead_tier=top_priority", ["Boulangerie"]),
        ("lead_tier=quick_win", []),
        ("score_band=none", ["Bare", "Late"]),
        ("cms=Joomla", ["Boulangerie"]),
        ("contact=email", ["Boulangerie"]),
        ("contact=none", ["Bare", "Late"]),
        ("owner=none", ["Bare", "Late"]),
        ("last_contact=30", ["Boulangerie"]),
        ("last_contact=never", ["Bare", "Late"]),
        ("follow_up=today", ["Boulangerie"]),
        ("follow_up=overdue", ["Late"]),
        ("follow_up=none", ["Bare"]),
    ],
)
def test_each_column_has_a_filter(admin_client_logged_in, query, expected):
    _full_prospect("Boulangerie", owner=UserFactory(username="nadia", is_staff=True))
    ProspectFactory(business_name="Bare")
    ProspectFactory(business_name="Late", next_follow_up_at=TODAY - datetime.timedelta(days=1))
    response = admin_client_logged_in.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert sorted(_names(response)) == expected


def test_owner_filter_me_shows_my_prospects(admin_client_logged_in, staff_user):
    ProspectFactory(business_name="Mine", owner=staff_user)
    ProspectFactory(business_name="Nobody's")
    assert _names(admin_client_logged_in.get(f"{URL}?owner=me")) == ["Mine"]


def test_last_contact_filter_finds_prospects_not_contacted_for_90_days(admin_client_logged_in):
    old = ProspectFactory(business_name="Forgotten")
    InteractionFactory(prospect=old, next_action_date=None)
    from prospecting.interactions.models import Interaction

    Interaction.objects.filter(prospect=old).update(created_at=timezone.now() - datetime.timedelta(days=120))
    InteractionFactory(prospect=ProspectFactory(business_name="Recent"), next_action_date=None)
    assert _names(admin_client_logged_in.get(f"{URL}?last_contact=stale")) == ["Forgotten"]


def test_add_tag_action_asks_for_the_tag_then_tags_the_selection(admin_client_logged_in):
    first = ProspectFactory(tags=["salon"])
    second = ProspectFactory(tags=[])
    untouched = ProspectFactory(tags=[])
    selection = {"action": "add_tag", helpers.ACTION_CHECKBOX_NAME: [first.pk, second.pk]}
    form = admin_client_logged_in.post(URL, selection)
    assert form.status_code == 200 and 'name="tag"' in form.content.decode()
    response = admin_client_logged_in.post(URL, {**selection, "apply": "1", "tag": "  Foire  2026 "}, follow=True)
    assert "Tag “Foire 2026” added to 2 prospects." in response.content.decode()
    assert Prospect.objects.get(pk=first.pk).tags == ["salon", "Foire 2026"]
    assert Prospect.objects.get(pk=second.pk).tags == ["Foire 2026"]
    assert Prospect.objects.get(pk=untouched.pk).tags == []
    again = admin_client_logged_in.post(URL, {**selection, "apply": "1", "tag": "Foire 2026"}, follow=True)
    assert "added to 0 prospects" in again.content.decode()
    assert Prospect.objects.get(pk=first.pk).tags == ["salon", "Foire 2026"]
    assert ActivityLog.objects.filter(action="tag_added").count() == 2


def test_add_tag_with_a_bad_tag_shows_the_form_again_and_changes_nothing(admin_client_logged_in):
    prospect = ProspectFactory(tags=[])
    selection = {"action": "add_tag", helpers.ACTION_CHECKBOX_NAME: [prospect.pk], "apply": "1"}
    for bad, message in [("   ", "This field is required."), ("a,b", "cannot contain a comma")]:
        response = admin_client_logged_in.post(URL, {**selection, "tag": bad})
        assert response.status_code == 200 and message in response.content.decode()
    assert Prospect.objects.get(pk=prospect.pk).tags == []


def test_add_tag_across_every_filtered_prospect(admin_client_logged_in):
    for _ in range(3):
        ProspectFactory(status="parked")
    other = ProspectFactory(status="active")
    body = {"action": "add_tag", "select_across": "1", helpers.ACTION_CHECKBOX_NAME: [other.pk]}
    admin_client_logged_in.post(f"{URL}?status__exact=parked", {**body, "apply": "1", "tag": "parked-2026"})
    assert [p.tags for p in Prospect.objects.filter(status="parked")] == [["parked-2026"]] * 3
    assert Prospect.objects.get(pk=other.pk).tags == []


def test_prospects_add_tag_service_refuses_a_tag_too_long():
    from django.core.exceptions import ValidationError

    prospect = ProspectFactory(tags=[])
    with pytest.raises(ValidationError):
        prospects_add_tag(prospect_ids=[prospect.pk], tag="x" * 51)
    assert prospects_add_tag(prospect_ids=[prospect.pk], tag="x" * 50) == 1
