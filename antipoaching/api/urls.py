from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("incident-types", views.IncidentTypeViewSet, basename="incident-type")
router.register("plans", views.ActionPlanViewSet, basename="plan")
router.register("operations", views.JointOperationViewSet, basename="operation")
router.register("patrols", views.PatrolViewSet, basename="patrol")
router.register("patrol-legs", views.PatrolLegViewSet, basename="patrol-leg")
router.register("waypoints", views.WaypointViewSet, basename="waypoint")
router.register("incidents", views.IncidentViewSet, basename="incident")
router.register("case-links", views.IncidentLinkViewSet, basename="case-link")
router.register("alerts", views.AlertViewSet, basename="alert")

urlpatterns = [
    path("kpis/", views.KpiView.as_view(), name="antipoaching-kpis"),
    path("alerts-pending/", views.UrgentPendingView.as_view(), name="antipoaching-alerts-pending"),
] + router.urls
