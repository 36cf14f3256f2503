"""Routes of attachments (core.documents): served by the portal in every setting, never by DEBUG's static route."""

from django.urls import path

from . import views_documents

urlpatterns = [
    path("files/<uuid:pk>/", views_documents.download, name="attachment-download"),
    path("files/<uuid:pk>/remove/", views_documents.remove, name="attachment-remove"),
    path("files/add/<str:record_type>/<str:pk>/", views_documents.add, name="attachment-add"),
]
