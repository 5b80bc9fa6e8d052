"""The admin site as the sales team finds its way in it: the dashboard as its home page, their pages first in
the sidebar in seed 002's order (Dashboard, Prospects, Leads, Quick capture, Follow-ups, Scan jobs,
Campaigns), then the apps, settings-like ones last."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from prospecting.workspace.dashboard import dashboard_data, dashboard_recent_jobs

# (label, URL name, the permission that shows it: None for every staff member)
SALES_PAGES = [
    (_("Dashboard"), "admin:index", None),
    (_("Prospects"), "admin:prospects_prospect_changelist", "prospects.view_prospect"),
    (_("Leads"), "admin:scoring_lead_changelist", "prospects.view_prospect"),
    (_("Quick capture"), "admin:prospects_prospect_capture", "prospects.add_prospect"),
    (_("Follow-ups"), "admin:interactions_followup_changelist", "interactions.view_interaction"),
    (_("Scan jobs"), "admin:core_scanjob_changelist", "core.view_scanjob"),
    (_("Campaigns"), "admin:outreach_campaigntemplate_changelist", "outreach.view_campaigntemplate"),
]
APP_ORDER = ["prospects", "scoring", "interactions", "outreach", "discovery", "enrichment", "core", "workspace"]
LAST = ["auth", "authtoken", "django_q"]


class ProspectingAdminSite(admin.AdminSite):
    site_header = _("Prospecting")
    site_title = _("Prospecting admin")
    index_title = _("Find, enrich, score and win leads")
    index_template = "admin/dashboard.html"

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        apps = super().get_app_list(request, app_label)
        if app_label:
            return apps
        rank = {label: index for index, label in enumerate(APP_ORDER)}
        rank.update({label: 100 + index for index, label in enumerate(LAST)})
        apps.sort(key=lambda app: rank.get(app["app_label"], 50))
        sales = self._sales_pages(request)
        return [sales, *apps] if sales["models"] else apps

    def _sales_pages(self, request: HttpRequest) -> dict[str, Any]:
        pages = []
        for label, url_name, permission in SALES_PAGES:
            if permission and not request.user.has_perm(permission):
                continue
            try:
                url = reverse(url_name, current_app=self.name)
            except NoReverseMatch:
                continue
            pages.append({"name": label, "object_name": str(label), "admin_url": url, "view_only": True, "perms": {}})
        # The page the user is on: the longest address its path starts with (the dashboard only on itself).
        here = request.path
        matches = [page for page in pages[1:] if here.startswith(page["admin_url"])]
        if pages and here == pages[0]["admin_url"]:
            pages[0]["current"] = True
        elif matches:
            max(matches, key=lambda page: len(page["admin_url"]))["current"] = True
        return {
            "name": _("Sales"),
            "app_label": "sales",
            "app_url": reverse("admin:index", current_app=self.name),
            "has_module_perms": True,
            "models": pages,
        }

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The dashboard (seed 002's first page): the numbers of the prospects the user may see."""
        return super().index(request, {**dashboard_data(user=request.user), **(extra_context or {})})

    def get_urls(self) -> list[URLPattern]:
        jobs = path("dashboard/jobs/", self.admin_view(self.dashboard_jobs_view), name="dashboard_jobs")
        return [jobs, *super().get_urls()]

    def dashboard_jobs_view(self, request: HttpRequest) -> HttpResponse:
        """The dashboard's recent jobs alone, which the dashboard reloads every few seconds while one runs."""
        context = {**self.each_context(request), "jobs": dashboard_recent_jobs(user=request.user)}
        return TemplateResponse(request, "admin/dashboard_jobs.html", context)
