from django.urls import path
from rest_framework.routers import SimpleRouter

from prospecting.prospects.api import ProspectViewSet
from prospecting.prospects.imports_api import ProspectImportView

router = SimpleRouter(trailing_slash=False)
router.register("prospects", ProspectViewSet, basename="prospect")

urlpatterns = [
    path("prospects/import", ProspectImportView.as_view(), name="prospect-import"),
    *router.urls,
]
