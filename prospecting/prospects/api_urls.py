from django.urls import path
from rest_framework.routers import SimpleRouter

from prospecting.prospects.api import ProspectViewSet
from prospecting.prospects.exports_api import LeadExportView
from prospecting.prospects.imports_api import ProspectImportView

router = SimpleRouter(trailing_slash=False)
router.register("prospects", ProspectViewSet, basename="prospect")

urlpatterns = [
    path("prospects/import", ProspectImportView.as_view(), name="prospect-import"),
    path("leads/export/csv", LeadExportView.as_view(), name="leads-export-csv"),
    *router.urls,
]
