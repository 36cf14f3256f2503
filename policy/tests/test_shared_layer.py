"""Issue 8 for data exchange: rules in the model on every path, files as core attachments
(checked by content, downloaded through the access-checked view), figures, visible choices."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.documents import attachments_for
from core.models import Attachment, Sensitivity
from core.tests.factories import make_api_key, make_member
from policy import services
from policy.models import ExchangeRound, Submission

from .factories import make_agreement

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>fetch('/api/v1/me/')</script>minutes</body></html>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUBMISSIONS = "/api/v1/policy/submissions/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield tmp_path


@pytest.fixture
def round_(cn_agency, ru_agency):
    agreement = make_agreement([cn_agency, ru_agency], starts_on=datetime.date(2026, 1, 1))
    services.generate_rounds(agreement, today=datetime.date(2026, 4, 1))
    return ExchangeRound.objects.get(agency=cn_agency, period_start=datetime.date(2026, 1, 1))


@pytest.mark.parametrize("name", ["minutes.html", "minutes.pdf"])
def test_html_minutes_are_refused_on_the_round_page(client, round_, cn_agency, name):
    client.force_login(make_member(cn_agency, "agency_coordinator"))
    response = client.post(
        f"/en/policy/rounds/{round_.pk}/", {"note": "", "attachments": SimpleUploadedFile(name, HTML)}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["attachments"])
    assert name in errors and "web pages" in errors
    assert not Submission.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["minutes.html", "minutes.pdf"])
def test_html_minutes_are_refused_by_the_api(api_client, round_, cn_agency, name):
    _key_obj, key = make_api_key(cn_agency)
    response = api_client.post(
        SUBMISSIONS,
        {"round": str(round_.pk), "note": "Q1", "attachment": SimpleUploadedFile(name, HTML)},
        format="multipart",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
    assert response.status_code == 400
    assert name in " ".join(response.json()["attachment"])
    assert not Submission.objects.exists() and not Attachment.objects.exists()


def test_api_attachment_is_stored_in_core_and_listed(api_client, round_, cn_agency):
    _key_obj, key = make_api_key(cn_agency)
    response = api_client.post(
        SUBMISSIONS,
        {"round": str(round_.pk), "attachment": SimpleUploadedFile("q1.pdf", PDF)},
        format="multipart",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
    assert response.status_code == 201, response.json()
    submission = Submission.objects.get()
    stored = attachments_for(submission, "attachment").get()
    assert stored.file.name.startswith("attachments/") and stored.mime_type == "application/pdf"
    assert response.json()["attachments"][0]["download_url"].endswith(f"/files/{stored.pk}/")


def test_stored_attachment_downloads_in_production_and_404s_for_others(client, settings, round_, cn_agency, ru_agency):
    settings.DEBUG = False
    submission = services.submit_manually(
        round_, by_agency=cn_agency, files=[SimpleUploadedFile("q1.pdf", PDF)], principal=None
    )
    Submission.objects.filter(pk=submission.pk).update(sensitivity=Sensitivity.OWNER)
    stored = attachments_for(submission).get()
    client.force_login(make_member(cn_agency, "agency_staff"))
    page = client.get(f"/en/policy/rounds/{round_.pk}/").content.decode()
    assert f"/en/files/{stored.pk}/" in page
    response = client.get(f"/en/files/{stored.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    client.force_login(make_member(ru_agency, "agency_staff"))
    assert client.get(f"/en/files/{stored.pk}/").status_code == 404


def test_submission_rules_hold_on_every_path(api_client, client, round_, cn_agency, ru_agency):
    # The service (pages, demo) refuses what the API refuses.
    with pytest.raises(ValidationError) as error:
        services.submit_manually(round_, by_agency=cn_agency, note="x", dataset="monitoring.detections")
    assert "dataset" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.submit_manually(round_, by_agency=ru_agency, note="x")
    assert "round" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.submit_manually(round_, by_agency=cn_agency, note="  ")
    assert "note" in error.value.message_dict
    assert not Submission.objects.exists()
    # A PATCH is checked on the merged record: a note cannot be removed from a file-less submission.
    submission = services.submit_manually(round_, by_agency=cn_agency, note="sent")
    _key_obj, key = make_api_key(cn_agency)
    response = api_client.patch(
        f"{SUBMISSIONS}{submission.pk}/", {"note": ""}, format="json", HTTP_AUTHORIZATION=f"Api-Key {key}"
    )
    assert response.status_code == 400 and "note" in response.json()
    response = api_client.patch(
        f"{SUBMISSIONS}{submission.pk}/",
        {"dataset": "monitoring.detections"},
        format="json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
    assert response.status_code == 400 and "dataset" in response.json()


def test_rounds_of_hidden_agreements_answer_like_missing_ones(api_client, cn_agency, ru_agency):
    hidden = make_agreement([ru_agency], owner=ru_agency, sensitivity=Sensitivity.OWNER)
    services.generate_rounds(hidden, today=datetime.date(2026, 4, 1))
    hidden_round = ExchangeRound.objects.filter(agreement=hidden).first()
    _key_obj, key = make_api_key(cn_agency)
    answers = []
    for pk in (hidden_round.pk, "00000000-0000-0000-0000-000000000000"):
        response = api_client.post(
            SUBMISSIONS, {"round": str(pk), "note": "x"}, format="json", HTTP_AUTHORIZATION=f"Api-Key {key}"
        )
        assert response.status_code == 400
        answers.append(response.json()["round"][0].replace(str(pk), "<pk>"))
    assert answers[0] == answers[1]


def test_agreement_rules_live_in_the_model_only(api_client, secretariat_agency, cn_agency):
    _key_obj, key = make_api_key(secretariat_agency)
    body = {
        "title": {"en": "Exchange"},
        "parties": ["CNPARK"],
        "dataset_types": ["nonsense"],
        "cadence": "quarterly",
        "lead_days": [0],
        "starts_on": "2026-01-01",
        "sensitivity": "partners",
    }
    response = api_client.post("/api/v1/policy/agreements/", body, format="json", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 400
    assert set(response.json()) >= {"dataset_types", "lead_days"}
    assert "Unknown dataset type" in response.json()["dataset_types"][0]


def test_dashboard_and_compliance_read_the_figures(cn_agency, round_):
    from core.access import Principal
    from core.figures import Period, dashboard_items, figure_table

    principal = Principal.for_user(make_member(cn_agency, "agency_coordinator"))
    keys = {item.key for item in dashboard_items(principal)}
    assert {"policy.overdue_rounds", "reserves.protected_areas"} <= keys
    table = figure_table("policy.compliance", principal, Period.year(2026), ("agency",))
    assert [row["agency"] for row in table.rows] == ["CNPARK", "RUPARK"]
    assert table.headers()[0] == "Agency"


def test_files_of_a_hidden_agreement_stay_hidden(client, api_client, cn_agency, ru_agency):
    # The submission itself is "partners", but its agreement is owner-only: others see neither.
    hidden = make_agreement([ru_agency], owner=ru_agency, sensitivity=Sensitivity.OWNER)
    services.generate_rounds(hidden, today=datetime.date(2026, 4, 1))
    hidden_round = ExchangeRound.objects.filter(agreement=hidden).first()
    submission = services.submit_manually(hidden_round, by_agency=ru_agency, files=[SimpleUploadedFile("a.pdf", PDF)])
    stored = attachments_for(submission).get()
    client.force_login(make_member(cn_agency, "agency_staff"))
    assert client.get(f"/en/files/{stored.pk}/").status_code == 404
    _key_obj, key = make_api_key(cn_agency)
    listed = api_client.get(SUBMISSIONS, HTTP_AUTHORIZATION=f"Api-Key {key}").json()["results"]
    assert listed == []
