"""Roles (Admin, Sales, Viewer) and who sees which prospect: a Sales user can neither read nor change another
owner's prospect, by any API endpoint or admin URL; Viewers read everything and change nothing."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from prospecting.core.models import ScanJob
from prospecting.core.roles import roles_sync
from prospecting.interactions.models import Interaction
from prospecting.prospects.models import Prospect
from tests.factories import (
    FACTORY_BY_MODEL,
    InteractionFactory,
    ProspectFactory,
    ProspectScoreFactory,
    UserFactory,
)
from tests.urls_inventory import all_endpoints

pytestmark = pytest.mark.django_db
BASE = "/api/admin/prospecting/"


def member(username, role):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def world(db):
    sales, other = member("sam", "Sales"), member("olga", "Sales")
    mine = ProspectFactory(business_name="Mine", owner=sales)
    free = ProspectFactory(business_name="Free")
    theirs = ProspectFactory(business_name="Theirs", owner=other)
    for prospect in (mine, free, theirs):
        ProspectScoreFactory(prospect=prospect, score=80, lead_tier="top_priority")
    due = timezone.localdate() + datetime.timedelta(days=1)
    their_task = InteractionFactory(prospect=theirs, next_action_date=due, follow_up_owner=other)
    return {"sales": sales, "other": other, "mine": mine, "free": free, "theirs": theirs, "their_task": their_task}


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_migrate_creates_the_three_roles_with_their_permissions():
    roles = {group.name: group for group in Group.objects.filter(name__in=["Admin", "Sales", "Viewer"])}
    assert set(roles) == {"Admin", "Sales", "Viewer"}
    perms = {
        name: {f"{p.content_type.app_label}.{p.codename}" for p in g.permissions.all()} for name, g in roles.items()
    }
    assert "prospects.view_all_prospects" in perms["Admin"] and "prospects.view_all_prospects" in perms["Viewer"]
    assert "prospects.view_all_prospects" not in perms["Sales"]
    assert {"interactions.add_interaction", "prospects.change_prospect", "outreach.add_campaignsend"} <= perms["Sales"]
    assert "prospects.delete_prospect" not in perms["Sales"]
    assert all(p.split(".")[1].startswith("view_") for p in perms["Viewer"])
    assert roles_sync()["Sales"] == len(perms["Sales"])  # idempotent


# --- API ------------------------------------------------------------------------------------------------------

PROSPECT_SCOPED = {  # endpoint name -> method used to probe it
    "api:prospect-detail": "get",
    "api:prospect-interactions": "get",
    "api:full": "post",
    "api:prospect-convert": "post",
    "api:prospect-duplicates": "get",
    "api:prospect-merge": "post",
}
INTERACTION_SCOPED = {
    "api:interaction-detail": "get",
    "api:interaction-done": "post",
    "api:interaction-snooze": "post",
}
NOT_PROSPECT_SCOPED = {
    "api:job-detail",
    "api:job-cancel",
    "api:job-resume",
    "api:discovery-job",
    "api:campaign-template",
    "api:quota-detail",  # a user's quota: not a prospect's
}


def _one_object_endpoints():
    return [e for e in all_endpoints() if e.path.startswith(BASE) and "/1" in e.path[len(BASE) - 1 :]]


def test_every_single_object_endpoint_is_classified_for_role_isolation():
    from prospecting.enrichment.steps import PIPELINE

    step_names = {f"api:{step.slug}" for step in PIPELINE}
    known = set(PROSPECT_SCOPED) | set(INTERACTION_SCOPED) | NOT_PROSPECT_SCOPED | step_names
    unknown = {e.name for e in _one_object_endpoints()} - known
    assert not unknown, f"classify these endpoints in tests/roles/test_roles.py: {unknown}"


@pytest.mark.parametrize("name", sorted(PROSPECT_SCOPED))
def test_sales_cannot_reach_another_owners_prospect(world, name):
    client = api_for(world["sales"])
    method = PROSPECT_SCOPED[name]
    status = getattr(client, method)(reverse(name, args=[world["theirs"].pk]), {}, format="json").status_code
    assert status == (403 if name == "api:prospect-merge" else 404)  # Sales may not delete, so never merge
    if method == "get":
        assert client.get(reverse(name, args=[world["mine"].pk])).status_code == 200
        assert client.get(reverse(name, args=[world["free"].pk])).status_code == 200


def test_sales_cannot_run_a_scan_step_on_another_owners_prospect(world):
    from prospecting.enrichment.steps import PIPELINE

    client = api_for(world["sales"])
    for step in PIPELINE:
        response = client.post(reverse(f"api:{step.slug}", args=[world["theirs"].pk]), {}, format="json")
        assert response.status_code == 404, step.slug


def test_sales_cannot_change_log_on_or_delete_another_owners_prospect(world):
    client = api_for(world["sales"])
    theirs = world["theirs"]
    assert client.patch(f"{BASE}prospects/{theirs.pk}", {"city": "Wiltz"}, format="json").status_code == 404
    body = {"interaction_type": "call"}
    assert client.post(f"{BASE}prospects/{theirs.pk}/interactions", body, format="json").status_code == 404
    assert Prospect.objects.get(pk=theirs.pk).city != "Wiltz"
    assert not Interaction.objects.filter(prospect=theirs, created_by=world["sales"]).exists()
    assert client.patch(f"{BASE}prospects/{world['mine'].pk}", {"city": "Wiltz"}, format="json").status_code == 200


@pytest.mark.parametrize("name", sorted(INTERACTION_SCOPED))
def test_sales_cannot_reach_another_owners_interactions(world, name):
    client = api_for(world["sales"])
    method = INTERACTION_SCOPED[name]
    url = reverse(name, args=[world["their_task"].pk])
    body = {"days": 2} if name.endswith("snooze") else {}
    assert getattr(client, method)(url, body, format="json").status_code == 404
    assert Interaction.objects.get(pk=world["their_task"].pk).follow_up_done_at is None


def test_lists_and_exports_show_sales_their_own_and_unassigned_prospects_only(world):
    client = api_for(world["sales"])
    visible = {world["mine"].pk, world["free"].pk}
    for url in ("prospects", "leads", "leads/top-priority"):
        ids = {row["id"] for row in client.get(BASE + url).json()["results"]}
        assert ids == visible, url
    csv = b"".join(client.get(BASE + "leads/export/csv").streaming_content).decode()
    assert "Theirs" not in csv and "Mine" in csv
    assert client.get(BASE + "interactions/upcoming", {"owner": world["other"].pk}).json()["results"] == []


def test_a_sales_batch_scan_only_covers_their_prospects(world, monkeypatch):
    client = api_for(world["sales"])
    url = BASE + "enrichment/http-check/batch"
    assert client.post(url, {"prospect_ids": [world["theirs"].pk]}, format="json").status_code == 404
    response = client.post(url, {"prospect_ids": [world["theirs"].pk, world["mine"].pk]}, format="json")
    assert response.status_code == 202
    assert ScanJob.objects.get(pk=response.json()["id"]).params["prospect_ids"] == [world["mine"].pk]
    response = client.post(url, {"filter": {"status": ["pending"]}}, format="json")
    job = ScanJob.objects.get(pk=response.json()["id"])
    assert job.params["filter"]["visible_to"] == world["sales"].pk
    assert job.total_items == 2


def test_viewer_reads_every_prospect_and_changes_none(world):
    client = api_for(member("vera", "Viewer"))
    ids = {row["id"] for row in client.get(BASE + "prospects").json()["results"]}
    assert world["theirs"].pk in ids and len(ids) == 3
    assert client.get(f"{BASE}prospects/{world['theirs'].pk}/interactions").status_code == 200
    assert client.patch(f"{BASE}prospects/{world['theirs'].pk}", {"city": "X"}, format="json").status_code == 403
    body = {"interaction_type": "call"}
    assert client.post(f"{BASE}prospects/{world['theirs'].pk}/interactions", body, format="json").status_code == 403


def test_admin_role_sees_everything(world):
    client = api_for(member("ada", "Admin"))
    assert len(client.get(BASE + "prospects").json()["results"]) == 3
    assert client.delete(f"{BASE}prospects/{world['theirs'].pk}").status_code == 204


# --- admin ----------------------------------------------------------------------------------------------------


def _prospect_scoped_models():
    models = []
    for model in admin.site._registry:
        if model._meta.label in {"prospects.Prospect", "scoring.Lead"}:
            models.append((model, ""))
        elif any(f.name == "prospect" and f.is_relation for f in model._meta.get_fields()):
            models.append((model, "prospect"))
    return sorted(models, key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(("model", "path"), _prospect_scoped_models(), ids=lambda v: getattr(v, "_meta", v) and str(v))
def test_sales_admin_pages_leave_out_another_owners_rows(world, client, model, path):
    factory = FACTORY_BY_MODEL[model]
    if path:
        theirs_row = model.objects.filter(prospect=world["theirs"]).first() or factory(prospect=world["theirs"])
        mine_row = model.objects.filter(prospect=world["mine"]).first() or factory(prospect=world["mine"])
    else:
        theirs_row, mine_row = model.objects.get(pk=world["theirs"].pk), model.objects.get(pk=world["mine"].pk)
    client.force_login(world["sales"])
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    change = reverse(f"{prefix}_change", args=[theirs_row.pk])
    response = client.get(change)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index"), change
    assert client.get(reverse(f"{prefix}_change", args=[mine_row.pk])).status_code == 200
    changelist = client.get(reverse(f"{prefix}_changelist"))
    assert changelist.status_code == 200
    if model._meta.label != "interactions.FollowUp":  # that page lists open tasks only (tested elsewhere)
        rows = list(changelist.context["cl"].result_list)
        assert theirs_row.pk not in {row.pk for row in rows} and mine_row.pk in {row.pk for row in rows}


def test_sales_admin_activity_list_leaves_out_another_owners_prospects(world, client):
    from prospecting.prospects.services import prospect_update

    prospect_update(prospect=world["theirs"], data={"city": "Secret town"})
    prospect_update(prospect=world["mine"], data={"city": "My town"})
    client.force_login(world["sales"])
    html = client.get(reverse("admin:core_activitylog_changelist")).content.decode()
    assert f">#{world['theirs'].pk}<" not in html and f">#{world['mine'].pk}<" in html


def test_sales_cannot_log_an_interaction_on_another_owners_prospect_in_the_admin(world, client):
    client.force_login(world["sales"])
    url = reverse("admin:prospects_prospect_log_interaction", args=[world["theirs"].pk])
    assert client.post(url, {"interaction_type": "call"}).status_code == 404
    assert not Interaction.objects.filter(prospect=world["theirs"], created_by=world["sales"]).exists()


def test_admin_assign_owner_action_gives_prospects_and_logs_it(admin_client_logged_in, world):
    url = reverse("admin:prospects_prospect_changelist")
    ids = [world["free"].pk, world["theirs"].pk]
    page = admin_client_logged_in.post(url, {"action": "assign_owner", "_selected_action": ids})
    assert "Give the 2 selected prospects" in page.content.decode()
    response = admin_client_logged_in.post(
        url, {"action": "assign_owner", "_selected_action": ids, "owner": world["sales"].pk, "apply": "Assign"}
    )
    assert response.status_code == 302
    assert set(Prospect.objects.filter(owner=world["sales"]).values_list("pk", flat=True)) == {
        world["mine"].pk,
        *ids,
    }
    from prospecting.core.models import ActivityLog

    assert ActivityLog.objects.filter(action="owner_changed", prospect_id__in=ids).count() == 2


def test_round_robin_deals_new_imports_to_sales_members(world, settings, tmp_path):
    from prospecting.prospects.services import import_batch_create, import_batch_run

    settings.IMPORT_ROUND_ROBIN = True
    path = tmp_path / "domains.csv"
    path.write_text("domain\n" + "\n".join(f"rr-{i}.lu" for i in range(6)) + "\n")
    batch = import_batch_create(path=path, name="rr")
    import_batch_run(batch=batch)
    owners = list(Prospect.objects.filter(domain_name__startswith="rr-").values_list("owner_id", flat=True))
    assert sorted(owners) == sorted([world["sales"].pk, world["other"].pk] * 3)


def test_stats_count_only_what_a_sales_user_may_see(world):
    body = api_for(world["sales"]).get(BASE + "stats").json()
    assert body["prospects"]["total"] == 2
    assert body["prospects"]["by_tier"]["top_priority"] == 2
