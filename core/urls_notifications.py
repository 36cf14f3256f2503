"""Pages of notifications and dated obligations, at the root of the "core:" namespace."""

from django.urls import path

from . import views_notifications as views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/preferences/", views.preferences, name="notification-preferences"),
    path("notifications/read-all/", views.mark_all_read, name="notification-read-all"),
    path("notifications/<int:pk>/read/", views.mark_read, name="notification-read"),
    path("obligations/", views.ObligationListView.as_view(), name="obligation-list"),
]
