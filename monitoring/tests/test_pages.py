"""Staff pages: lists with filters, detail, create and edit forms with ownership checks; admin; demo."""

import datetime

import pytest
from django.urls import reverse

from core.documents import attachments_for
from core.tests.factories import make_member
from monitoring.models import Deployment, Protocol, Survey

from .factories import make_deployment, make_observation


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/en/monitoring/",
        "/en/monitoring/surveys/",
        "/en/monitoring/deployments/",
        "/en/monitoring/observations/",
        "/en/monitoring/deployments/map/",
        "/en/monitoring/transects/",
        "/en/monitoring/individuals/",
        "/en/monitoring/matches/",
        "/en/monitoring/reports/cross-border/",
        "/en/monitoring/protocols/",
        "/en/monitoring/camtrap-dp/import/",
        "/en/monitoring/research/",
        "/en/monitoring/requests/",
        "/en/monitoring/requests/new/",
        "/zh-hans/monitoring/deployments/",
        "/ru/monitoring/individuals/",
    ],
)
def test_pages_open(client, cn_staff, url):
    client.force_login(cn_staff)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_pages_need_login(client):
    response = client.get("/en/monitoring/deployments/")
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_list_filter_is_the_api_filterset(client, cn_staff, cn_agency, leopard, boar):
    leo = make_deployment(cn_agency, 43.0, 130.8, code="LEO-SITE")
    make_observation(leo, leopard)
    boar_site = make_deployment(cn_agency, 43.0, 130.8, code="BOAR-SITE")
    make_observation(boar_site, boar)
    client.force_login(cn_staff)
    body = client.get("/en/monitoring/observations/", {"species": leopard.pk}).content.decode()
    assert "LEO-SITE" in body and "BOAR-SITE" not in body
    body = client.get("/en/monitoring/deployments/", {"q": "BOAR"}).content.decode()
    assert "BOAR-SITE" in body and "LEO-SITE" not in body


@pytest.mark.django_db
def test_create_and_edit_survey_with_ownership(client, cn_staff, ru_staff, cn_agency):
    client.force_login(cn_staff)
    response = client.post(
        "/en/monitoring/surveys/new/",
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "name_en": "Spring survey",
            "kind": "single",
            "method": "camera_trapping",
            "start_date": "2025-03-01",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    survey = Survey.objects.get()
    assert survey.name_en == "Spring survey" and survey.created_by == cn_staff
    assert client.get(f"/en/monitoring/surveys/{survey.pk}/edit/").status_code == 200
    client.force_login(ru_staff)
    assert client.get(f"/en/monitoring/surveys/{survey.pk}/edit/").status_code == 403


@pytest.mark.django_db
def test_create_deployment_finds_protected_area(client, cn_staff, cn_agency):
    from reserves.models import ProtectedArea

    area = ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Park",
        country="CN",
        boundary={
            "type": "Polygon",
            "coordinates": [[[130.0, 43.0], [131.0, 43.0], [131.0, 44.0], [130.0, 44.0], [130.0, 43.0]]],
        },
    )
    client.force_login(cn_staff)
    response = client.post(
        "/en/monitoring/deployments/new/",
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "deployment_id": "NEW-1",
            "latitude": "43.5",
            "longitude": "130.5",
            "start": "2025-01-01 00:00",
            "end": "2025-02-01 00:00",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Deployment.objects.get(deployment_id="NEW-1").protected_area == area


@pytest.mark.django_db
def test_read_only_user_cannot_create(client, cn_agency):
    client.force_login(make_member(cn_agency, "observer", username="cn_observer"))
    assert client.get("/en/monitoring/protocols/new/").status_code == 403


@pytest.mark.django_db
def test_transect_form_measures_route_and_tracks(client, cn_staff, cn_agency, leopard):
    client.force_login(cn_staff)
    response = client.post(
        "/en/monitoring/transects/new/",
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "name": "Route 4",
            "date": "2025-01-20",
            "route": '{"type": "LineString", "coordinates": [[130.0, 43.0], [130.1, 43.0]]}',
            "tracks": "Panthera pardus orientalis | 2",  # a list input row
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    from monitoring.models import SnowTrackTransect

    transect = SnowTrackTransect.objects.get()
    assert 8.0 < float(transect.length_km) < 8.3  # 0.1° of longitude at 43°N
    assert transect.tracks.get().tracks == 2 and transect.location_category == 2


@pytest.mark.django_db
def test_transect_route_hidden_from_outsiders(api_client, ru_staff, cn_agency, leopard):
    from monitoring.models import SnowTrackTransect, TransectTrack
    from monitoring.services import transect_saved

    transect = SnowTrackTransect.objects.create(
        owner_agency=cn_agency,
        name="R",
        date=datetime.date(2025, 1, 1),
        route={"type": "LineString", "coordinates": [[130.01, 43.01], [130.02, 43.02]]},
    )
    TransectTrack.objects.create(transect=transect, species=leopard, tracks=1)
    transect_saved(transect)
    api_client.force_authenticate(ru_staff)
    data = api_client.get(f"/api/v1/monitoring/transects/{transect.pk}/").data
    assert data["route"] is None and data["generalized_centre"]["latitude"] == 43.05


@pytest.mark.django_db
def test_admin_pages_open(client, db):
    from django.contrib.auth import get_user_model

    from monitoring import models

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    for model in (
        models.Protocol,
        models.ProtocolVersion,
        models.ObservationType,
        models.FeatureType,
        models.EffortUnit,
        models.Crosswalk,
        models.Survey,
        models.ImportRun,
        models.Deployment,
        models.Media,
        models.Observation,
        models.SnowTrackTransect,
        models.TransectTrack,
        models.Individual,
        models.IndividualAlias,
        models.MatchProposal,
        models.CatalogueEvent,
        models.ResearchProject,
        models.Publication,
        models.DataRequest,
    ):
        url = f"/en/admin/monitoring/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
        assert client.get(url + "add/").status_code in (200, 403), url


@pytest.mark.django_db
def test_registrations(cn_agency):
    from core.datasets import dataset_sources
    from core.figures import figures
    from core.navigation import menu_sections
    from core.search import _targets

    assert {"monitoring.observations", "monitoring.individuals"} <= set(dataset_sources())
    assert any(s.app_label == "monitoring" for s in menu_sections())
    assert {f.key for f in figures(app_label="monitoring", dashboard=True)} == {
        "monitoring.observations",
        "monitoring.individuals",
        "monitoring.active_deployments",
    }
    assert any(t.model is Deployment for t in _targets)


@pytest.mark.django_db
def test_demo_is_idempotent_and_has_a_cross_border_leopard():
    from core import demo as core_demo
    from core.access import Principal
    from monitoring import demo, services
    from monitoring.models import Observation
    from reserves import demo as reserves_demo

    core_demo.seed()
    reserves_demo.seed()
    demo.seed()
    counts = (Deployment.objects.count(), Observation.objects.count(), Protocol.objects.count())
    demo.seed()
    assert (Deployment.objects.count(), Observation.objects.count(), Protocol.objects.count()) == counts
    assert Deployment.objects.exclude(protected_area=None).count() == Deployment.objects.count()
    table = services.cross_border_table(
        Principal(is_superuser=True), datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)
    )
    assert table["totals"]["both"] == 1


@pytest.mark.django_db
def test_protocol_version_form(client, cn_staff, ru_staff, cn_agency, ru_agency):
    from django.core.files.uploadedfile import SimpleUploadedFile

    protocol = Protocol.objects.create(owner_agency=cn_agency, key="snow", method="snow_track", title_en="Snow tracks")
    client.force_login(ru_staff)
    assert client.get(f"/en/monitoring/protocols/{protocol.pk}/versions/new/").status_code == 403
    client.force_login(cn_staff)
    response = client.post(
        f"/en/monitoring/protocols/{protocol.pk}/versions/new/",
        {
            "version": "1.0",
            "title_en": "Snow-track protocol",
            "title_zh_hans": "雪地足迹规程",
            "title_ru": "Протокол ЗМУ",
            "summary_en": "Count crossings per 10 km.",
            "effective_from": "2025-01-01",
            "adopted_by": [cn_agency.pk, ru_agency.pk],
            "document": SimpleUploadedFile("protocol.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    version = protocol.versions.get()
    assert version.title_ru == "Протокол ЗМУ" and set(version.adopted_by.all()) == {cn_agency, ru_agency}
    # The document is a core attachment of the version, served only by the access-checked view.
    (document,) = attachments_for(version)
    assert document.role == "document" and document.mime_type == "application/pdf"
    assert protocol.current_version(datetime.date(2025, 6, 1)) == version
    page = client.get(protocol.get_absolute_url()).content.decode()
    download = reverse("core:attachment-download", args=[document.pk])
    assert download in page and "/media/" not in page
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    # A web page posing as the protocol document is refused with a form error; nothing is stored.
    response = client.post(
        f"/en/monitoring/protocols/{protocol.pk}/versions/new/",
        {
            "version": "2.0",
            "title_en": "Snow-track protocol 2",
            "effective_from": "2026-01-01",
            "document": SimpleUploadedFile("minutes.pdf", b"<html><script>alert(1)</script></html>"),
        },
    )
    assert response.status_code == 200 and "never accepted" in response.content.decode()
    assert protocol.versions.count() == 1
    for attachment in attachments_for(version):
        attachment.file.delete(save=False)


@pytest.mark.django_db
def test_agency_edits_its_crosswalk_on_the_import_page(client, cn_agency, ru_agency):
    from core.tests.factories import make_member
    from monitoring.models import Crosswalk

    client.force_login(make_member(cn_agency, "agency_staff", username="cw_staff"))
    page = client.get("/en/monitoring/camtrap-dp/import/")
    assert 'id="crosswalk-form"' in page.content.decode()
    added = client.post(
        "/en/monitoring/crosswalk/",
        {"vocabulary": "feature_type", "local_code": "兽道", "shared_key": "trailGame"},
        follow=True,
    )
    assert "兽道" in added.content.decode()
    entry = Crosswalk.objects.get(agency=cn_agency, local_code="兽道")
    assert entry.shared_key == "trailGame"
    again = client.post(
        "/en/monitoring/crosswalk/",
        {"vocabulary": "feature_type", "local_code": "兽道", "shared_key": "trailGame"},
        follow=True,
    )
    assert "already maps this local code" in again.content.decode()
    bad = client.post(
        "/en/monitoring/crosswalk/",
        {"vocabulary": "feature_type", "local_code": "x", "shared_key": "notAKey"},
        follow=True,
    )
    assert "is not a key of this vocabulary" in bad.content.decode()
    assert Crosswalk.objects.filter(agency=cn_agency).count() == 1
    # Another agency cannot remove it.
    client.force_login(make_member(ru_agency, "agency_staff", username="cw_other"))
    client.post("/en/monitoring/crosswalk/", {"delete": entry.pk})
    assert Crosswalk.objects.filter(pk=entry.pk).exists()
    client.force_login(make_member(cn_agency, "observer", username="cw_observer"))
    assert client.post("/en/monitoring/crosswalk/", {"delete": entry.pk}).status_code == 403
    client.force_login(make_member(cn_agency, "agency_staff", username="cw_staff"))
    client.post("/en/monitoring/crosswalk/", {"delete": entry.pk})
    assert not Crosswalk.objects.filter(pk=entry.pk).exists()
