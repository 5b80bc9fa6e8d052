from django.urls import path

from prospecting.core import jobs_api, quotas_api

urlpatterns = [
    path("stats/jobs", jobs_api.JobListView.as_view(), name="jobs"),
    path("stats/jobs/<int:pk>", jobs_api.JobDetailView.as_view(), name="job-detail"),
    path("stats/jobs/<int:pk>/cancel", jobs_api.JobCancelView.as_view(), name="job-cancel"),
    path("stats/jobs/<int:pk>/resume", jobs_api.JobResumeView.as_view(), name="job-resume"),
    path("quotas", quotas_api.QuotaListView.as_view(), name="quotas"),
    path("quotas/me", quotas_api.MyQuotaView.as_view(), name="quota-mine"),
    path("quotas/<int:pk>", quotas_api.QuotaDetailView.as_view(), name="quota-detail"),
]
