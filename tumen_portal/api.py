"""The /api/v1/ root: shared resources, each topic app's api/urls.py, schema and offline docs."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api.reference import MeView

# Each app exposes its resources under /api/v1/<app>/ from <app>/api/urls.py.
TOPIC_APPS = ["reserves", "antipoaching", "monitoring", "policy", "outreach", "corridors"]


def _app_urls(app_label):
    try:
        import_module(f"{app_label}.api.urls")
    except ModuleNotFoundError as exc:
        if exc.name in {f"{app_label}.api", f"{app_label}.api.urls"}:
            return None
        raise
    return path(f"{app_label}/", include(f"{app_label}.api.urls"))


urlpatterns = [
    path("", include("core.api.urls")),
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
] + [p for p in (_app_urls(app) for app in TOPIC_APPS) if p is not None]
