from django.urls import path

from prospecting.discovery import api

urlpatterns = [
    path("discovery/jobs", api.DiscoveryJobCreateView.as_view(), name="discovery-jobs"),
    path("discovery/jobs/<int:pk>", api.DiscoveryJobDetailView.as_view(), name="discovery-job"),
    path("discovery/sources", api.DiscoverySourceListView.as_view(), name="discovery-sources"),
    path("discovery/email-finder", api.EmailFinderView.as_view(), name="discovery-email-finder"),
    path("stats/sources", api.SourcePerformanceView.as_view(), name="stats-sources"),
]
