from django.urls import path

from prospecting.prospects.imports_api import ProspectImportView

urlpatterns = [
    path("prospects/import", ProspectImportView.as_view(), name="prospect-import"),
]
