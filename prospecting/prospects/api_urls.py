from rest_framework.routers import SimpleRouter

from prospecting.prospects.api import ProspectViewSet

router = SimpleRouter(trailing_slash=False)
router.register("prospects", ProspectViewSet, basename="prospect")

urlpatterns = router.urls
