"""/healthz: 200 with the database and broker state, 503 when the database is down.

The failure cases run a real server (gunicorn) in a subprocess pointed at a closed port, so what is
tested is the driver's real error, not a mock.
"""

import pytest

from tests.procs import base_env, database_url_for_subprocess, free_port, running, wait_for_json

pytestmark = pytest.mark.slow


def _gunicorn(port):
    return [
        "gunicorn", "tumen_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "30",
    ]  # fmt: skip


def _serve_healthz(database_url, broker_url=None):
    port = free_port()
    env = base_env(
        DJANGO_SETTINGS_MODULE="tumen_portal.settings.test", DATABASE_URL=database_url, CELERY_BROKER_URL=broker_url
    )
    with running(_gunicorn(port), env, name="healthz") as proc:
        return wait_for_json(proc, f"http://127.0.0.1:{port}/healthz", deadline_s=60)


@pytest.mark.django_db
def test_healthz_in_process_reports_database_and_broker(client, settings):
    settings.CELERY_BROKER_URL = None
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not configured", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_200_from_a_real_server(tmp_path):
    status, body = _serve_healthz(database_url_for_subprocess(tmp_path))
    assert (status, body["database"], body["status"]) == (200, "ok", "ok")
    assert body["broker"] == "not configured"


def test_healthz_answers_503_when_the_database_is_down():
    closed = free_port()  # nothing listens there
    status, body = _serve_healthz(f"postgres://postgres@127.0.0.1:{closed}/tumen")
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["database"].startswith("error: ")


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_broker_ok_against_real_redis(tmp_path, redis_url):
    status, body = _serve_healthz(database_url_for_subprocess(tmp_path), broker_url=redis_url)
    assert status == 200
    assert body["broker"] == "ok"
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_healthz_broker_down_degrades_but_stays_200(tmp_path):
    closed = free_port()
    status, body = _serve_healthz(database_url_for_subprocess(tmp_path), broker_url=f"redis://127.0.0.1:{closed}/0")
    assert status == 200
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")
