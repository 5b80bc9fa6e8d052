from django.urls import path
from rest_framework.routers import SimpleRouter

from prospecting.enrichment.steps import PIPELINE
from prospecting.workspace.api import (
    ConversionsReportView,
    DuplicatesListView,
    EnrichmentRunView,
    FullEnrichmentView,
    ProspectConvertView,
    ProspectDuplicatesView,
    ProspectMergeView,
    ProspectViewSet,
    StatsView,
)

router = SimpleRouter(trailing_slash=False)
router.register("prospects", ProspectViewSet, basename="prospect")

urlpatterns = [
    path("prospects/duplicates", DuplicatesListView.as_view(), name="prospect-duplicates-all"),
    *router.urls,
    path("prospects/<int:pk>/duplicates", ProspectDuplicatesView.as_view(), name="prospect-duplicates"),
    path("prospects/<int:pk>/merge", ProspectMergeView.as_view(), name="prospect-merge"),
    *(path(f"enrichment/{step.slug}/<int:pk>", EnrichmentRunView.for_step(step), name=step.slug) for step in PIPELINE),
    path("enrichment/full/<int:pk>", FullEnrichmentView.as_view(), name="full"),
    path("prospects/<int:pk>/convert", ProspectConvertView.as_view(), name="prospect-convert"),
    path("stats", StatsView.as_view(), name="stats"),
    path("stats/conversions", ConversionsReportView.as_view(), name="stats-conversions"),
]
