"""Related records obey the access policy (issue 8, point 2).

A related record the caller may not see is answered exactly like one that does not exist, in
forms and in the API; a link into another agency's record needs the declared right.
"""

import datetime
import uuid
from types import SimpleNamespace

import pytest
from django.forms import modelform_factory

from core.access import Principal, can_link, link_refused_message
from core.api.serializers import SharedRecordSerializer
from core.forms import SharedRecordForm
from core.models import ExchangeVisit, Sensitivity
from monitoring.models import Deployment, Survey
from reserves.models import ProtectedArea

VISITS = "/api/v1/exchange-visits/"


@pytest.fixture
def owner_only_area(cn_agency):
    return ProtectedArea.objects.create(
        owner_agency=cn_agency, name_en="Closed CN reserve", country="CN", sensitivity=Sensitivity.OWNER
    )


@pytest.fixture
def partners_area(cn_agency):
    return ProtectedArea.objects.create(
        owner_agency=cn_agency, name_en="Open CN reserve", country="CN", sensitivity=Sensitivity.PARTNERS
    )


def _visit(**extra):
    return {
        "title": {"en": "Rangers visit"},
        "purpose": {"en": "Anti-snare patrols"},
        "topic": "antipoaching",
        "delegation_agency": "RUPARK",
        "host_agency": "CNPARK",
        "start_date": "2026-06-10",
        "end_date": "2026-06-14",
    } | extra


VisitForm = modelform_factory(
    ExchangeVisit,
    form=SharedRecordForm,
    fields=[
        "owner_agency",
        "sensitivity",
        "title_en",
        "purpose_en",
        "topic",
        "delegation_agency",
        "host_agency",
        "protected_areas",
        "start_date",
        "end_date",
    ],
)


def _visit_form_data(ru_agency, cn_agency, areas):
    return {
        "owner_agency": ru_agency.pk,
        "sensitivity": "partners",
        "title_en": "Rangers visit",
        "purpose_en": "Anti-snare patrols",
        "topic": "antipoaching",
        "delegation_agency": ru_agency.pk,
        "host_agency": cn_agency.pk,
        "protected_areas": [str(a) for a in areas],
        "start_date": "2026-06-10",
        "end_date": "2026-06-14",
    }


# --- forms -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_form_does_not_offer_or_accept_another_agencys_owner_only_area(
    ru_staff, ru_agency, cn_agency, owner_only_area, partners_area
):
    principal = Principal.for_user(ru_staff)
    form = VisitForm(principal=principal)
    offered = set(form.fields["protected_areas"].queryset)
    assert partners_area in offered
    assert owner_only_area not in offered

    hidden = VisitForm(_visit_form_data(ru_agency, cn_agency, [owner_only_area.pk]), principal=principal)
    missing_pk = uuid.uuid4()
    missing = VisitForm(_visit_form_data(ru_agency, cn_agency, [missing_pk]), principal=principal)
    assert not hidden.is_valid() and not missing.is_valid()
    # The same answer as for a record that does not exist.
    assert hidden.errors["protected_areas"][0].replace(str(owner_only_area.pk), "X") == missing.errors[
        "protected_areas"
    ][0].replace(str(missing_pk), "X")

    ok = VisitForm(_visit_form_data(ru_agency, cn_agency, [partners_area.pk]), principal=principal)
    assert ok.is_valid(), ok.errors


@pytest.mark.django_db
def test_owner_still_sees_its_own_owner_only_area(cn_staff, owner_only_area):
    form = VisitForm(principal=Principal.for_user(cn_staff))
    assert owner_only_area in set(form.fields["protected_areas"].queryset)


# --- API -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_api_answers_an_invisible_area_as_nonexistent(api_client, ru_staff, cn_agency, owner_only_area, language):
    api_client.force_authenticate(ru_staff)
    hidden = api_client.post(
        VISITS, _visit(protected_areas=[str(owner_only_area.pk)]), format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    missing_pk = str(uuid.uuid4())
    missing = api_client.post(
        VISITS, _visit(protected_areas=[missing_pk]), format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert hidden.status_code == missing.status_code == 400
    hidden_text = str(hidden.data["protected_areas"][0]).replace(str(owner_only_area.pk), "X")
    assert hidden_text == str(missing.data["protected_areas"][0]).replace(missing_pk, "X")
    if language == "ru":
        assert any("\u0400" <= ch <= "\u04ff" for ch in hidden_text), hidden_text
    else:
        assert "does not exist" in hidden_text
    assert ExchangeVisit.objects.count() == 0


@pytest.mark.django_db
def test_api_accepts_a_visible_area(api_client, ru_staff, cn_agency, partners_area):
    api_client.force_authenticate(ru_staff)
    response = api_client.post(VISITS, _visit(protected_areas=[str(partners_area.pk)]), format="json")
    assert response.status_code == 201, response.data


@pytest.mark.django_db
def test_an_edit_keeps_a_link_that_is_no_longer_visible(api_client, ru_staff, ru_agency, cn_agency, partners_area):
    """Re-saving a record must not fail because a park it names was since closed to partners."""
    api_client.force_authenticate(ru_staff)
    created = api_client.post(VISITS, _visit(protected_areas=[str(partners_area.pk)]), format="json")
    ProtectedArea.objects.filter(pk=partners_area.pk).update(sensitivity=Sensitivity.OWNER)
    response = api_client.put(
        f"{VISITS}{created.data['id']}/", _visit(protected_areas=[str(partners_area.pk)]), format="json"
    )
    assert response.status_code == 200, response.data


# --- link rules: visible is not enough to write into another agency's survey ----------------


class DeploymentLinkSerializer(SharedRecordSerializer):
    class Meta:
        model = Deployment
        fields = SharedRecordSerializer.shared_fields + (
            "survey",
            "deployment_id",
            "latitude",
            "longitude",
            "start",
            "end",
        )
        link_rules = {"survey": "edit"}


class DeploymentLinkForm(SharedRecordForm):
    link_rules = {"survey": "edit"}

    class Meta:
        model = Deployment
        fields = ["owner_agency", "sensitivity", "survey", "deployment_id", "latitude", "longitude", "start", "end"]


def _survey(agency, **extra):
    return Survey.objects.create(
        owner_agency=agency, name="Leopard survey", start_date=datetime.date(2026, 3, 1), **extra
    )


def _deployment_data(survey):
    return {
        "owner_agency": "RUPARK",
        "survey": str(survey.pk),
        "deployment_id": "D-1",
        "latitude": 43.1,
        "longitude": 131.0,
        "start": "2026-03-02T10:00:00Z",
        "end": "2026-03-20T10:00:00Z",
    }


@pytest.mark.django_db
def test_serializer_refuses_a_visible_survey_of_another_agency(ru_staff, cn_agency):
    survey = _survey(cn_agency, sensitivity=Sensitivity.PARTNERS)
    serializer = DeploymentLinkSerializer(
        data=_deployment_data(survey), context={"request": SimpleNamespace(user=ru_staff, auth=None)}
    )
    assert not serializer.is_valid()
    assert serializer.errors["survey"] == [link_refused_message(survey)]


@pytest.mark.django_db
def test_serializer_answers_an_invisible_survey_as_nonexistent(ru_staff, cn_agency):
    survey = _survey(cn_agency, sensitivity=Sensitivity.OWNER)
    serializer = DeploymentLinkSerializer(
        data=_deployment_data(survey), context={"request": SimpleNamespace(user=ru_staff, auth=None)}
    )
    assert not serializer.is_valid()
    assert "does not exist" in str(serializer.errors["survey"][0])


@pytest.mark.django_db
def test_own_survey_and_joint_survey_naming_the_caller_may_be_linked(ru_staff, ru_agency, cn_agency, monkeypatch):
    context = {"request": SimpleNamespace(user=ru_staff, auth=None)}
    own = _survey(ru_agency)
    assert DeploymentLinkSerializer(data=_deployment_data(own), context=context).is_valid()

    # A joint survey declares which agencies take part; those may add their deployments.
    monkeypatch.setattr(Survey, "link_participants", "participating_agencies", raising=False)
    joint = _survey(cn_agency, kind="joint")
    joint.participating_agencies.add(ru_agency)
    serializer = DeploymentLinkSerializer(data=_deployment_data(joint), context=context)
    assert serializer.is_valid(), serializer.errors
    not_listed = _survey(cn_agency, kind="joint")
    assert not DeploymentLinkSerializer(data=_deployment_data(not_listed), context=context).is_valid()


@pytest.mark.django_db
def test_form_applies_the_same_link_rule(ru_staff, ru_agency, cn_agency):
    survey = _survey(cn_agency, sensitivity=Sensitivity.PARTNERS)
    principal = Principal.for_user(ru_staff)
    data = _deployment_data(survey) | {
        "owner_agency": ru_agency.pk,
        "sensitivity": "partners",
        "start": "2026-03-02 10:00",
        "end": "2026-03-20 10:00",
    }
    form = DeploymentLinkForm(data, principal=principal)
    assert not form.is_valid()
    assert form.errors["survey"] == [link_refused_message(survey)]
    own = _survey(ru_agency)
    form = DeploymentLinkForm(data | {"survey": str(own.pk)}, principal=principal)
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_can_link_policy(ru_staff, ru_agency, cn_agency):
    from core.tests.factories import make_member

    survey = _survey(cn_agency, sensitivity=Sensitivity.PARTNERS)
    staff = Principal.for_user(ru_staff)
    reader = Principal.for_user(make_member(cn_agency, "observer", username="cn_reader"))
    assert can_link(staff, survey, "view")
    assert not can_link(staff, survey, "edit")
    assert not can_link(reader, survey, "edit")  # the owner's read-only account may not write
    assert can_link(Principal(is_superuser=True, read_only=False), survey, "edit")
    assert can_link(staff, survey, lambda principal, target: principal.agency == ru_agency)
    with pytest.raises(ValueError):
        can_link(staff, survey, "own")


# --- an app serializer gets all this from the base, with no code of its own -----------------


@pytest.mark.django_db
def test_monitoring_api_refuses_a_deployment_in_another_agencys_owner_only_survey(api_client, ru_staff, cn_agency):
    hidden = _survey(cn_agency, sensitivity=Sensitivity.OWNER)
    api_client.force_authenticate(ru_staff)
    response = api_client.post(
        "/api/v1/monitoring/deployments/", _deployment_data(hidden), format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400, response.data
    assert "survey" in response.data
    assert str(hidden.pk) in str(response.data["survey"][0])
    assert not Deployment.objects.exists()
