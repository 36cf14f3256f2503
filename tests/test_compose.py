"""docker-compose.yml, proven without a Docker engine.

The file is read, its variables interpolated as Compose would, the service hostnames (db, redis)
mapped to the local PostgreSQL and Redis through the environment, and each service's command run
for real: web answers /healthz, the worker answers a ping, beat stays up with the database
scheduler, db and redis pass their healthchecks. Every process is bounded in time and killed.
"""

import contextlib
import re
import secrets
import shlex
import subprocess
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

from tests.procs import BASE_DIR, base_env, free_port, running, wait_for_json

COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
# A Redis database of its own, so that no other test's worker answers this test's ping.
COMPOSE_REDIS_DB = 13

_VAR = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class InterpolationError(Exception):
    pass


def interpolate(value, variables):
    """Compose's variable substitution: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}."""
    if not isinstance(value, str):
        return value

    def substitute(match):
        escaped, name, op, arg, bare = match.groups()
        if escaped:
            return "$"
        if bare:
            return variables.get(bare, "")
        present = name in variables
        current = variables.get(name)
        unset_or_empty = not present or (op and op.startswith(":") and current == "")
        if op in (":-", "-"):
            return arg if unset_or_empty else current
        if op in (":?", "?"):
            if unset_or_empty:
                raise InterpolationError(f"{name}: {arg}")
            return current
        return current or ""

    return _VAR.sub(substitute, value)


def load_compose(variables):
    data = yaml.safe_load(COMPOSE_FILE.read_text())

    def walk(node):
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return interpolate(node, variables)

    return walk(data)


def environment_of(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command_of(entry):
    if isinstance(entry, str):
        return shlex.split(entry)
    return [str(part) for part in entry]


def healthcheck_command(service):
    test = service["healthcheck"]["test"]
    if isinstance(test, str):
        return ["sh", "-c", test]
    kind, *args = test
    assert kind in ("CMD", "CMD-SHELL")
    return ["sh", "-c", args[0]] if kind == "CMD-SHELL" else args


@pytest.fixture(scope="module")
def compose():
    return load_compose({"SECRET_KEY": secrets.token_urlsafe(50)})


# --- the file itself --------------------------------------------------------------------------


def test_compose_has_the_five_services_wired_together(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "gunicorn tumen_portal.wsgi" in " ".join(command_of(services["web"]["command"]))
    assert command_of(services["worker"]["command"])[:4] == ["celery", "-A", "tumen_portal", "worker"]
    beat = command_of(services["beat"]["command"])
    assert beat[:4] == ["celery", "-A", "tumen_portal", "beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat
    for name in ("web", "worker", "beat"):
        env = environment_of(services[name])
        assert env["DJANGO_SETTINGS_MODULE"] == "tumen_portal.settings.production"
        assert urlsplit(env["DATABASE_URL"]).hostname == "db"
        assert urlsplit(env["CELERY_BROKER_URL"]).hostname == "redis"
        assert "dockerfile_inline" in services[name]["build"] or "dockerfile" in services[name]["build"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_refuses_to_start_without_a_secret_key():
    with pytest.raises(InterpolationError, match="SECRET_KEY"):
        load_compose({})


def test_interpolation_follows_compose_rules():
    variables = {"A": "x", "E": ""}
    assert interpolate("${A}-${B:-d}-${E:-d}-${E-d}-$$A-$A", variables) == "x-d-d--$A-x"


# --- db and redis: their healthchecks against the local servers ---------------------------------


@pytest.mark.postgres
def test_db_healthcheck_passes_and_can_fail(compose):
    command = healthcheck_command(compose["services"]["db"])
    assert command[0] == "pg_isready"
    ok = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "accepting connections" in ok.stdout
    down = subprocess.run([*command, "-h", "127.0.0.1", "-p", str(free_port())], capture_output=True, timeout=30)
    assert down.returncode != 0


@pytest.mark.redis
def test_redis_healthcheck_passes_and_can_fail(compose):
    command = healthcheck_command(compose["services"]["redis"])
    assert command[0] == "redis-cli"
    ok = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert (ok.returncode, ok.stdout.strip()) == (0, "PONG")
    down = subprocess.run(
        [command[0], "-p", str(free_port()), *command[1:]], capture_output=True, text=True, timeout=30
    )
    assert down.stdout.strip() != "PONG"


# --- web, worker, beat: their commands against the local PostgreSQL and Redis -------------------


@pytest.fixture
def scratch_database():
    """An empty PostgreSQL database for the services to migrate, dropped afterwards."""
    from django.db import connection

    if "postgresql" not in connection.settings_dict["ENGINE"]:
        pytest.skip("needs PostgreSQL")
    import psycopg2

    params = connection.settings_dict
    server = {
        "host": params.get("HOST") or "127.0.0.1",
        "port": params.get("PORT") or 5432,
        "user": params.get("USER") or "postgres",
        "password": params.get("PASSWORD") or None,
    }
    name = f"tumen_compose_{uuid.uuid4().hex[:10]}"

    def admin(sql):
        conn = psycopg2.connect(dbname="postgres", **server)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()

    admin(f'CREATE DATABASE "{name}"')
    try:
        yield {**server, "name": name}
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def local_environment(service_env, database, redis_url):
    """The service's environment with db and redis mapped to the local servers."""
    env = dict(service_env)
    db = urlsplit(env["DATABASE_URL"])
    assert db.hostname == "db"
    password = f":{database['password']}" if database["password"] else ""
    env["DATABASE_URL"] = urlunsplit(
        (
            db.scheme,
            f"{database['user']}{password}@{database['host']}:{database['port']}",
            f"/{database['name']}",
            "",
            "",
        )
    )
    broker = urlsplit(env["CELERY_BROKER_URL"])
    assert broker.hostname == "redis"
    local_redis = urlsplit(redis_url)
    env["CELERY_BROKER_URL"] = urlunsplit(
        (broker.scheme, f"{local_redis.hostname}:{local_redis.port or 6379}", f"/{COMPOSE_REDIS_DB}", "", "")
    )
    return env


def wait_for_log(proc, text, deadline_s):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if text in proc.output:
            return
        assert proc.alive(), f"exited with {proc.popen.returncode}:\n{proc.output[-4000:]}"
        time.sleep(0.3)
    raise AssertionError(f"{text!r} not seen within {deadline_s}s:\n{proc.output[-4000:]}")


def celery_ping(env, deadline_s=60):
    deadline = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < deadline:
        last = subprocess.run(
            ["celery", "-A", "tumen_portal", "inspect", "ping", "--timeout", "3", "--json"],
            cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        if last.returncode == 0 and "pong" in last.stdout:
            return last.stdout
        time.sleep(1)
    raise AssertionError(f"no worker answered the ping: {last.stdout if last else ''} {last.stderr if last else ''}")


@pytest.fixture
def compose_broker(redis_url):
    """The compose test's own Redis database, emptied before and after."""
    import redis

    local = urlsplit(redis_url)
    client = redis.Redis(host=local.hostname, port=local.port or 6379, db=COMPOSE_REDIS_DB)
    client.flushdb()
    yield redis_url
    client.flushdb()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_web_worker_and_beat_start_against_local_services(compose, scratch_database, compose_broker):
    redis_url = compose_broker
    services = compose["services"]
    web_port = free_port()
    envs = {
        name: base_env(**local_environment(environment_of(services[name]), scratch_database, redis_url))
        for name in ("web", "worker", "beat")
    }
    # Through the environment, as on a container: one gunicorn worker on a free port.
    envs["web"].update(PORT=str(web_port), WEB_CONCURRENCY="1")

    with contextlib.ExitStack() as stack:
        # web: migrates the empty database, then gunicorn answers /healthz.
        web = stack.enter_context(running(command_of(services["web"]["command"]), envs["web"], name="compose-web"))
        status, body = wait_for_json(web, f"http://127.0.0.1:{web_port}/healthz", deadline_s=120)
        assert status == 200, (body, web.output[-3000:])
        assert body == {"database": "ok", "broker": "ok", "status": "ok"}
        # Production settings are live: pages go to HTTPS, /healthz is exempt.
        page_status, _ = _no_redirect_status(f"http://127.0.0.1:{web_port}/en/accounts/login/")
        assert page_status == 301

        # worker: answers a ping through the broker.
        worker = stack.enter_context(
            running(command_of(services["worker"]["command"]), envs["worker"], name="compose-worker")
        )
        wait_for_log(worker, "ready.", deadline_s=60)
        assert "pong" in celery_ping(envs["worker"])

        # beat: starts with the database scheduler, writes its default entry, stays up.
        beat = stack.enter_context(running(command_of(services["beat"]["command"]), envs["beat"], name="compose-beat"))
        wait_for_log(beat, "beat: Starting...", deadline_s=60)
        time.sleep(5)
        assert beat.alive(), beat.output[-4000:]
        assert "django_celery_beat.schedulers.DatabaseScheduler" in beat.output
        assert "Traceback" not in beat.output, beat.output[-4000:]
        assert _periodic_task_names(scratch_database) >= {"celery.backend_cleanup"}
        assert worker.alive() and web.alive()


def _no_redirect_status(url):
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def _periodic_task_names(database):
    import psycopg2

    conn = psycopg2.connect(
        dbname=database["name"], host=database["host"], port=database["port"], user=database["user"],
        password=database["password"],
    )  # fmt: skip
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT name FROM django_celery_beat_periodictask")
            return {row[0] for row in cursor.fetchall()}
    finally:
        conn.close()
