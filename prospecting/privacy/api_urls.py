from django.urls import path

from prospecting.privacy import api

urlpatterns = [
    path("privacy/erase", api.EraseView.as_view(), name="privacy-erase"),
    path("privacy/access", api.AccessView.as_view(), name="privacy-access"),
    path("privacy/retention", api.RetentionView.as_view(), name="privacy-retention"),
    path("privacy/suppression", api.SuppressionListView.as_view(), name="privacy-suppression"),
]
