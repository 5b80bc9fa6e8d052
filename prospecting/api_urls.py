"""Every API endpoint lives under /api/admin/prospecting/ (the seed's admin API prefix).

`prospects/import` comes before the workspace's `prospects/<id>` routes, which would otherwise take it.
"""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("prospecting.core.api_urls")),
    path("", include("prospecting.prospects.api_urls")),
    path("", include("prospecting.enrichment.api_urls")),
    path("", include("prospecting.interactions.api_urls")),
    path("", include("prospecting.scoring.api_urls")),
    path("", include("prospecting.outreach.api_urls")),
    path("", include("prospecting.discovery.api_urls")),
    path("", include("prospecting.workspace.api_urls")),
    path("", include("prospecting.privacy.api_urls")),
]
