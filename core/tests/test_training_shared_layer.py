"""Issue 8 for training and exchange visits: the certificate rule in the model, certificates as core
attachments, personal data of participants, visible choices, the trained-staff figure."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.documents import attachments_for
from core.models import Attachment, Sensitivity, TrainingCourse, TrainingParticipant
from core.tests.factories import make_member

pytestmark = pytest.mark.django_db

PARTICIPANTS = "/api/v1/training/participants/"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield tmp_path


def _course(agency, sensitivity=Sensitivity.PARTNERS):
    return TrainingCourse.objects.create(
        owner_agency=agency,
        sensitivity=sensitivity,
        title_en="SMART for rangers",
        topic="smart",
        start_date=datetime.date(2026, 4, 1),
        end_date=datetime.date(2026, 4, 3),
    )


def test_certificate_dated_before_the_course_is_refused_on_every_path(client, api_client, cn_agency, cn_staff):
    course = _course(cn_agency)
    early = {"name": "Li Wei", "agency": cn_agency.pk, "certificate_number": "SM-1", "certificate_issued": "2026-03-01"}
    client.force_login(cn_staff)
    page = client.post(f"/en/training/{course.pk}/participants/", early)
    assert page.status_code == 400
    assert "dated before the course" in " ".join(page.context["participant_form"].errors["certificate_issued"])
    participant = TrainingParticipant.objects.create(course=course, name="Oleg", agency=cn_agency)
    api_client.force_authenticate(cn_staff)
    response = api_client.patch(
        f"{PARTICIPANTS}{participant.pk}/",
        {"certificate_number": "SM-2", "certificate_issued": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 400 and "certificate_issued" in response.json()
    assert TrainingParticipant.objects.get(pk=participant.pk).certificate_issued is None
    assert TrainingParticipant.objects.count() == 1


@pytest.mark.parametrize("name", ["certificate.html", "certificate.pdf"])
def test_html_certificate_is_refused_on_the_page_and_the_api(client, api_client, cn_agency, cn_staff, name):
    course = _course(cn_agency)
    client.force_login(cn_staff)
    page = client.post(
        f"/en/training/{course.pk}/participants/",
        {"name": "Li Wei", "agency": cn_agency.pk, "attachments": SimpleUploadedFile(name, HTML)},
    )
    assert page.status_code == 400
    assert name in " ".join(page.context["participant_form"].errors["attachments"])
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        PARTICIPANTS,
        {
            "course": str(course.pk),
            "name": "Li Wei",
            "agency": "CNPARK",
            "certificate_file": SimpleUploadedFile(name, HTML),
        },
        format="multipart",
    )
    assert response.status_code == 400 and name in " ".join(response.json()["certificate_file"])
    assert not TrainingParticipant.objects.exists() and not Attachment.objects.exists()


def test_certificate_downloads_in_production_and_404s_for_other_agencies(
    client, settings, cn_agency, ru_agency, cn_staff
):
    settings.DEBUG = False
    course = _course(cn_agency, Sensitivity.OWNER)
    client.force_login(cn_staff)
    response = client.post(
        f"/en/training/{course.pk}/participants/",
        {"name": "Li Wei", "agency": cn_agency.pk, "attachments": SimpleUploadedFile("scan.pdf", PDF)},
    )
    assert response.status_code == 302
    stored = attachments_for(TrainingParticipant.objects.get(), "certificate").get()
    assert f"/en/files/{stored.pk}/" in client.get(course.get_absolute_url()).content.decode()
    download = client.get(f"/en/files/{stored.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    client.force_login(make_member(ru_agency, "agency_staff"))
    assert client.get(f"/en/files/{stored.pk}/").status_code == 404


def test_partners_see_how_many_were_trained_not_who(api_client, cn_agency, ru_agency, ru_staff, cn_staff):
    course = _course(cn_agency)
    TrainingParticipant.objects.create(course=course, name="Li Wei", agency=cn_agency, certificate_number="SM-9")
    api_client.force_authenticate(ru_staff)
    row = api_client.get(PARTICIPANTS).json()["results"][0]
    assert row["name"] == "" and row["certificate_number"] == ""
    assert api_client.get(PARTICIPANTS, {"q": "Li Wei"}).status_code == 200
    staff = api_client.get("/api/v1/training/trained-staff/").json()
    assert staff == [
        {"agency": "CNPARK", "country": "CN", "topic": "smart", "topic_label": "SMART patrol software", "people": 1}
    ]
    api_client.force_authenticate(cn_staff)
    assert api_client.get(PARTICIPANTS).json()["results"][0]["name"] == "Li Wei"


def test_participants_are_not_searched_by_name(api_client, cn_agency, cn_staff):
    TrainingParticipant.objects.create(course=_course(cn_agency), name="Li Wei", agency=cn_agency, position="ranger")
    api_client.force_authenticate(cn_staff)
    assert api_client.get(PARTICIPANTS, {"q": "Li Wei"}).json()["results"] == []
    assert api_client.get(PARTICIPANTS, {"q": "ranger"}).json()["results"].__len__() == 1


def test_visit_form_and_api_offer_only_visible_protected_areas(client, api_client, cn_agency, ru_agency, ru_staff):
    from reserves.models import ProtectedArea

    hidden = ProtectedArea.objects.create(
        owner_agency=cn_agency, sensitivity=Sensitivity.OWNER, name_en="Hidden core zone", country="CN"
    )
    shown = ProtectedArea.objects.create(
        owner_agency=cn_agency, sensitivity=Sensitivity.PARTNERS, name_en="Open park", country="CN"
    )
    client.force_login(ru_staff)
    form = client.get("/en/exchange-visits/new/").context["form"]
    choices = set(form.fields["protected_areas"].queryset)
    assert shown in choices and hidden not in choices
    api_client.force_authenticate(ru_staff)
    body = {
        "title": {"en": "Visit"},
        "topic": "monitoring",
        "delegation_agency": "RUPARK",
        "host_agency": "CNPARK",
        "start_date": "2026-05-01",
        "end_date": "2026-05-03",
        "purpose": {"en": "Learn"},
        "sensitivity": "partners",
    }
    answers = []
    for pk in (hidden.pk, "00000000-0000-0000-0000-000000000000"):
        response = api_client.post("/api/v1/exchange-visits/", {**body, "protected_areas": [str(pk)]}, format="json")
        assert response.status_code == 400
        answers.append(response.json()["protected_areas"][0].replace(str(pk), "<pk>"))
    assert answers[0] == answers[1]


def test_course_form_and_participant_api_offer_only_visible_courses(api_client, cn_agency, ru_staff):
    hidden = _course(cn_agency, Sensitivity.OWNER)
    api_client.force_authenticate(ru_staff)
    response = api_client.post(PARTICIPANTS, {"course": str(hidden.pk), "name": "X", "agency": "RUPARK"}, format="json")
    assert response.status_code == 400 and "does not exist" in response.json()["course"][0]
    open_course = _course(cn_agency)
    response = api_client.post(
        PARTICIPANTS, {"course": str(open_course.pk), "name": "X", "agency": "RUPARK"}, format="json"
    )
    assert response.status_code == 400 and "course" in response.json()  # visible, but not ours to add to


def test_trained_staff_period_the_wrong_way_round_is_a_clear_error(client, api_client, cn_staff):
    api_client.force_authenticate(cn_staff)
    response = api_client.get("/api/v1/training/trained-staff/", {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 400 and "before its start" in response.json()["end"][0]
    client.force_login(cn_staff)
    page = client.get("/en/training/trained-staff/", {"start": "2026-05-01", "end": "2026-01-01"})
    assert page.status_code == 200 and "before its start" in page.content.decode()
