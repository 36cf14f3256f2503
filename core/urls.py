from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search_view, name="search"),
    path("agencies/", views.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<slug:code>/", views.AgencyDetailView.as_view(), name="agency-detail"),
]
