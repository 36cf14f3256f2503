from rest_framework.routers import DefaultRouter

from .reference import AgencyViewSet, SpeciesViewSet

router = DefaultRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("species", SpeciesViewSet, basename="species")

urlpatterns = router.urls
