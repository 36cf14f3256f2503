"""Test-wide fixtures and the service policy.

Tests marked `postgres`, `redis`, `browser` or `worker` need a real service. Where it is missing
they are skipped with the reason; under CI=true such a skip is turned into a failure.
"""

import os
import shutil
import socket

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# pytest-django reads this when the session's live_server starts; "localhost" would make the
# browser tests' own-host check depend on name resolution.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def _port_open(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _redis_url():
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def service_missing(marker_name):
    """None when the service for this marker is usable, else the reason it is not."""
    from django.conf import settings

    if marker_name in {"postgres", "worker"}:
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            return "needs PostgreSQL: set DATABASE_URL=postgres://… (the suite runs on SQLite now)"
    if marker_name in {"redis", "worker"}:
        from urllib.parse import urlparse

        url = urlparse(_redis_url())
        if not _port_open(url.hostname or "127.0.0.1", url.port or 6379):
            return f"needs Redis at {url.hostname}:{url.port}"
    if marker_name == "browser":
        if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
            return "needs Debian's chromium (apt-get install chromium fonts-noto-cjk)"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "needs the playwright Python package"
    return None


def pytest_runtest_setup(item):
    for name in ("postgres", "redis", "browser", "worker"):
        if item.get_closest_marker(name):
            reason = service_missing(name)
            if reason:
                if IN_CI:
                    pytest.fail(f"CI=true and a required service is missing: {reason}", pytrace=False)
                pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: each test starts with none (core.middleware)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def redis_url():
    return _redis_url()


# --- shared fixtures: two countries' agencies and their people -------------------------------


@pytest.fixture
def cn_agency(db):
    from core.tests.factories import AgencyFactory

    return AgencyFactory(
        code="CNPARK", country="CN", name_en="China park", name_zh_hans="中国公园", name_ru="Китайский парк"
    )


@pytest.fixture
def ru_agency(db):
    from core.tests.factories import AgencyFactory

    return AgencyFactory(
        code="RUPARK", country="RU", name_en="Russia park", name_zh_hans="俄罗斯公园", name_ru="Российский парк"
    )


@pytest.fixture
def ngo_agency(db):
    from core.tests.factories import AgencyFactory

    return AgencyFactory(code="NGO", country="INT", kind="ngo")


@pytest.fixture
def secretariat_agency(db):
    from core.tests.factories import AgencyFactory

    return AgencyFactory(code="SEC", country="INT", kind="secretariat")


@pytest.fixture
def cn_staff(cn_agency):
    from core.tests.factories import make_member

    return make_member(cn_agency, "agency_staff")


@pytest.fixture
def ru_staff(ru_agency):
    from core.tests.factories import make_member

    return make_member(ru_agency, "agency_staff")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
