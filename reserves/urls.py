from django.urls import path

from . import views

app_name = "reserves"
urlpatterns = [
    path("", views.ProtectedAreaListView.as_view(), name="area-list"),
    path("new/", views.ProtectedAreaCreateView.as_view(), name="area-create"),
    path("<uuid:pk>/", views.ProtectedAreaDetailView.as_view(), name="area-detail"),
    path("<uuid:pk>/edit/", views.ProtectedAreaUpdateView.as_view(), name="area-edit"),
]
