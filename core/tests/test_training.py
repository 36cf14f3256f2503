import datetime

import pytest

from core.models import ObjectChange, TrainingCourse, TrainingParticipant
from core.tests.factories import AgencyFactory

COURSES = "/api/v1/training/courses/"
PARTICIPANTS = "/api/v1/training/participants/"
STAFF = "/api/v1/training/trained-staff/"


def _course(**extra):
    return {
        "title": {"en": "SMART for rangers", "ru": "SMART для инспекторов", "zh-hans": "SMART巡护培训"},
        "topic": "smart",
        "trainers": "WCS",
        "place": {"en": "Hunchun"},
        "start_date": "2026-04-01",
        "end_date": "2026-04-03",
    } | extra


@pytest.mark.django_db
def test_course_participants_certificates_and_trained_staff(api_client, cn_staff, ru_agency, cn_agency):
    api_client.force_authenticate(cn_staff)
    course = api_client.post(COURSES, _course(), format="json")
    assert course.status_code == 201, course.data
    cid = course.data["id"]
    for name, agency in (("Li Wei", "CNPARK"), ("Ivan Petrov", "RUPARK"), ("Oleg", "RUPARK")):
        response = api_client.post(
            PARTICIPANTS,
            {
                "course": cid,
                "name": name,
                "agency": agency,
                "certificate_number": f"SM-{name[:2]}",
                "certificate_issued": "2026-04-03",
            },
            format="json",
        )
        assert response.status_code == 201, response.data
    # A second SMART course with the same person counts that person once for the topic.
    second = api_client.post(COURSES, _course(start_date="2026-05-01", end_date="2026-05-02"), format="json").data
    api_client.post(PARTICIPANTS, {"course": second["id"], "name": "ivan petrov", "agency": "RUPARK"}, format="json")
    first_aid = api_client.post(COURSES, _course(topic="first_aid"), format="json").data
    api_client.post(PARTICIPANTS, {"course": first_aid["id"], "name": "Oleg", "agency": "RUPARK"}, format="json")
    rows = {(r["agency"], r["topic"]): r["people"] for r in api_client.get(STAFF).data}
    assert rows == {("CNPARK", "smart"): 1, ("RUPARK", "smart"): 2, ("RUPARK", "first_aid"): 1}
    only_ru = api_client.get(STAFF, {"agency": "RUPARK"}).data
    assert {r["agency"] for r in only_ru} == {"RUPARK"}


@pytest.mark.django_db
def test_training_bad_input_changes_nothing(api_client, cn_staff, ru_staff, cn_agency):
    api_client.force_authenticate(cn_staff)
    response = api_client.post(COURSES, _course(end_date="2026-03-01"), format="json", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400 and "end_date" in response.data
    assert api_client.post(COURSES, _course(owner_agency="RUPARK"), format="json").status_code == 400
    course = api_client.post(COURSES, _course(), format="json").data
    no_number = api_client.post(
        PARTICIPANTS,
        {"course": course["id"], "name": "X", "agency": "CNPARK", "certificate_issued": "2026-04-03"},
        format="json",
    )
    assert no_number.status_code == 400
    api_client.force_authenticate(ru_staff)
    foreign = api_client.post(PARTICIPANTS, {"course": course["id"], "name": "Y", "agency": "RUPARK"}, format="json")
    assert foreign.status_code == 400  # only the organiser adds participants
    assert TrainingCourse.objects.count() == 1 and TrainingParticipant.objects.count() == 0


@pytest.mark.django_db
def test_restricted_course_and_its_participants_stay_hidden(api_client, cn_staff, cn_agency):
    outsider_agency = AgencyFactory(code="OUT", country="RU")
    from core.tests.factories import make_member

    outsider = make_member(outsider_agency, "agency_staff", username="outsider")
    course = TrainingCourse.objects.create(
        owner_agency=cn_agency,
        title_en="Evidence",
        topic="evidence",
        sensitivity="owner",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 1, 2),
    )
    TrainingParticipant.objects.create(course=course, name="Secret agent", agency=cn_agency)
    api_client.force_authenticate(outsider)
    assert api_client.get(COURSES).data["results"] == []
    assert api_client.get(PARTICIPANTS).data["results"] == []
    assert api_client.get(STAFF).data == []
    api_client.force_authenticate(cn_staff)
    assert api_client.get(f"{COURSES}{course.pk}/").status_code == 200
    assert ObjectChange.objects.filter(action="read", object_id=str(course.pk)).exists()


@pytest.mark.django_db
def test_training_pages(client, cn_staff, cn_agency):
    course = TrainingCourse.objects.create(
        owner_agency=cn_agency,
        title_en="SMART basics",
        topic="smart",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 1, 2),
    )
    TrainingParticipant.objects.create(course=course, name="Li", agency=cn_agency)
    client.force_login(cn_staff)
    assert "SMART basics" in client.get("/en/training/").content.decode()
    detail = client.get(f"/en/training/{course.pk}/").content.decode()
    assert "Li" in detail
    staff = client.get("/en/training/trained-staff/").content.decode()
    assert "CNPARK" in staff
    response = client.post(
        "/en/training/new/",
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "title_en": "First aid",
            "topic": "first_aid",
            "start_date": "2026-05-02",
            "end_date": "2026-05-01",
        },
    )
    assert response.status_code == 200 and "before the start date" in response.content.decode()
    assert TrainingCourse.objects.count() == 1


@pytest.mark.django_db
def test_certificate_file_is_uploaded_with_the_participant(api_client, cn_staff, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    api_client.force_authenticate(cn_staff)
    course = api_client.post(COURSES, _course(), format="json").data
    scan = SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 certificate SM-7", content_type="application/pdf")
    response = api_client.post(
        PARTICIPANTS,
        {
            "course": course["id"],
            "name": "Li Wei",
            "agency": "CNPARK",
            "certificate_number": "SM-7",
            "certificate_issued": "2026-04-03",
            "certificate_file": scan,
        },
        format="multipart",
    )
    assert response.status_code == 201, response.data
    participant = TrainingParticipant.objects.get(pk=response.data["id"])
    from core.documents import attachments_for

    stored = attachments_for(participant, "certificate").get()
    with stored.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 certificate SM-7"
    assert stored.mime_type == "application/pdf" and stored.original_name == "certificate.pdf"
    assert response.data["certificate_files"][0]["download_url"].endswith(f"/files/{stored.pk}/")
