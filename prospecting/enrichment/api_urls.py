from django.urls import path

from prospecting.enrichment.api import EnrichmentBatchView
from prospecting.enrichment.services.batch import STEPS

urlpatterns = [
    path(f"enrichment/{step.slug}/batch", EnrichmentBatchView.for_step(step), name=f"{step.slug}-batch")
    for step in STEPS.values()
]
