"""Production settings: a missing required variable stops the start; `check --deploy` is clean.

Each case runs manage.py in a subprocess, as a deployment would.
"""

import subprocess
import sys

import pytest

from tests.procs import BASE_DIR, base_env

REQUIRED = ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "DEFAULT_FROM_EMAIL"]


def production_env(**overrides):
    values = {
        "DJANGO_SETTINGS_MODULE": "tumen_portal.settings.production",
        "SECRET_KEY": "k3Yq-9vTz!w2Lr8#pN6sJ4mX0cB7fH1dGa5eUiOoRtYzQwE-tumen-prod-test-0xA7",
        "ALLOWED_HOSTS": "portal.tumen-cats.example",
        "DATABASE_URL": "postgres://portal@db.tumen-cats.example:5432/portal",
        "CELERY_BROKER_URL": "redis://redis.tumen-cats.example:6379/0",
        "EMAIL_HOST": "smtp.tumen-cats.example",
        "DEFAULT_FROM_EMAIL": "portal@tumen-cats.example",
        # Nothing from the developer's shell may leak into these settings.
        "DEBUG": None,
        "SECURE_SSL_REDIRECT": None,
        "SECURE_HSTS_SECONDS": None,
    }
    values.update(overrides)
    return base_env(**values)


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without(missing):
    result = manage("check", env=production_env(**{missing: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The environment variable {missing} is required." in result.stderr


def test_production_refuses_an_empty_allowed_hosts_list():
    result = manage("check", env=production_env(ALLOWED_HOSTS=" , "))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required" in result.stderr


def test_check_deploy_reports_nothing_with_every_variable_set():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_check_deploy_notices_a_weak_setting():
    # The deploy checks really run: a short secret key and no HSTS are reported.
    result = manage("check", "--deploy", env=production_env(SECRET_KEY="short", SECURE_HSTS_SECONDS="0"))
    output = result.stdout + result.stderr
    assert "security.W009" in output
    assert "security.W004" in output


def test_production_settings_values():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT, s.DATABASES['default']['HOST'], "
        "s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=production_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False", "False", "True", "True", "True", "['^healthz$']", "db.tumen-cats.example",
        "whitenoise.storage.CompressedStaticFilesStorage",
    ]  # fmt: skip


def _production_values(expression, **overrides):
    code = f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=production_env(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def test_production_trusts_one_proxy_and_shares_rate_limits_in_redis():
    # Behind the README's TLS proxy the client address is the proxy's last X-Forwarded-For entry,
    # and the counters of every gunicorn worker live in one Redis.
    result = _production_values(
        "s.PORTAL_TRUSTED_PROXY_COUNT, s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], "
        "s.AXES_CLIENT_IP_CALLABLE, s.AXES_LOCKOUT_PARAMETERS",
        PORTAL_TRUSTED_PROXY_COUNT=None,
        CACHE_URL=None,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 4) == [
        "1", "django.core.cache.backends.redis.RedisCache", "redis://redis.tumen-cats.example:6379/0",
        "core.middleware.client_ip", "[['username', 'ip_address']]\n",
    ]  # fmt: skip


def test_production_needs_a_cache_url_when_the_broker_is_not_redis():
    result = manage("check", env=production_env(CELERY_BROKER_URL="amqp://mq.tumen-cats.example//", CACHE_URL=None))
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr
