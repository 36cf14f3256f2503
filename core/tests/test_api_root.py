"""The /api/v1/ root lists every app's resources, not only the shared ones."""

import pytest

from core.tests.factories import make_api_key

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_root_lists_every_apps_resources(api_client, cn_agency):
    _key, secret = make_api_key(cn_agency, read_only=True)
    response = api_client.get("/api/v1/", HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert response.status_code == 200
    index = response.json()
    # The shared resources stay at the top level, as before.
    for name in ("agencies", "species", "grants", "notifications", "me", "schema"):
        assert index[name].startswith("http://testserver/api/v1/"), name
    expected = {
        "reserves": ["protected-areas"],
        "antipoaching": ["patrols", "incidents", "plans", "kpis"],
        "monitoring": ["deployments", "observations", "transects", "camtrap-dp/export"],
        "policy": ["agreements", "rounds", "submissions"],
    }
    for app_label, resources in expected.items():
        group = index[app_label]
        for resource in resources:
            assert group[resource] == f"http://testserver/api/v1/{app_label}/{resource}/", (app_label, resource)
    # Every link it gives answers (no dead entry), and no detail or action route is listed.
    for app_label in expected:
        for resource, url in index[app_label].items():
            assert "{" not in url and "-detail" not in resource
    assert (
        api_client.get(index["reserves"]["protected-areas"], HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code == 200
    )


def test_every_registered_router_resource_is_listed(api_client, cn_agency):
    # Walks the routers the way a new app would be added: nothing is hand-listed in the view.
    from importlib import import_module

    from tumen_portal.api import TOPIC_APPS

    _key, secret = make_api_key(cn_agency, read_only=True)
    index = api_client.get("/api/v1/", HTTP_AUTHORIZATION=f"Api-Key {secret}").json()
    for app_label in TOPIC_APPS:
        try:
            module = import_module(f"{app_label}.api.urls")
        except ModuleNotFoundError:
            continue
        for prefix, _viewset, _basename in module.router.registry:
            assert any(link == prefix or link.startswith(f"{prefix}/") for link in index[app_label]), prefix
    core_router = import_module("core.api.urls").router
    for prefix, _viewset, _basename in core_router.registry:
        assert any(link == prefix or link.startswith(f"{prefix}/") for link in index), prefix


def test_root_is_for_signed_in_callers(api_client):
    assert api_client.get("/api/v1/").status_code in (401, 403)
