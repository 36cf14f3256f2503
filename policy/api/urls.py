from rest_framework.routers import DefaultRouter

from .views import ExchangeAgreementViewSet, ExchangeRoundViewSet, SubmissionViewSet

router = DefaultRouter()
router.register("agreements", ExchangeAgreementViewSet, basename="agreement")
router.register("rounds", ExchangeRoundViewSet, basename="round")
router.register("submissions", SubmissionViewSet, basename="submission")
urlpatterns = router.urls
