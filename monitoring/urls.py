from django.urls import path

from . import views
from .pages import PAGES

app_name = "monitoring"
urlpatterns = [
    path("", PAGES[0].view_class("list").as_view(), name="index"),
    path("deployments/map/", views.deployment_map, name="deployment-map"),
    path("requests/new/", views.request_create, name="request-create"),
    *(pattern for pages in PAGES for pattern in pages.urls),
    path("individuals/<uuid:pk>/propose-match/", views.propose_match, name="individual-propose-match"),
    path("reports/cross-border/", views.cross_border_report, name="cross-border-report"),
    path("protocols/<uuid:pk>/versions/new/", views.protocol_version_create, name="protocol-version-create"),
    path("camtrap-dp/import/", views.camtrap_import, name="camtrap-import"),
    path("crosswalk/", views.crosswalk_edit, name="crosswalk-edit"),
]
