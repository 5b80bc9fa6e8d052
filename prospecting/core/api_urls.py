from django.urls import path

from prospecting.core import jobs_api

urlpatterns = [
    path("stats/jobs", jobs_api.JobListView.as_view(), name="jobs"),
    path("stats/jobs/<int:pk>", jobs_api.JobDetailView.as_view(), name="job-detail"),
    path("stats/jobs/<int:pk>/cancel", jobs_api.JobCancelView.as_view(), name="job-cancel"),
    path("stats/jobs/<int:pk>/resume", jobs_api.JobResumeView.as_view(), name="job-resume"),
]
