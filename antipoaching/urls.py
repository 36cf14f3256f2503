from django.urls import path

from . import pages, views

app_name = "antipoaching"
urlpatterns = [
    *pages.urls(),  # plans, operations, patrols, incidents, alerts: core.pages
    path("", pages.PatrolPages().view_class("list").as_view(), name="home"),
    path("vocabulary/", views.IncidentTypeListView.as_view(), name="incident-type-list"),
    path("plans/<uuid:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<uuid:pk>/targets/", views.plan_add_target, name="plan-add-target"),
    path("plans/<uuid:pk>/activities/", views.plan_add_activity, name="plan-add-activity"),
    path("patrols/<uuid:pk>/", views.PatrolDetailView.as_view(), name="patrol-detail"),
    path("patrols/<uuid:pk>/legs/", views.patrol_add_leg, name="patrol-add-leg"),
    path("patrols/<uuid:pk>/waypoints/", views.patrol_add_waypoint, name="patrol-add-waypoint"),
    path("incidents/<uuid:pk>/", views.IncidentDetailView.as_view(), name="incident-detail"),
    path("incidents/<uuid:pk>/link/", views.incident_link, name="incident-link"),
    path("alerts/", views.AlertListView.as_view(), name="alert-list"),
    path("alerts/<uuid:pk>/", views.AlertDetailView.as_view(), name="alert-detail"),
    path("alerts/<uuid:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("map/", views.map_view, name="map"),
    path("kpis/", views.kpi_view, name="kpis"),
]
