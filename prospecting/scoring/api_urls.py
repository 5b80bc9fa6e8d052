from django.urls import path

from prospecting.scoring.api import LeadListView, QuickWinLeadsView, ScoreComputeBatchView, TopPriorityLeadsView
from prospecting.scoring.exports_api import LeadExportView

urlpatterns = [
    path("leads", LeadListView.as_view(), name="leads"),
    path("leads/top-priority", TopPriorityLeadsView.as_view(), name="leads-top-priority"),
    path("leads/quick-wins", QuickWinLeadsView.as_view(), name="leads-quick-wins"),
    path("leads/export/csv", LeadExportView.as_view(), name="leads-export-csv"),
    path("enrichment/score-compute/batch", ScoreComputeBatchView.as_view(), name="score-compute-batch"),
]
