from django.urls import include, path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search_view, name="search"),
    path("agencies/", views.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<slug:code>/", views.AgencyDetailView.as_view(), name="agency-detail"),
    path("grants/", views.grant_list, name="grant-list"),
    # Pages of the shared training / exchange-visit records and of notifications and reminders.
    path("", include("core.urls_training")),
    path("", include("core.urls_notifications")),
    path("", include("core.urls_documents")),
    path("", include("core.urls_workflow")),
    path("", include("core.urls_apikeys")),
]
