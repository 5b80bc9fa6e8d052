from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from prospecting.interactions.public_views import calendar_feed_view

admin.site.site_header = "Prospecting"
admin.site.site_title = "Prospecting admin"
admin.site.index_title = "Find, enrich, score and win leads"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
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
