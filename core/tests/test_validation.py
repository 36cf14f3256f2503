"""Validation once: the serializer and form bases run the model's own rules (issue 8, point 1)."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms import modelform_factory
from django.utils import translation

from core.api.exceptions import django_error_detail, portal_exception_handler
from core.api.serializers import SharedRecordSerializer
from core.forms import SharedRecordForm
from core.models import TrainingCourse, TrainingParticipant
from core.validators import END_DATE_BEFORE_START


def _context(user):
    return {"request": SimpleNamespace(user=user, auth=None)}


class BareCourseSerializer(SharedRecordSerializer):
    """No validate() of its own: whatever is checked comes from the base."""

    class Meta:
        model = TrainingCourse
        fields = SharedRecordSerializer.shared_fields + ("title", "topic", "start_date", "end_date")


@pytest.fixture
def course(cn_agency):
    return TrainingCourse.objects.create(
        owner_agency=cn_agency,
        title_en="SMART basics",
        topic="smart",
        start_date=datetime.date(2026, 5, 10),
        end_date=datetime.date(2026, 5, 12),
    )


@pytest.mark.django_db
def test_base_runs_the_model_rule_on_create(cn_staff):
    data = {"title": {"en": "X"}, "topic": "smart", "start_date": "2026-05-10", "end_date": "2026-05-01"}
    serializer = BareCourseSerializer(data=data, context=_context(cn_staff))
    assert not serializer.is_valid()
    assert serializer.errors == {"end_date": [str(END_DATE_BEFORE_START)]}


@pytest.mark.django_db
def test_partial_update_validates_the_merged_instance(cn_staff, course):
    # Only the end is sent: the rule must compare it with the stored start.
    serializer = BareCourseSerializer(course, data={"end_date": "2026-05-01"}, partial=True, context=_context(cn_staff))
    assert not serializer.is_valid()
    assert "end_date" in serializer.errors
    course.refresh_from_db()
    assert course.end_date == datetime.date(2026, 5, 12)
    ok = BareCourseSerializer(course, data={"end_date": "2026-05-11"}, partial=True, context=_context(cn_staff))
    assert ok.is_valid(), ok.errors


@pytest.mark.django_db
def test_patch_over_the_api_checks_the_stored_start(api_client, cn_staff, course):
    api_client.force_authenticate(cn_staff)
    response = api_client.patch(
        f"/api/v1/training/courses/{course.pk}/", {"end_date": "2026-05-01"}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    with translation.override("ru"):
        assert response.data == {"end_date": [str(END_DATE_BEFORE_START)]}
    assert response.data["end_date"][0] != "The end date is before the start date."


@pytest.mark.django_db
def test_uniqueness_is_a_400_not_a_500(api_client, cn_staff, cn_agency, course):
    TrainingParticipant.objects.create(course=course, agency=cn_agency, name="Li Wei")
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        "/api/v1/training/participants/",
        {"course": str(course.pk), "agency": "CNPARK", "name": "Li Wei"},
        format="json",
    )
    assert response.status_code == 400, response.data
    assert TrainingParticipant.objects.count() == 1


@pytest.mark.django_db
def test_save_kwargs_are_validated_too(api_client, cn_agency):
    """The grantor is set by the view, not sent: the model's "not to itself" rule still applies."""
    from core.tests.factories import make_member

    coordinator = make_member(cn_agency, "agency_coordinator", username="cn_coord")
    api_client.force_authenticate(coordinator)
    response = api_client.post(
        "/api/v1/grants/",
        {"grantee": "CNPARK", "scope": "view", "valid_from": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400, response.data
    assert "grantee" in response.data


def test_exception_handler_maps_a_service_error_to_field_errors():
    error = DjangoValidationError({"title_ru": ["Bad title"], "__all__": ["Whole record is wrong"]})
    response = portal_exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {"title": ["Bad title"], "non_field_errors": ["Whole record is wrong"]}
    plain = portal_exception_handler(DjangoValidationError("Nope"), {})
    assert plain.status_code == 400 and plain.data == {"non_field_errors": ["Nope"]}


def test_error_detail_is_rendered_in_the_active_language():
    with translation.override("ru"):
        detail = django_error_detail(DjangoValidationError({"end_date": END_DATE_BEFORE_START}))
    with translation.override("ru"):
        assert detail == {"end_date": [str(END_DATE_BEFORE_START)]}


@pytest.mark.django_db
def test_form_puts_a_model_error_on_a_translated_field_onto_its_column(cn_staff):
    from core.access import Principal

    form_class = modelform_factory(
        TrainingCourse, form=SharedRecordForm, fields=["owner_agency", "title_zh_hans", "title_en", "title_ru"]
    )
    form = form_class(data={}, principal=Principal.for_user(cn_staff))
    form.cleaned_data = {}
    with translation.override("ru"):
        form._update_errors(DjangoValidationError({"title": ["Wrong title"], "hours": ["Not shown"]}))
    assert form.errors["title_ru"] == ["Wrong title"]
    assert "Not shown" in form.non_field_errors()


@pytest.mark.django_db
def test_form_runs_the_model_rule(cn_staff, cn_agency):
    from core.access import Principal

    form_class = modelform_factory(
        TrainingCourse,
        form=SharedRecordForm,
        fields=["owner_agency", "sensitivity", "title_en", "topic", "start_date", "end_date"],
    )
    form = form_class(
        data={
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "title_en": "Course",
            "topic": "smart",
            "start_date": "2026-05-10",
            "end_date": "2026-05-01",
        },
        principal=Principal.for_user(cn_staff),
    )
    assert not form.is_valid()
    assert form.errors["end_date"] == [str(END_DATE_BEFORE_START)]


@pytest.mark.django_db
def test_values_given_to_save_are_checked_by_the_model_rule(cn_staff):
    from rest_framework.exceptions import ValidationError

    data = {"title": {"en": "X"}, "topic": "smart", "start_date": "2026-05-10", "end_date": "2026-05-12"}
    serializer = BareCourseSerializer(data=data, context=_context(cn_staff))
    assert serializer.is_valid(), serializer.errors
    with pytest.raises(ValidationError) as raised:
        serializer.save(end_date=datetime.date(2026, 5, 1))  # what a view's perform_create might pass
    assert "end_date" in raised.value.detail
    assert not TrainingCourse.objects.exists()
