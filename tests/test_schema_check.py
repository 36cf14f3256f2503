"""The contract suite's schema check (core.testing.schema_check) can fail: answers that break
/api/v1/schema/ are reported, answers that match it are not."""

import pytest

from core.testing.schema_check import SchemaCheckedAPIClient, SchemaMismatch, problems

pytestmark = [pytest.mark.django_db]


def test_an_answer_of_the_wrong_shape_is_reported():
    assert problems("GET", "/api/v1/agencies/", 200, "application/json", {"results": [{"code": 5}]})
    assert problems("GET", "/api/v1/agencies/", 200, "application/json", {"results": "none"})


def test_a_null_where_the_schema_allows_none_is_reported_and_a_declared_null_is_not():
    good = {"next": None, "previous": None, "results": []}
    assert problems("GET", "/api/v1/agencies/", 200, "application/json", good) == []
    assert problems("GET", "/api/v1/agencies/", 200, "application/json", {**good, "results": None})


def test_an_undeclared_success_status_is_reported():
    assert problems("GET", "/api/v1/agencies/", 299, "application/json", {})


def test_paths_outside_the_api_and_non_json_answers_are_not_checked():
    assert problems("GET", "/monitoring/", 200, "text/html", "<html>") == []
    assert problems("GET", "/api/v1/agencies/", 200, "text/csv", "a,b") == []


def test_the_client_raises_on_a_mismatch(monkeypatch):
    from core.testing import schema_check

    monkeypatch.setattr(schema_check, "problems", lambda *args: ["GET /api/v1/me/ 200: broken"])
    client = SchemaCheckedAPIClient()
    with pytest.raises(SchemaMismatch):
        client.get("/api/v1/me/")  # a 401 JSON answer: checked like any other


def test_an_operation_missing_from_the_schema_is_reported_but_router_indexes_are_not():
    assert problems("GET", "/api/v1/no-such-resource/things/", 200, "application/json", {})
    assert problems("GET", "/api/v1/monitoring/", 200, "application/json", {"deployments": "x"}) == []
