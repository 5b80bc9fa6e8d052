from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from prospecting.interactions.public_views import calendar_feed_view


def _to(pattern_name: str) -> RedirectView:
    return RedirectView.as_view(pattern_name=pattern_name, permanent=False, query_string=True)


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # Seed 002's page paths lead to the same pages, so links and habits from the old system keep working.
    path("admin/prospecting/", _to("admin:index")),
    path("admin/prospecting/prospects/", _to("admin:prospects_prospect_changelist")),
    path("admin/prospecting/prospects/<int:object_id>/", _to("admin:prospects_prospect_change")),
    path("admin/prospecting/leads/", _to("admin:scoring_lead_changelist")),
    path("admin/prospecting/capture/", _to("admin:prospects_prospect_capture")),
    path("admin/prospecting/scan-jobs/", _to("admin:core_scanjob_changelist")),
    path("admin/prospecting/campaigns/", _to("admin:outreach_campaigntemplate_changelist")),
    path("admin/", admin.site.urls),
    # The admin's language switcher posts here (staff only, like every page).
    path("i18n/setlang/", staff_member_required(set_language), name="set_language"),
    path("api/admin/prospecting/", include("prospecting.api_urls")),
    path("m/", include("prospecting.outreach.public_urls")),  # public: links in messages (signed)
    path("calendar/<str:token>.ics", calendar_feed_view, name="calendar-feed"),  # public: secret token
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        staff_member_required(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        staff_member_required(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
]

handler400 = "prospecting.core.api.api_aware_bad_request"
handler404 = "prospecting.core.api.api_aware_not_found"
handler500 = "prospecting.core.api.api_aware_server_error"
