"""schemathesis, in process, against /api/v1/schema/: every operation with a few generated
requests, once with a read-write API key and once with a browser session (CSRF included).

Checks: no server error and no response that breaks the schema (both must be zero).
FUZZ_EXAMPLES (default 3) bounds the examples per operation; `make fuzz` is the long run.
"""

import os
from collections import defaultdict

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from core.testing import fixtures
from core.testing.rules import ROLE_BY_NAME

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db]
contract_world = fixtures.contract_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
SCHEMA_URL = "/api/v1/schema/?format=json"


def _auth_headers(world, mode):
    if mode == "api_key":
        key = world.caller(ROLE_BY_NAME["read_write_key"], world.default_owner).key
        return {"Authorization": f"Api-Key {key}"}, {}
    user = world.caller(ROLE_BY_NAME["owner_staff"], world.default_owner).user
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return {"X-CSRFToken": token}, cookies


def _fuzz(world, mode):
    """{"server_error": [...], "schema": [...]} for one way of signing in."""
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    headers, cookies = _auth_headers(world, mode)
    # The schema is read with Django's test client (it is for signed-in callers), then served
    # to schemathesis with the WSGI app attached, as openapi.from_wsgi does.
    reader = Client()
    reader.force_login(world.caller(ROLE_BY_NAME["owner_staff"], world.default_owner).user)
    raw = reader.get(SCHEMA_URL)
    assert raw.status_code == 200, raw.content[:300]
    schema = schemathesis.openapi.from_dict(raw.json())
    schema.app = WSGIHandler()
    schema.location = SCHEMA_URL
    found = defaultdict(set)
    checks = {"server_error": not_a_server_error, "schema": response_schema_conformance}

    # The WSGI handler would close the test transaction's connection after each request (Django's
    # own test client reconnects this signal after each of its requests, so disconnect it here).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        for result in schema.get_all_operations():
            _fuzz_operation(result.ok(), headers, cookies, checks, found)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return {name: sorted(items) for name, items in found.items()}


def _fuzz_operation(operation, headers, cookies, checks, found):
    import hypothesis

    label = f"{operation.method.upper()} {operation.path}"

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy())
    def run(case):
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers, cookies=cookies)
            found["statuses"].add(f"{label} {response.status_code}")
            for name, check in checks.items():
                try:
                    case.validate_response(response, checks=[check], headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # a failed check: collect it, keep fuzzing
                    for failure in getattr(exc, "exceptions", None) or [exc]:
                        found[name].add(f"{label} → {response.status_code}: {_summary(failure)}")
        finally:
            transaction.savepoint_rollback(savepoint)

    run()


def _summary(failure):
    """One line: the failure's title, its first message line and the schema location."""
    text = str(getattr(failure, "message", "") or failure)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    where = next((line for line in lines if line.startswith("Schema at")), "")
    title = getattr(failure, "title", "") or type(failure).__name__
    return f"{title}: {lines[0] if lines else ''} {where}"[:240]


@pytest.fixture(scope="module")
def fuzz_results(contract_world, django_db_blocker):
    with django_db_blocker.unblock():
        yield {mode: _fuzz(contract_world, mode) for mode in ("api_key", "session")}


@pytest.mark.parametrize("mode", ["api_key", "session"])
def test_the_fuzz_is_signed_in(fuzz_results, mode):
    """Guards the other tests: most list reads must have answered 200, not 401/403."""
    statuses = fuzz_results[mode]["statuses"]
    lists_ok = {s for s in statuses if s.startswith("GET ") and "{" not in s and s.endswith(" 200")}
    refused = {s for s in statuses if s.endswith(" 401") or s.endswith(" 403")}
    assert len(lists_ok) > 20, (len(lists_ok), sorted(refused)[:20])


@pytest.mark.parametrize("mode", ["api_key", "session"])
def test_no_server_errors(fuzz_results, mode):
    errors = fuzz_results[mode].get("server_error", [])
    assert not errors, "server errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("mode", ["api_key", "session"])
def test_responses_match_the_schema(fuzz_results, mode):
    mismatches = fuzz_results[mode].get("schema", [])
    assert not mismatches, f"{len(mismatches)} responses break the schema:\n" + "\n".join(mismatches)
