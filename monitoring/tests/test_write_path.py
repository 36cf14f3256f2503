"""One write path: derived fields are kept by services, whoever writes, without bumping revisions."""

import ast
import datetime
from pathlib import Path

import pytest

from monitoring.models import Deployment, Individual, Observation, SnowTrackTransect, TransectTrack
from monitoring.services import deployment_saved, replace_transect_tracks

from .factories import make_deployment, make_observation

ROUTE = {"type": "LineString", "coordinates": [[130.2, 43.2], [130.3, 43.2]]}


@pytest.fixture
def park(cn_agency):
    from reserves.models import ProtectedArea

    return ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Park",
        country="CN",
        boundary={
            "type": "Polygon",
            "coordinates": [[[130.0, 43.0], [131.0, 43.0], [131.0, 44.0], [130.0, 44.0], [130.0, 43.0]]],
        },
    )


@pytest.mark.django_db
def test_model_save_has_no_side_effects(cn_agency, park):
    deployment = Deployment.objects.create(
        owner_agency=cn_agency,
        deployment_id="D-RAW",
        latitude=43.5,
        longitude=130.5,
        start=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        end=datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC),
    )
    assert deployment.protected_area is None  # save() alone computes nothing
    deployment_saved(deployment)
    deployment.refresh_from_db()
    assert deployment.protected_area == park and deployment.revision == 1


@pytest.mark.django_db
def test_api_transect_create_with_tracks_is_one_revision(api_client, cn_staff, cn_agency, leopard, park):
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        "/api/v1/monitoring/transects/",
        {
            "owner_agency": cn_agency.code,
            "name": "Route 9",
            "date": "2025-01-20",
            "route": ROUTE,
            "tracks": [{"species": leopard.scientific_name, "tracks": 3}],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    transect = SnowTrackTransect.objects.get()
    assert transect.revision == 1 and response["ETag"] == transect.etag
    assert transect.location_category == 2 and transect.protected_area == park and transect.length_km > 8
    # The ETag of the create is good for the next write.
    changed = api_client.patch(
        f"/api/v1/monitoring/transects/{transect.pk}/", {"tracks": []}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert changed.status_code == 200, changed.data
    transect.refresh_from_db()
    assert transect.revision == 2 and transect.location_category == 0


@pytest.mark.django_db
def test_api_observation_etag_survives_catalogue_link(api_client, cn_staff, cn_agency, leopard):
    deployment = make_deployment(cn_agency, 43.5, 130.5)
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        "/api/v1/monitoring/observations/",
        {
            "owner_agency": cn_agency.code,
            "deployment": str(deployment.pk),
            "observation_id": "OBS-1",
            "event_start": "2024-01-05T10:00:00Z",
            "event_end": "2024-01-05T10:00:00Z",
            "observation_level": "event",
            "observation_type": "animal",
            "species": leopard.scientific_name,
            "individual_local_id": "T-9",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    observation = Observation.objects.get()
    assert observation.individual is not None and response.data["individual"] == observation.individual_id
    assert response["ETag"] == observation.etag  # linking the individual did not bump the revision
    patched = api_client.patch(
        f"/api/v1/monitoring/observations/{observation.pk}/",
        {"count": 2},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert patched.status_code == 200
    deployment.refresh_from_db()
    assert deployment.location_category == 2 and deployment.revision == 1


@pytest.mark.django_db
def test_api_observation_delete_ungeneralizes_the_deployment(api_client, cn_staff, cn_agency, leopard):
    deployment = make_deployment(cn_agency, 43.5, 130.5)
    observation = make_observation(deployment, leopard)
    assert deployment.location_category == 2
    api_client.force_authenticate(cn_staff)
    assert api_client.delete(f"/api/v1/monitoring/observations/{observation.pk}/").status_code == 204
    deployment.refresh_from_db()
    assert deployment.location_category == 0


@pytest.mark.django_db
def test_api_deployment_moved_gets_its_new_area(api_client, cn_staff, cn_agency, park):
    deployment = make_deployment(cn_agency, 42.5, 129.5)
    assert deployment.protected_area is None
    api_client.force_authenticate(cn_staff)
    response = api_client.patch(
        f"/api/v1/monitoring/deployments/{deployment.pk}/", {"latitude": 43.5, "longitude": 130.5}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["protected_area"] == park.pk
    deployment.refresh_from_db()
    assert deployment.protected_area == park and deployment.revision == 2


@pytest.mark.django_db
def test_species_becoming_sensitive_generalizes_transects(cn_agency, boar):
    transect = SnowTrackTransect.objects.create(
        owner_agency=cn_agency, name="R", date=datetime.date(2025, 1, 1), route=ROUTE
    )
    replace_transect_tracks(transect, [{"species": boar, "tracks": 5}])
    assert transect.location_category == 0
    boar.sensitivity_category = 3
    boar.save()
    transect.refresh_from_db()
    assert transect.location_category == 3 and transect.revision == 1


@pytest.mark.django_db
def test_transect_page_refuses_a_species_listed_twice(client, cn_staff, cn_agency, leopard):
    client.force_login(cn_staff)
    response = client.post(
        "/en/monitoring/transects/new/",
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "name": "Route 4",
            "date": "2025-01-20",
            "route": '{"type": "LineString", "coordinates": [[130.0, 43.0], [130.1, 43.0]]}',
            "tracks": "Panthera pardus orientalis | 2\nPanthera pardus orientalis | 3",
        },
    )
    assert response.status_code == 200 and "tracks" in response.context["form"].errors
    assert not SnowTrackTransect.objects.exists() and not TransectTrack.objects.exists()


@pytest.mark.django_db
def test_import_moves_first_detection_without_a_new_revision(cn_agency, leopard):
    from monitoring.services import individual_for_alias, refresh_first_detected

    individual = individual_for_alias(cn_agency, "T-1", leopard, first_detected=datetime.date(2024, 6, 1))
    deployment = make_deployment(cn_agency, 43.5, 130.5)
    make_observation(deployment, leopard, individual=individual)
    refresh_first_detected([individual.pk])
    individual.refresh_from_db()
    assert individual.first_detected == datetime.date(2024, 1, 2) and individual.revision == 1


MONITORING = Path(__file__).resolve().parents[1]


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_models_import_no_services():
    for path in (MONITORING / "models").glob("*.py"):
        for name in _imports(path):
            assert "services" not in name, f"{path.name} imports {name}"
            assert "views" not in name and "api" not in name.split("."), f"{path.name} imports {name}"


def test_no_save_override_in_models():
    for path in (MONITORING / "models").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                methods = {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
                assert "save" not in methods, f"{path.name}: {node.name}.save() keeps side effects"


def test_layered_modules_stay_small():
    for folder in ("models", "views", "services", "camtrap", "api"):
        for path in (MONITORING / folder).glob("*.py"):
            assert len(path.read_text().splitlines()) <= 600, path


def test_individual_model_is_reexported():
    import monitoring.models as models

    assert models.Individual is Individual and models.Individual.__module__ == "monitoring.models.catalogue"


@pytest.mark.django_db
def test_a_saved_observation_links_individuals_by_the_import_rule(cn_agency, ru_agency, leopard):
    """observation_saved (API, admin) uses catalogue.individual_for_import, as imports do: another
    agency's ID never makes a new individual, the agency's own ID and a catalogue code link."""
    from monitoring.services import individual_for_alias, observation_saved

    theirs = individual_for_alias(cn_agency, "CN-L3", leopard)
    deployment = make_deployment(ru_agency, 43.5, 130.5)
    count = Individual.objects.count()

    borrowed = observation_saved(make_observation(deployment, leopard, individual_local_id="CN-L3"))
    borrowed.refresh_from_db()
    assert borrowed.individual_id is None and Individual.objects.count() == count

    coded = observation_saved(make_observation(deployment, leopard, individual_local_id=theirs.catalogue_code))
    coded.refresh_from_db()
    assert coded.individual_id == theirs.pk and Individual.objects.count() == count

    own = observation_saved(make_observation(deployment, leopard, individual_local_id="RU-9"))
    own.refresh_from_db()
    assert own.individual_id is not None and own.individual_id != theirs.pk
    assert Individual.objects.count() == count + 1
