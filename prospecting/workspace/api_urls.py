from django.urls import path
from rest_framework.routers import SimpleRouter

from prospecting.enrichment.steps import PIPELINE
from prospecting.workspace.api import EnrichmentRunView, FullEnrichmentView, ProspectViewSet

router = SimpleRouter(trailing_slash=False)
router.register("prospects", ProspectViewSet, basename="prospect")

urlpatterns = [
    *router.urls,
    *(path(f"enrichment/{step.slug}/<int:pk>", EnrichmentRunView.for_step(step), name=step.slug) for step in PIPELINE),
    path("enrichment/full/<int:pk>", FullEnrichmentView.as_view(), name="full"),
]
