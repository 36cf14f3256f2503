"""The page action of every registered workflow, at the root of the "core:" namespace."""

from django.urls import path

from . import views_workflow as views

urlpatterns = [
    path(
        "workflow/<str:model>/<str:pk>/<slug:transition>/",
        views.transition_view,
        name="workflow-transition",
    ),
]
