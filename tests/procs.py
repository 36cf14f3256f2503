"""Helpers for tests that start real processes (servers, workers): bounded in time, always killed."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**overrides):
    """The current environment with the venv first on PATH, plus overrides (None removes a variable)."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = str(value)
    return env


class Proc:
    """A process in its own session whose output goes to a file (no pipe to fill up)."""

    def __init__(self, args, env, cwd=BASE_DIR, log_dir=None, name="proc"):
        log_dir = Path(log_dir or "/tmp")
        self.log_path = log_dir / f"{name}-{os.getpid()}-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def output(self):
        return self.log_path.read_text(errors="replace")

    def alive(self):
        return self.popen.poll() is None

    def stop(self, timeout=10):
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=timeout)
        else:
            # The leader exited; children in its group may still run.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)
        self._log.close()


@contextlib.contextmanager
def running(args, env, cwd=BASE_DIR, name="proc"):
    proc = Proc(args, env, cwd=cwd, name=name)
    try:
        yield proc
    finally:
        proc.stop()
        with contextlib.suppress(OSError):
            proc.log_path.unlink()


def http_get(url, timeout=5, headers=None):
    """(status, body text) of a GET; HTTP errors are answers too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_for_http(proc, url, deadline_s=60):
    """Poll until the server answers at all (any status); fail with its log if it dies or is too slow."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if not proc.alive():
            raise AssertionError(f"the process exited with {proc.popen.returncode}:\n{proc.output[-4000:]}")
        try:
            return http_get(url, timeout=5)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.3)
    raise AssertionError(f"no answer from {url} within {deadline_s}s:\n{proc.output[-4000:]}")


def wait_for_json(proc, url, deadline_s=60):
    status, body = wait_for_http(proc, url, deadline_s)
    try:
        return status, json.loads(body)
    except ValueError:
        raise AssertionError(f"{url} answered {status} with a body that is not JSON: {body[:500]}")


def database_url_for_subprocess(tmp_path):
    """A URL to a real database a subprocess can reach: the test PostgreSQL database, or an SQLite file."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if "postgresql" in settings_dict["ENGINE"]:
        user = settings_dict.get("USER") or "postgres"
        password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"
    return f"sqlite:///{tmp_path / 'healthz.sqlite3'}"
