"""The admin frame: the staff's languages (browser, switcher, local dates) and seed 002's page paths."""

import pytest
from django.urls import reverse

from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


def test_the_browser_language_is_used(admin_client_logged_in):
    french = admin_client_logged_in.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr-LU,fr;q=0.9").content.decode()
    assert "Trouver, enrichir, évaluer et gagner des prospects" in french
    assert "Déconnexion" in french  # Django's own admin strings follow
    german = admin_client_logged_in.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de-LU,de;q=0.9").content.decode()
    assert "Leads finden, anreichern, bewerten und gewinnen" in german
    english = admin_client_logged_in.get(reverse("admin:index")).content.decode()
    assert "Find, enrich, score and win leads" in english


def test_the_switcher_changes_the_language_and_comes_back_to_the_page(admin_client_logged_in):
    leads = reverse("admin:scoring_lead_changelist")
    page = admin_client_logged_in.get(leads).content.decode()
    assert 'id="language-switch"' in page and 'value="fr"' in page and 'value="de"' in page
    response = admin_client_logged_in.post(reverse("set_language"), {"language": "de", "next": leads})
    assert response.status_code == 302 and response["Location"] == leads
    assert "Diese Leads exportieren (Excel)" in admin_client_logged_in.get(leads).content.decode()


def test_dates_follow_the_language(admin_client_logged_in):
    import datetime

    ProspectFactory(next_follow_up_at=datetime.date(2026, 3, 4))
    url = reverse("admin:prospects_prospect_changelist")
    assert "4 mars 2026" in admin_client_logged_in.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "4. März 2026" in admin_client_logged_in.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = admin_client_logged_in.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "4 Mar 2026" in english and "March 4, 2026" not in english


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/prospecting/", "admin:index"),
        ("/admin/prospecting/prospects/", "admin:prospects_prospect_changelist"),
        ("/admin/prospecting/leads/", "admin:scoring_lead_changelist"),
        ("/admin/prospecting/capture/", "admin:prospects_prospect_capture"),
        ("/admin/prospecting/scan-jobs/", "admin:core_scanjob_changelist"),
        ("/admin/prospecting/campaigns/", "admin:outreach_campaigntemplate_changelist"),
    ],
)
def test_seed_002_page_paths_lead_to_the_same_pages(admin_client_logged_in, old, new):
    response = admin_client_logged_in.get(old, {"q": "x"})
    assert response.status_code == 302
    assert response["Location"] == reverse(new) + "?q=x"
    assert admin_client_logged_in.get(old, follow=True).status_code == 200


def test_a_seed_002_prospect_path_opens_the_prospect(admin_client_logged_in):
    prospect = ProspectFactory()
    response = admin_client_logged_in.get(f"/admin/prospecting/prospects/{prospect.pk}/")
    assert response["Location"] == reverse("admin:prospects_prospect_change", args=[prospect.pk])


def test_the_sales_pages_come_first_in_seed_002s_order(admin_client_logged_in):
    response = admin_client_logged_in.get(reverse("admin:index"))
    apps = response.context["app_list"]
    assert apps[0]["app_label"] == "sales"
    assert [page["object_name"] for page in apps[0]["models"]] == [
        "Dashboard", "Prospects", "Leads", "Quick capture", "Follow-ups", "Scan jobs", "Campaigns",
    ]  # fmt: skip
    labels = [app["app_label"] for app in apps]
    assert labels.index("prospects") < labels.index("outreach") < labels.index("auth")
    assert labels[-1] == "django_q"
    page = response.content.decode()
    assert reverse("admin:prospects_prospect_capture") in page


def test_a_user_sees_only_the_sales_pages_they_may_open(client):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_prospect"))
    client.force_login(viewer)
    apps = client.get(reverse("admin:index")).context["app_list"]
    assert [page["object_name"] for page in apps[0]["models"]] == ["Dashboard", "Prospects", "Leads"]
