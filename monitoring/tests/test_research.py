"""Research cooperation: projects with publications, and data requests decided by the owning agency."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.access import Principal
from core.models import DataSharingGrant, ObjectChange
from core.tests.factories import make_member
from core.workflow import TransitionError, history, perform
from monitoring import services
from monitoring.models import DataRequest, Deployment, Publication, ResearchProject, validate_doi

from .factories import make_deployment, make_observation


@pytest.fixture
def cn_coordinator(cn_agency):
    return make_member(cn_agency, "agency_coordinator", username="cn_coord")


@pytest.fixture
def ru_coordinator(ru_agency):
    return make_member(ru_agency, "agency_coordinator", username="ru_coord")


@pytest.mark.django_db
def test_doi_is_validated():
    validate_doi("10.1111/conl.12450")
    with pytest.raises(ValidationError):
        validate_doi("doi:conl.12450")


@pytest.mark.django_db
def test_project_api_with_publications(api_client, cn_staff, cn_agency, ru_agency):
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        "/api/v1/monitoring/research-projects/",
        {
            "title": {"en": "Leopard density 2014-2015", "zh-hans": "豹密度", "ru": "Плотность леопарда"},
            "agencies": ["CNPARK", "RUPARK"],
            "researchers": "Vitkalova A.\nFeng L.",
            "start_date": "2014-01-01",
            "publications": [
                {
                    "title": "Transboundary cooperation improves endangered species monitoring",
                    "authors": "Vitkalova et al.",
                    "year": 2018,
                    "journal": "Conservation Letters",
                    "doi": "10.1111/conl.12450",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert Publication.objects.get().doi == "10.1111/conl.12450"
    bad = api_client.post(
        "/api/v1/monitoring/research-projects/",
        {
            "title": "x",
            "start_date": "2020-01-01",
            "publications": [{"title": "t", "authors": "a", "year": 2020, "doi": "nope"}],
        },
        format="json",
    )
    assert bad.status_code == 400


@pytest.mark.django_db
def test_data_request_approved_by_owning_agency_coordinator(
    api_client, cn_agency, ru_agency, ru_staff, cn_staff, cn_coordinator, ru_coordinator, leopard
):
    secret = make_deployment(cn_agency, 43.18, 130.91, code="CN-SECRET")
    make_observation(secret, leopard)
    project = ResearchProject.objects.create(
        owner_agency=ru_agency, title_en="Leopard movements", start_date=datetime.date(2025, 1, 1)
    )
    api_client.force_authenticate(ru_staff)
    response = api_client.post(
        "/api/v1/monitoring/data-requests/",
        {
            "requested_from": "CNPARK",
            "requested_dataset": Deployment.dataset_type(),
            "purpose": "Home ranges",
            "needed_until": "2099-12-31",
            "project": str(project.pk),
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    request_id = response.data["id"]
    assert response.data["status"] == "submitted"
    assert api_client.get(f"/api/v1/monitoring/deployments/{secret.pk}/").data["location"]["generalized"] is True
    # Not the requester, not a staff member of the agency asked, not another agency's coordinator.
    approve = f"/api/v1/monitoring/data-requests/{request_id}/transitions/approve/"
    revision = response.data["revision"]
    for user in (ru_staff, cn_staff, ru_coordinator):
        api_client.force_authenticate(user)
        assert api_client.post(approve, {"revision": revision}, format="json").status_code in (400, 403, 404)
    api_client.force_authenticate(cn_coordinator)
    response = api_client.post(approve, {"note": "For the paper only", "revision": revision}, format="json")
    assert response.status_code == 200, response.data
    grant = DataSharingGrant.objects.get()
    assert (grant.grantor, grant.grantee, grant.scope, grant.dataset_type) == (
        cn_agency,
        ru_agency,
        "precise_locations",
        "monitoring.deployment",
    )
    assert grant.valid_until == datetime.date(2099, 12, 31)
    assert [h["to_status"] for h in response.data["status_history"]] == ["submitted", "approved"]
    assert response.data["decision_note"] == "For the paper only"
    data_request = DataRequest.objects.get(pk=request_id)
    logged = set(ObjectChange.objects.filter(object_id=str(data_request.pk)).values_list("action", flat=True))
    assert {"create", "update"} <= logged
    assert ObjectChange.objects.filter(object_id=str(grant.pk), action="create").exists()
    api_client.force_authenticate(ru_staff)
    detail = api_client.get(f"/api/v1/monitoring/deployments/{secret.pk}/").data
    assert detail["location"]["generalized"] is False and detail["latitude"] == 43.18


@pytest.mark.django_db
def test_declined_request_creates_no_grant_and_cannot_be_decided_twice(cn_agency, ru_agency, ru_staff, cn_coordinator):
    data_request = services.submit_data_request(
        Principal.for_user(ru_staff), cn_agency, "monitoring.observation", "why", datetime.date(2030, 1, 1)
    )
    revision = data_request.revision
    with pytest.raises(TransitionError):
        perform(data_request, "approve", Principal.for_user(ru_staff), revision=revision)
    perform(data_request, "decline", Principal.for_user(cn_coordinator), revision=revision, note="Not now")
    assert not DataSharingGrant.objects.exists()
    with pytest.raises(TransitionError):
        perform(data_request, "approve", Principal.for_user(cn_coordinator), revision=data_request.revision)
    assert [step.to_status for step in history(data_request)] == ["submitted", "declined"]


@pytest.mark.django_db
def test_request_pages(client, cn_agency, ru_staff, cn_coordinator):
    client.force_login(ru_staff)
    response = client.post(
        "/en/monitoring/requests/new/",
        {
            "requested_from": cn_agency.pk,
            "requested_dataset": "monitoring.deployment",
            "purpose": "Home ranges",
            "needed_until": "2030-01-01",
        },
    )
    assert response.status_code == 302
    data_request = DataRequest.objects.get()
    client.force_login(cn_coordinator)
    assert "Approve" in client.get(data_request.get_absolute_url()).content.decode()
    client.post(
        reverse("core:workflow-transition", args=["monitoring.datarequest", data_request.pk, "approve"]),
        {"revision": data_request.revision},
    )
    data_request.refresh_from_db()
    assert data_request.status == "approved" and data_request.grant is not None
