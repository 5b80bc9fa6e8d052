"""Every API endpoint lives under /api/admin/prospecting/ (the seed's admin API prefix)."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("prospecting.prospects.api_urls")),
    path("", include("prospecting.scoring.api_urls")),
    path("", include("prospecting.enrichment.api_urls")),
]
