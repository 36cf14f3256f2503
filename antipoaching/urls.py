from django.urls import path

from . import views

app_name = "antipoaching"
urlpatterns = [
    path("", views.PatrolListView.as_view(), name="home"),
    path("vocabulary/", views.IncidentTypeListView.as_view(), name="incident-type-list"),
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan-create"),
    path("plans/<uuid:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<uuid:pk>/edit/", views.PlanUpdateView.as_view(), name="plan-edit"),
    path("plans/<uuid:pk>/step/<slug:step>/", views.plan_transition, name="plan-transition"),
    path("plans/<uuid:pk>/targets/", views.plan_add_target, name="plan-add-target"),
    path("plans/<uuid:pk>/activities/", views.plan_add_activity, name="plan-add-activity"),
    path("operations/", views.OperationListView.as_view(), name="operation-list"),
    path("operations/new/", views.OperationCreateView.as_view(), name="operation-create"),
    path("operations/<uuid:pk>/", views.OperationDetailView.as_view(), name="operation-detail"),
    path("operations/<uuid:pk>/edit/", views.OperationUpdateView.as_view(), name="operation-edit"),
    path("patrols/", views.PatrolListView.as_view(), name="patrol-list"),
    path("patrols/new/", views.PatrolCreateView.as_view(), name="patrol-create"),
    path("patrols/<uuid:pk>/", views.PatrolDetailView.as_view(), name="patrol-detail"),
    path("patrols/<uuid:pk>/edit/", views.PatrolUpdateView.as_view(), name="patrol-edit"),
    path("patrols/<uuid:pk>/legs/", views.patrol_add_leg, name="patrol-add-leg"),
    path("patrols/<uuid:pk>/waypoints/", views.patrol_add_waypoint, name="patrol-add-waypoint"),
    path("incidents/", views.IncidentListView.as_view(), name="incident-list"),
    path("incidents/new/", views.IncidentCreateView.as_view(), name="incident-create"),
    path("incidents/<uuid:pk>/", views.IncidentDetailView.as_view(), name="incident-detail"),
    path("incidents/<uuid:pk>/edit/", views.IncidentUpdateView.as_view(), name="incident-edit"),
    path("incidents/<uuid:pk>/link/", views.incident_link, name="incident-link"),
    path("alerts/", views.AlertListView.as_view(), name="alert-list"),
    path("alerts/new/", views.AlertCreateView.as_view(), name="alert-create"),
    path("alerts/<uuid:pk>/", views.AlertDetailView.as_view(), name="alert-detail"),
    path("alerts/<uuid:pk>/edit/", views.AlertUpdateView.as_view(), name="alert-edit"),
    path("alerts/<uuid:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("map/", views.map_view, name="map"),
    path("kpis/", views.kpi_view, name="kpis"),
]
