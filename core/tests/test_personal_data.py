"""Personal data (core.personal_data): never in the audit log, hidden from others, erasable everywhere."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from rest_framework import serializers

from core.access import Principal
from core.audit import acting_as
from core.documents import attach, attachments_for
from core.models import ObjectChange, TrainingCourse, TrainingParticipant
from core.personal_data import (
    PERSONAL_DATA_MARKER,
    PersonalDataSerializerMixin,
    erase_personal_data,
    hidden_personal_fields,
    redact,
    scrub_audit_history,
    searchable_fields,
)
from core.tests.factories import make_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

NAME = "Ivan Petrovich Sidorov"
CERT = "RU-PASS-4510-778899"


@pytest.fixture
def declared(monkeypatch):
    """Participants declare their name and certificate number as personal (as the app will)."""
    monkeypatch.setattr(TrainingParticipant, "personal_data_fields", ("name", "certificate_number"), raising=False)
    monkeypatch.setattr(TrainingParticipant, "access_parent", "course", raising=False)
    monkeypatch.setattr(TrainingCourse, "personal_data_children", ("participants",), raising=False)
    monkeypatch.setattr(TrainingCourse, "personal_data_attachment_roles", ("identity",), raising=False)


@pytest.fixture(autouse=True)
def english():
    # Messages are checked in English, whatever language an earlier test left active.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _course(agency, sensitivity="partners"):
    return TrainingCourse.objects.create(
        owner_agency=agency,
        title_en="Law enforcement",
        topic="law_enforcement",
        start_date=datetime.date(2026, 5, 1),
        end_date=datetime.date(2026, 5, 2),
        sensitivity=sensitivity,
    )


def _log_text():
    rows = ObjectChange.objects.values_list("before", "after", "object_repr")
    return json.dumps([list(row) for row in rows], ensure_ascii=False)


def test_personal_fields_never_reach_the_audit_log(declared, cn_agency):
    course = _course(cn_agency)
    participant = TrainingParticipant.objects.create(
        course=course, agency=cn_agency, name=NAME, certificate_number=CERT, position="ranger"
    )
    participant.name = "Pyotr Ivanovich Sidorov"
    participant.position = "senior ranger"
    participant.save()
    pk = participant.pk
    participant.delete()

    create, update, delete = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(TrainingParticipant), object_id=str(pk)
    ).order_by("time", "id")
    assert create.after["name"] == PERSONAL_DATA_MARKER and create.after["certificate_number"] == PERSONAL_DATA_MARKER
    assert update.changed_fields == ["name", "position"]  # that it changed is kept
    assert update.before == {"name": PERSONAL_DATA_MARKER, "position": "ranger"}
    assert update.after == {"name": PERSONAL_DATA_MARKER, "position": "senior ranger"}
    assert delete.before["name"] == PERSONAL_DATA_MARKER
    text = _log_text()
    assert NAME not in text and "Pyotr" not in text and CERT not in text  # the name is not even the log's title
    assert create.object_repr.startswith("training participant")


def test_without_a_declaration_values_are_logged(monkeypatch, cn_agency):
    # The control: the log does keep ordinary values (so the test above can fail).
    monkeypatch.setattr(TrainingParticipant, "personal_data_fields", ())
    course = _course(cn_agency)
    TrainingParticipant.objects.create(course=course, agency=cn_agency, name=NAME)
    assert NAME in _log_text()


def test_who_sees_personal_data(declared, cn_agency, ru_agency, ngo_agency):
    course = _course(cn_agency)
    participant = TrainingParticipant.objects.create(
        course=course, agency=cn_agency, name=NAME, certificate_number=CERT
    )
    owner = Principal.for_user(make_member(cn_agency))
    partner = Principal.for_user(make_member(ru_agency))
    assert hidden_personal_fields(participant, owner) == frozenset()
    assert hidden_personal_fields(participant, partner) == {"name", "certificate_number"}
    assert redact(participant, partner) == {"name": "", "certificate_number": ""}
    assert hidden_personal_fields(participant, Principal.anonymous()) == {"name", "certificate_number"}

    restricted = _course(cn_agency, sensitivity="restricted")
    restricted.shared_with.set([ru_agency])
    listed = TrainingParticipant.objects.create(course=restricted, agency=cn_agency, name=NAME)
    assert hidden_personal_fields(listed, partner) == frozenset()
    assert hidden_personal_fields(listed, Principal.for_user(make_member(ngo_agency))) == {"name", "certificate_number"}

    assert searchable_fields(TrainingParticipant, ("name", "name__icontains", "position")) == ("position",)


def test_serializer_mixin_blanks_for_others(declared, rf, cn_agency, ru_agency):
    class ParticipantSerializer(PersonalDataSerializerMixin, serializers.ModelSerializer):
        class Meta:
            model = TrainingParticipant
            fields = ["id", "name", "certificate_number", "position"]

    participant = TrainingParticipant.objects.create(
        course=_course(cn_agency), agency=cn_agency, name=NAME, certificate_number=CERT, position="ranger"
    )
    request = rf.get("/")
    request.user = make_member(ru_agency)
    data = ParticipantSerializer(participant, context={"request": request}).data
    assert data["name"] == "" and data["certificate_number"] == "" and data["position"] == "ranger"
    request = rf.get("/")
    request.user = make_member(cn_agency)
    assert ParticipantSerializer(participant, context={"request": request}).data["name"] == NAME


def test_erasure_blanks_scrubs_earlier_rows_and_is_logged(monkeypatch, cn_agency):
    monkeypatch.setattr(TrainingParticipant, "personal_data_fields", ())
    course = _course(cn_agency)
    # Rows written before the fields were declared still carry the values...
    first = TrainingParticipant.objects.create(course=course, agency=cn_agency, name=NAME, certificate_number=CERT)
    second = TrainingParticipant.objects.create(course=course, agency=cn_agency, name="Li Wei")
    assert NAME in _log_text()
    monkeypatch.setattr(TrainingParticipant, "personal_data_fields", ("name", "certificate_number"), raising=False)
    monkeypatch.setattr(TrainingParticipant, "access_parent", "course", raising=False)
    monkeypatch.setattr(TrainingCourse, "personal_data_children", ("participants",), raising=False)
    monkeypatch.setattr(TrainingCourse, "personal_data_attachment_roles", ("identity",), raising=False)
    staff = Principal.for_user(make_member(cn_agency))
    with acting_as(staff):
        scan = attach(course, SimpleUploadedFile(f"passport {NAME}.txt", b"scan"), staff, role="identity")
        kept = attach(course, SimpleUploadedFile("programme.txt", b"plan"), staff, role="programme")

    erased = erase_personal_data(course, staff, reason="Request of the person, letter 2026/14")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.certificate_number == "" and first.name.startswith("[erased]") and second.name != first.name
    assert {label for label, _pk, _fields in erased} == {"core.TrainingParticipant"}
    text = _log_text()
    assert NAME not in text and CERT not in text and "Li Wei" not in text
    entry = ObjectChange.objects.filter(object_id=str(first.pk)).order_by("-time", "-id").first()
    assert entry.after == {
        "personal_data_erased": ["certificate_number", "name"],
        "reason": "Request of the person, letter 2026/14",
    }
    assert entry.changed_fields == ["certificate_number", "name"]
    assert entry.user == staff.user and entry.agency == cn_agency
    assert [a.pk for a in attachments_for(course)] == [kept.pk]  # the identity scan went, the programme stays
    assert scan.pk not in {a.pk for a in attachments_for(course)}


def test_erasure_needs_a_reason_and_the_right_to_edit(declared, cn_agency, ru_agency):
    course = _course(cn_agency)
    participant = TrainingParticipant.objects.create(course=course, agency=cn_agency, name=NAME)
    with pytest.raises(ValidationError):
        erase_personal_data(participant, Principal.for_user(make_member(cn_agency)), reason=" ")
    with pytest.raises(ValidationError, match="may not erase"):
        erase_personal_data(participant, Principal.for_user(make_member(ru_agency)), reason="no")
    participant.refresh_from_db()
    assert participant.name == NAME


def test_erasure_of_a_queryset_bumps_the_revision_of_shared_records(monkeypatch, cn_agency):
    monkeypatch.setattr(TrainingCourse, "personal_data_fields", ("trainers",), raising=False)
    courses = [_course(cn_agency), _course(cn_agency)]
    TrainingCourse.objects.filter(pk__in=[c.pk for c in courses]).update(trainers="Dr. Anna Kuznetsova")
    erase_personal_data(TrainingCourse.objects.filter(owner_agency=cn_agency), Principal(is_superuser=True), "test")
    for course in courses:
        before = course.revision
        course.refresh_from_db()
        assert course.trainers == "" and course.revision == before + 1


def test_scrub_history_and_command(monkeypatch, cn_agency):
    monkeypatch.setattr(TrainingParticipant, "personal_data_fields", ())
    course = _course(cn_agency)
    participant = TrainingParticipant.objects.create(course=course, agency=cn_agency, name=NAME)
    monkeypatch.setattr(TrainingParticipant, "personal_data_fields", ("name",), raising=False)
    monkeypatch.setattr(TrainingParticipant, "access_parent", "course", raising=False)
    assert scrub_audit_history(TrainingParticipant) == 1
    assert NAME not in json.dumps(list(ObjectChange.objects.values_list("after", flat=True)), ensure_ascii=False)
    call_command(
        "erase_personal_data",
        "core.trainingparticipant",
        str(participant.pk),
        "--reason",
        "court order 12",
        verbosity=0,
    )
    participant.refresh_from_db()
    assert participant.name.startswith("[erased]")
    assert ObjectChange.objects.filter(object_id=str(participant.pk), after__reason="court order 12").exists()


def test_form_mixin_drops_hidden_fields_and_keeps_their_values(declared, cn_agency, ru_agency):
    from django import forms

    from core.personal_data import PersonalDataFormMixin

    class ParticipantForm(PersonalDataFormMixin, forms.ModelForm):
        class Meta:
            model = TrainingParticipant
            fields = ["name", "certificate_number", "position"]

    participant = TrainingParticipant.objects.create(
        course=_course(cn_agency), agency=cn_agency, name=NAME, certificate_number=CERT, position="ranger"
    )
    owner_form = ParticipantForm(instance=participant, principal=Principal.for_user(make_member(cn_agency)))
    assert set(owner_form.fields) == {"name", "certificate_number", "position"}
    other = ParticipantForm(
        data={"position": "chief"}, instance=participant, principal=Principal.for_user(make_member(ru_agency))
    )
    assert set(other.fields) == {"position"}
    assert other.is_valid(), other.errors
    other.save()
    participant.refresh_from_db()
    assert participant.name == NAME and participant.position == "chief"
