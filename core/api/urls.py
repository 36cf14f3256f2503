from rest_framework.routers import DefaultRouter

from . import documents, notifications, training, workflow
from .grants import DataSharingGrantViewSet
from .reference import AgencyViewSet, SpeciesViewSet

router = DefaultRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("species", SpeciesViewSet, basename="species")
router.register("grants", DataSharingGrantViewSet, basename="grant")
# Shared-layer resources defined beside their models (training, exchange visits, notifications).
router.registry.extend(training.router.registry)
router.registry.extend(notifications.router.registry)
router.registry.extend(documents.router.registry)
router.registry.extend(workflow.router.registry)

urlpatterns = router.urls
