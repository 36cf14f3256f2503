"""The /api/v1/ root: shared resources, each topic app's api/urls.py, schema and offline docs."""

from collections import OrderedDict
from importlib import import_module

from django.urls import NoReverseMatch, URLPattern, include, path, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.reference import MeView

# Each app exposes its resources under /api/v1/<app>/ from <app>/api/urls.py.
TOPIC_APPS = ["reserves", "antipoaching", "monitoring", "policy", "outreach", "corridors"]


def _app_module(app_label):
    try:
        return import_module(f"{app_label}.api.urls")
    except ModuleNotFoundError as exc:
        if exc.name in {f"{app_label}.api", f"{app_label}.api.urls"}:
            return None
        raise


def _app_urls(app_label):
    if _app_module(app_label) is None:
        return None
    return path(f"{app_label}/", include(f"{app_label}.api.urls"))


def _index_names(module):
    """The names of a URL module's index routes, in order: each router resource's "-list" view
    and the app's plain views (exports, reports, KPIs). Detail routes, a resource's extra actions
    (they are documented in the schema), the routers' own indexes and format twins are left out."""
    router = getattr(module, "router", None)
    basenames = [basename for _prefix, _viewset, basename in getattr(router, "registry", [])]
    candidates = []
    for pattern in getattr(module, "urlpatterns", []):
        if not isinstance(pattern, URLPattern) or pattern.pattern.regex.groups:
            continue
        name = pattern.name
        if not name or name == "api-root" or name in candidates or "format" in str(pattern.pattern):
            continue
        candidates.append(name)
    with_list = {b for b in basenames if f"{b}-list" in candidates}
    longest_first = sorted(basenames, key=len, reverse=True)  # "patrol-leg" before "patrol"
    names = []
    for name in candidates:
        owner = next((b for b in longest_first if name.startswith(f"{b}-")), None)
        # A resource without a list route (e.g. the caller's own preferences) shows its actions.
        if owner in with_list and name != f"{owner}-list":
            continue
        names.append(name)
    return names


def _api_base():
    return reverse("api:me").removesuffix("me/")


def _links(request, module, prefix=""):
    base = _api_base() + prefix
    links = OrderedDict()
    for name in _index_names(module):
        try:
            url = reverse(f"api:{name}")
        except NoReverseMatch:
            continue
        links[url.removeprefix(base).strip("/") or name] = request.build_absolute_uri(url)
    return links


class ApiRootView(APIView):
    """Links to every resource of the API: the shared ones, then one group per topic app.

    Built by walking the registered URL modules, so an app's new resource is listed without
    touching this view.
    """

    _ignore_model_permissions = True
    schema = None  # an index, not a resource: not in the OpenAPI schema

    def get(self, request, *args, **kwargs):
        index = _links(request, import_module("core.api.urls"))
        for extra in ("me", "schema", "docs"):
            index[extra] = request.build_absolute_uri(reverse(f"api:{extra}"))
        for app_label in TOPIC_APPS:
            module = _app_module(app_label)
            if module is not None:
                index[app_label] = _links(request, module, prefix=f"{app_label}/")
        return Response(index)


urlpatterns = [
    # Before core.api.urls: its router's own index lists only the shared resources.
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("core.api.urls")),
    path("me/", MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
] + [p for p in (_app_urls(app) for app in TOPIC_APPS) if p is not None]
