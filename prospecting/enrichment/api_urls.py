from django.urls import path

from prospecting.enrichment import api

urlpatterns = [
    path("enrichment/http-check/batch", api.HttpCheckBatchView.as_view(), name="http-check-batch"),
    path("enrichment/http-check/<int:pk>", api.HttpCheckView.as_view(), name="http-check"),
    path("enrichment/tech-scan/batch", api.TechScanBatchView.as_view(), name="tech-scan-batch"),
    path("enrichment/tech-scan/<int:pk>", api.TechScanView.as_view(), name="tech-scan"),
    path("enrichment/performance/batch", api.PerformanceBatchView.as_view(), name="performance-batch"),
    path("enrichment/performance/<int:pk>", api.PerformanceView.as_view(), name="performance"),
    path("enrichment/contacts/batch", api.ContactsBatchView.as_view(), name="contacts-batch"),
    path("enrichment/contacts/<int:pk>", api.ContactsView.as_view(), name="contacts"),
    path("enrichment/full/batch", api.FullBatchView.as_view(), name="full-batch"),
    path("enrichment/full/<int:pk>", api.FullEnrichmentView.as_view(), name="full"),
    path("stats/jobs", api.JobListView.as_view(), name="jobs"),
    path("stats/jobs/<int:pk>", api.JobDetailView.as_view(), name="job-detail"),
    path("stats/jobs/<int:pk>/cancel", api.JobCancelView.as_view(), name="job-cancel"),
]
