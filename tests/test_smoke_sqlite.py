"""Smoke tests that `.ci/run` also runs on the embedded SQLite default (no DATABASE_URL).

They run in the normal PostgreSQL suite too, so both back ends stay usable.
"""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from core.models import ObjectChange

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

DEMO_PASSWORD = "tiger-leopard-2026"


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def login(client, username="nectlnp_ranger", password=DEMO_PASSWORD):
    response = client.post("/en/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return response


def test_every_migration_is_applied_and_every_table_exists():
    # `migrate --check` exits non-zero while a migration is unapplied.
    call_command("migrate", "--check", verbosity=0)
    tables = set(connection.introspection.table_names())
    missing = [m._meta.db_table for m in apps.get_models() if m._meta.managed and m._meta.db_table not in tables]
    assert missing == []


def test_seed_demo_twice_changes_nothing():
    first = seed()
    assert "Demo data is in place." in first
    assert "nectlnp_ranger" in first  # the demo logins are printed
    counts = row_counts()
    audit_rows = ObjectChange.objects.count()
    assert counts["core.Agency"] >= 10
    assert counts["reserves.ProtectedArea"] >= 5
    assert audit_rows > 0  # the first run is audited

    second = seed()
    assert row_counts() == counts
    assert ObjectChange.objects.count() == audit_rows
    assert "  agency " not in second  # nothing reported as created


def test_login_and_dashboard(client):
    seed()
    response = login(client)
    assert response["Location"].endswith("/en/")
    dashboard = client.get("/en/")
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert 'id="dashboard-map"' in html
    assert "Land of the Leopard National Park" in html  # the areas' GeoJSON for the map
    assert client.get("/zh-hans/").status_code == 200


def test_protected_areas_api_by_session_and_by_key(client):
    seed()
    login(client)
    response = client.get("/api/v1/reserves/protected-areas/")
    assert response.status_code == 200
    body = response.json()
    names = [area["name"] for area in body["results"]]
    assert len(names) >= 5
    assert {"zh-hans": "东北虎豹国家公园", "en": "Northeast China Tiger and Leopard National Park",
            "ru": "Национальный парк «Северо-Восточный Китай — тигр и леопард»"} in names  # fmt: skip

    out = io.StringIO()
    call_command("create_api_key", "--agency", "LOTL", "--name", "smoke", "--read-only", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    client.logout()
    assert client.get("/api/v1/reserves/protected-areas/").status_code in (401, 403)
    by_key = client.get("/api/v1/reserves/protected-areas/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert by_key.status_code == 200
    assert len(by_key.json()["results"]) == len(names)
