from django.urls import path
from rest_framework.routers import DefaultRouter

from . import imports, views

router = DefaultRouter()
router.register("observation-types", views.ObservationTypeViewSet, basename="observation-type")
router.register("feature-types", views.FeatureTypeViewSet, basename="feature-type")
router.register("effort-units", views.EffortUnitViewSet, basename="effort-unit")
router.register("crosswalks", views.CrosswalkViewSet, basename="crosswalk")
router.register("protocols", views.ProtocolViewSet, basename="protocol")
router.register("protocol-versions", views.ProtocolVersionViewSet, basename="protocol-version")
router.register("surveys", views.SurveyViewSet, basename="survey")
router.register("deployments", views.DeploymentViewSet, basename="deployment")
router.register("media", views.MediaViewSet, basename="media")
router.register("observations", views.ObservationViewSet, basename="observation")
router.register("transects", views.SnowTrackTransectViewSet, basename="transect")
router.register("individuals", views.IndividualViewSet, basename="individual")
router.register("match-proposals", views.MatchProposalViewSet, basename="match-proposal")
router.register("research-projects", views.ResearchProjectViewSet, basename="research-project")
router.register("data-requests", views.DataRequestViewSet, basename="data-request")

urlpatterns = [
    # The same path as before: clients that POST a package keep working (now previewable or queued).
    path("camtrap-dp/imports/", imports.CamtrapImportView.as_view(), name="camtrap-import"),
    path("camtrap-dp/import-jobs/", imports.ImportJobListView.as_view(), name="camtrap-import-jobs"),
    path("camtrap-dp/import-jobs/<uuid:pk>/", imports.ImportJobStatusView.as_view(), name="camtrap-import-job"),
    path("camtrap-dp/export/", views.CamtrapExportView.as_view(), name="camtrap-export"),
    path("dwca/export/", views.DwcaExportView.as_view(), name="dwca-export"),
    path("reports/cross-border/", views.CrossBorderReportView.as_view(), name="cross-border-report"),
    *router.urls,
]
