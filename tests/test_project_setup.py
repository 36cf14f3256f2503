"""Project setup: Makefile targets, .ci/run, README quick start, .env.example.

`make run` is run for real (on a scratch SQLite database); .ci/run is run with stub commands that
record what it calls, so its service handling and step order are checked without recursion.
"""

import ast
import os
import re
import stat
import subprocess
import sys
import textwrap

import pytest

from tests.procs import BASE_DIR, base_env, free_port, http_get, running, wait_for_http

SETTINGS_DIR = BASE_DIR / "tumen_portal" / "settings"


def make_dry_run(target, **variables):
    """The commands `make` would run for target, as if nothing were built yet."""
    args = ["make", "-nB", target, *(f"{k}={v}" for k, v in variables.items())]
    result = subprocess.run(args, cwd=BASE_DIR, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def index_of(lines, pattern):
    for i, line in enumerate(lines):
        if re.search(pattern, line):
            return i
    raise AssertionError(f"{pattern!r} not in:\n" + "\n".join(lines))


# --- Makefile ---------------------------------------------------------------------------------


def test_make_run_creates_the_venv_installs_migrates_seeds_and_serves():
    lines = make_dry_run("run")
    steps = [
        r"-m venv \.venv",
        r"pip install -q -r requirements\.txt",
        r"manage\.py migrate --noinput",
        r"manage\.py seed_demo",
        r"manage\.py runserver 127\.0\.0\.1:8000$",
    ]
    positions = [index_of(lines, step) for step in steps]
    assert positions == sorted(positions)


def test_make_test_installs_the_test_requirements_then_runs_pytest():
    lines = make_dry_run("test")
    assert index_of(lines, r"pip install -q -r requirements-dev\.txt") < index_of(lines, r"python -m pytest")


def test_make_test_sqlite_drops_database_url_and_selects_the_sqlite_marker():
    lines = make_dry_run("test-sqlite")
    assert any(re.search(r"env -u DATABASE_URL .*python -m pytest -m sqlite", line) for line in lines)


def test_make_lint_runs_ruff_check_format_django_check_and_makemigrations_check():
    lines = make_dry_run("lint")
    for step in (r"ruff check \.", r"ruff format --check \.", r"manage\.py check$", r"makemigrations --check"):
        index_of(lines, step)


def test_requirements_pin_every_package():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (BASE_DIR / name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-r "):
                assert re.fullmatch(r"[A-Za-z0-9_.\[\]-]+==[0-9][A-Za-z0-9.]*", line), f"{name}: {line}"


@pytest.mark.slow
def test_make_run_serves_the_demo_for_real(tmp_path):
    port = free_port()
    env = base_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        DJANGO_SETTINGS_MODULE=None,  # manage.py's own default (dev), as on a developer's machine
        CELERY_BROKER_URL=None,
        MAKEFLAGS=None,
        MFLAGS=None,
    )
    with running(["make", "run", f"PORT={port}"], env, name="make-run") as proc:
        status, _body = wait_for_http(proc, f"http://127.0.0.1:{port}/en/accounts/login/", deadline_s=240)
        assert status == 200
        output = proc.output
        assert "Demo data is in place." in output
        assert "nectlnp_ranger" in output and "tiger-leopard-2026" in output
        assert f"Serving http://127.0.0.1:{port}/" in output
        assert http_get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        # The static files the pages need are served by the development server.
        assert http_get(f"http://127.0.0.1:{port}/static/leaflet/leaflet.js")[0] == 200


# --- .ci/run ----------------------------------------------------------------------------------

STUB = textwrap.dedent(
    """\
    #!/bin/sh
    # Records the call; services come up once their start command ran.
    name=$(basename "$0")
    echo "$name $* | CI=$CI DATABASE_URL=${DATABASE_URL:-} TEST_REDIS_URL=${TEST_REDIS_URL:-}" >> "$STUB_LOG"
    case "$name" in
      pg_isready) [ -e "$STUB_DIR/pg-up" ] ;;
      pg_ctlcluster) touch "$STUB_DIR/pg-up" ;;
      redis-cli) [ -e "$STUB_DIR/redis-up" ] && echo PONG; exit 0 ;;
      redis-server) touch "$STUB_DIR/redis-up" ;;
      dpkg) [ -e "$STUB_DIR/chromium-installed" ] ;;
      apt-get) case "$*" in *install*) touch "$STUB_DIR/chromium-installed" ;; esac ;;
      psql) echo "" ;;
      make) case " $* " in *" $STUB_FAIL_MAKE "*) exit 2 ;; esac ;;
      *) exit 0 ;;
    esac
    """
)


def run_ci_with_stubs(tmp_path, services_up, fail_make="", expect_rc=0):
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name in ("pg_isready", "pg_ctlcluster", "redis-cli", "redis-server", "dpkg", "apt-get", "psql", "createdb",
                 "make", "mkdir"):  # fmt: skip
        path = stubs / name
        path.write_text(STUB)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    if services_up:
        for flag in ("pg-up", "redis-up", "chromium-installed"):
            (stubs / flag).touch()
    # The script runs from a copy of the repository layout so that it cds into tmp_path.
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "run").write_text((BASE_DIR / ".ci" / "run").read_text())
    log = tmp_path / "calls.log"
    env = {
        "PATH": f"{stubs}{os.pathsep}/usr/bin:/bin",
        "STUB_LOG": str(log),
        "STUB_DIR": str(stubs),
        "HOME": str(tmp_path),
        "DATABASE_URL": "sqlite:///should-be-replaced",
        "CELERY_BROKER_URL": "redis://should-be-unset",
        "STUB_FAIL_MAKE": fail_make or "no-such-target",
    }
    result = subprocess.run(
        ["bash", str(tmp_path / ".ci" / "run")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == expect_rc, result.stdout + result.stderr
    return log.read_text().splitlines(), result.stdout


def test_ci_script_is_strict_bash():
    script = (BASE_DIR / ".ci" / "run").read_text()
    assert script.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in script
    assert subprocess.run(["bash", "-n", str(BASE_DIR / ".ci" / "run")], timeout=30).returncode == 0
    assert os.access(BASE_DIR / ".ci" / "run", os.X_OK)


def test_ci_starts_missing_services_installs_chromium_then_lints_tests_and_smoke_tests(tmp_path):
    calls, output = run_ci_with_stubs(tmp_path, services_up=False)
    names = [call.split(" ", 1)[0] for call in calls]
    # PostgreSQL and Redis were down: started with the documented commands.
    pg_start = next(c for c in calls if c.startswith("pg_ctlcluster"))
    assert "--skip-systemctl-redirect" in pg_start and " main start" in pg_start
    redis_start = next(c for c in calls if c.startswith("redis-server"))
    assert "--daemonize yes" in redis_start and "--port 6379" in redis_start
    # Chromium and the CJK fonts were missing: apt-get update, then install.
    apt = [c for c in calls if c.startswith("apt-get")]
    assert "update" in apt[0] and "chromium" in apt[1] and "fonts-noto-cjk" in apt[1]
    # The database is created when missing.
    assert any(c.startswith("createdb") and "tumen_ci" in c for c in calls)
    # lint, test, then the SQLite smoke tests, in that order, with CI=true and the PostgreSQL URL.
    makes = [c for c in calls if c.startswith("make ")]
    assert [m.split(" |")[0] for m in makes] == ["make lint", "make test", "make test-sqlite"]
    for call in makes:
        assert "CI=true" in call
        assert "DATABASE_URL=postgres://postgres@127.0.0.1:5432/tumen_ci" in call
        assert "TEST_REDIS_URL=redis://127.0.0.1:6379/15" in call
    assert names.index("apt-get") < names.index("make")
    assert "done: all steps passed" in output


def test_ci_runs_every_step_and_fails_when_one_failed(tmp_path):
    calls, output = run_ci_with_stubs(tmp_path, services_up=True, fail_make="lint", expect_rc=1)
    makes = [c.split(" |")[0] for c in calls if c.startswith("make ")]
    assert makes == ["make lint", "make test", "make test-sqlite"]
    assert "FAILED: make lint" in output
    assert "all steps passed" not in output


def test_ci_leaves_running_services_alone(tmp_path):
    calls, _ = run_ci_with_stubs(tmp_path, services_up=True)
    names = {call.split(" ", 1)[0] for call in calls}
    assert not names & {"pg_ctlcluster", "redis-server", "apt-get"}


def test_make_test_sqlite_really_runs_sqlite_tests():
    # pytest exits 5 when nothing is collected: there must be sqlite-marked tests to run.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "sqlite", "--collect-only", "-q"],
        cwd=BASE_DIR, env=base_env(DATABASE_URL=None), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert len([line for line in result.stdout.splitlines() if "::" in line]) >= 4


# --- conftest's service policy -----------------------------------------------------------------


@pytest.mark.parametrize(("ci", "expected", "exit_code"), [("", "1 skipped", 0), ("true", "1 error", 1)])
def test_missing_service_is_skipped_locally_and_fails_under_ci(ci, expected, exit_code):
    closed = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs",
         "tests/test_healthz.py::test_healthz_broker_ok_against_real_redis"],
        cwd=BASE_DIR, env=base_env(CI=ci, TEST_REDIS_URL=f"redis://127.0.0.1:{closed}/15"),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (result.returncode, expected in result.stdout) == (exit_code, True), result.stdout[-2000:]
    assert f"needs Redis at 127.0.0.1:{closed}" in result.stdout


# --- README and .env.example -------------------------------------------------------------------


def test_readme_quick_start_shows_make_run_and_make_test_first():
    readme = (BASE_DIR / "README.md").read_text()
    first_block = re.search(r"```[a-z]*\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands[:2] == ["make run", "make test"]
    for needed in (
        "DATABASE_URL", "CELERY_BROKER_URL", "celery -A tumen_portal worker", "celery -A tumen_portal beat",
        "/api/v1/schema/", "/api/v1/docs/", "Api-Key", '"zh-hans"', "If-Match", "ETag",
        "python manage.py create_api_key --agency CODE --name LABEL [--read-only] [--expires YYYY-MM-DD]",
        "visible_to", "services.py", "FilterSet", "## Architecture", "## API",
    ):  # fmt: skip
        assert needed in readme, needed


def settings_variables():
    """Every environment variable read through env_* helpers or os.environ in the settings."""
    names = set()
    for path in SETTINGS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if called in {"env_str", "env_bool", "env_int", "env_list", "getenv"} or (
                    called == "get" and "environ" in ast.unparse(func)
                ):
                    if isinstance(node.args[0].value, str) and node.args[0].value.isupper():
                        names.add(node.args[0].value)
    return names


def test_env_example_lists_every_variable_the_settings_read():
    names = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS", "EMAIL_HOST"} <= names
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (BASE_DIR / ".env.example").read_text(), re.M))
    assert sorted(names - listed) == []
