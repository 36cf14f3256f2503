"""/api/v1/policy/…: agreements, rounds, submissions."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Sensitivity
from core.tests.factories import make_api_key, make_member
from policy import services
from policy.models import ExchangeAgreement, ExchangeRound, Submission

from .factories import make_agreement

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def rounds(cn_agency, ru_agency):
    agreement = make_agreement([cn_agency, ru_agency], starts_on=datetime.date(2026, 1, 1))
    services.generate_rounds(agreement, today=datetime.date(2026, 4, 1))
    return agreement


def test_create_agreement_generates_rounds(
    api_client, secretariat_agency, cn_agency, ru_agency, django_capture_on_commit_callbacks
):
    user = make_member(secretariat_agency, "secretariat_coordinator")
    api_client.force_login(user)
    payload = {
        "title": {"en": "Monthly incident reports", "zh-hans": "月度事件报告", "ru": "Ежемесячные отчёты"},
        "parties": ["CNPARK", "RUPARK"],
        "dataset_types": ["manual"],
        "cadence": "monthly",
        "due_day": 10,
        "lead_days": [5, 1],
        "escalate_after_days": 7,
        "starts_on": "2026-01-01",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/policy/agreements/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"]["zh-hans"] == "月度事件报告" and body["owner_agency"] == "SEC"
    agreement = ExchangeAgreement.objects.get(pk=body["id"])
    assert ExchangeRound.objects.filter(agreement=agreement).count() > 0


def test_agreement_validation_errors(api_client, secretariat_agency, cn_agency):
    api_client.force_login(make_member(secretariat_agency, "secretariat_coordinator"))
    response = api_client.post(
        "/api/v1/policy/agreements/",
        {"title": "x", "parties": ["CNPARK"], "dataset_types": ["nope"], "cadence": "cron", "cron": "bad"},
        format="json",
    )
    assert response.status_code == 400
    assert "dataset_types" in response.json() or "cron" in str(response.json())


def test_rounds_list_with_status_filter(api_client, rounds, cn_agency):
    api_client.force_login(make_member(cn_agency, "agency_staff"))
    response = api_client.get("/api/v1/policy/rounds/", {"agency": "CNPARK"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and {r["agency"] for r in results} == {"CNPARK"}
    assert {r["status"] for r in results} <= {"pending", "missing", "on_time", "late"}
    missing = api_client.get("/api/v1/policy/rounds/", {"status": "missing"}).json()["results"]
    assert all(r["status"] == "missing" for r in missing)


def test_rounds_of_an_owner_only_agreement_are_hidden(api_client, cn_agency, ru_agency):
    agreement = make_agreement([cn_agency], owner=cn_agency, sensitivity=Sensitivity.OWNER)
    services.generate_rounds(agreement, today=datetime.date(2026, 4, 1))
    api_client.force_login(make_member(ru_agency, "agency_staff"))
    assert api_client.get("/api/v1/policy/rounds/").json()["results"] == []
    assert api_client.get("/api/v1/policy/agreements/").json()["results"] == []


def test_obliged_agency_submits_with_a_file_and_closes_the_round(
    api_client, rounds, cn_agency, ru_agency, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    round_ = ExchangeRound.objects.get(agency=cn_agency, period_start=datetime.date(2026, 1, 1))
    key_obj, key = make_api_key(cn_agency)
    response = api_client.post(
        "/api/v1/policy/submissions/",
        {"round": str(round_.pk), "note": "Q1 sheets", "attachment": SimpleUploadedFile("q1.csv", b"a,b\n")},
        format="multipart",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "manual"
    round_.refresh_from_db()
    assert round_.fulfilled_at is not None
    # Another agency may not submit for this round.
    _obj, ru_key = make_api_key(ru_agency)
    response = api_client.post(
        "/api/v1/policy/submissions/",
        {"round": str(round_.pk), "note": "not ours"},
        format="json",
        HTTP_AUTHORIZATION=f"Api-Key {ru_key}",
    )
    assert response.status_code == 400
    assert Submission.objects.count() == 1


def test_submission_needs_a_note_or_file(api_client, rounds, cn_agency):
    round_ = ExchangeRound.objects.filter(agency=cn_agency).first()
    api_client.force_login(make_member(cn_agency, "agency_coordinator"))
    response = api_client.post("/api/v1/policy/submissions/", {"round": str(round_.pk)}, format="json")
    assert response.status_code == 400 and "note" in response.json()


def test_rounds_list_query_count_is_constant(api_client, rounds, cn_agency, django_assert_max_num_queries):
    api_client.force_login(make_member(cn_agency, "agency_staff"))
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/policy/rounds/")
    assert response.status_code == 200 and len(response.json()["results"]) >= 2


@pytest.mark.django_db
def test_an_impossible_year_filter_is_a_400(api_client, cn_staff):
    api_client.force_authenticate(cn_staff)
    assert api_client.get("/api/v1/policy/rounds/", {"year": 0}).status_code == 400
    assert api_client.get("/api/v1/policy/rounds/", {"year": 2026}).status_code == 200
