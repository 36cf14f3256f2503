"""Sensitive locations: another agency's camera-trap points are generalized on every path to the one
withheld grid (PORTAL_WITHHELD_LOCATION_CATEGORY, default 2 = 0.1°), whatever was recorded there
(issue 9: the form of the answer must not tell that a leopard was seen); the public sees none."""

import csv
import io
import json
import zipfile

import pytest

from core.access import Principal
from core.models import DataSharingGrant
from core.tests.factories import make_member
from monitoring.camtrap.exporter import export_package
from monitoring.dwca.exporter import export_dwca
from monitoring.models import Deployment

from .factories import make_deployment, make_observation

TRUE_LAT, TRUE_LON = 43.18765, 130.91234  # a leopard's camera: cell centre 43.15, 130.95
CELL_LAT, CELL_LON = 43.15, 130.95
BOAR_CELL_LAT, BOAR_CELL_LON = 43.15, 131.55  # the boar-only site 43.16, 131.5 (on a cell edge)


@pytest.fixture
def sites(cn_agency, leopard, boar):
    secret = make_deployment(cn_agency, TRUE_LAT, TRUE_LON, code="CN-LEO-1")
    make_observation(secret, leopard)
    make_observation(secret, boar)  # the whole deployment is generalized, boar included
    open_site = make_deployment(cn_agency, 43.16, 131.5, code="CN-BOAR-1")
    make_observation(open_site, boar)
    return secret, open_site


def _by_code(results):
    return {row["deployment_id"]: row for row in results}


@pytest.mark.django_db
def test_deployment_with_sensitive_species_is_category_2(sites):
    # The category is still kept (the owner sees it); it no longer decides what others see.
    secret, open_site = sites
    assert secret.location_category == 2
    assert open_site.location_category == 0


@pytest.mark.django_db
def test_api_list_and_detail_generalized_for_other_country(api_client, ru_staff, cn_staff, sites):
    secret, _open = sites
    api_client.force_authenticate(ru_staff)
    rows = _by_code(api_client.get("/api/v1/monitoring/deployments/").data["results"])
    row = rows["CN-LEO-1"]
    assert (row["latitude"], row["longitude"]) == (CELL_LAT, CELL_LON)
    assert row["location"]["generalized"] is True
    assert row["location"]["coordinate_precision"] == 0.1
    assert row["coordinate_uncertainty"] > 7000
    assert row["location_name"] == ""
    assert row["location_category"] is None  # it would tell that a leopard was recorded
    # The boar-only site of the same agency is given exactly as generalized: the same grid.
    boar = rows["CN-BOAR-1"]
    assert (boar["latitude"], boar["longitude"]) == (BOAR_CELL_LAT, BOAR_CELL_LON)
    assert boar["location"]["coordinate_precision"] == row["location"]["coordinate_precision"]
    assert boar["coordinate_uncertainty"] == row["coordinate_uncertainty"]
    assert boar["location_name"] == "" and boar["location_category"] is None
    detail = api_client.get(f"/api/v1/monitoring/deployments/{secret.pk}/").data
    assert (detail["latitude"], detail["longitude"]) == (CELL_LAT, CELL_LON)
    assert str(TRUE_LAT) not in json.dumps(detail)
    observations = api_client.get("/api/v1/monitoring/observations/", {"deployment": str(secret.pk)}).data["results"]
    assert observations and all(o["location"]["latitude"] == CELL_LAT for o in observations)
    # The owner sees the truth.
    api_client.force_authenticate(cn_staff)
    own = api_client.get(f"/api/v1/monitoring/deployments/{secret.pk}/").data
    assert (own["latitude"], own["longitude"]) == (TRUE_LAT, TRUE_LON)
    assert own["location"]["generalized"] is False
    assert own["location_category"] == 2 and own["location_name"] == "Secret ravine"


@pytest.mark.django_db
def test_precise_location_grant_lifts_generalization(api_client, ru_staff, ru_agency, cn_agency, sites):
    secret, _open = sites
    DataSharingGrant.objects.create(
        grantor=cn_agency, grantee=ru_agency, scope="precise_locations", dataset_type=Deployment.dataset_type()
    )
    api_client.force_authenticate(ru_staff)
    detail = api_client.get(f"/api/v1/monitoring/deployments/{secret.pk}/").data
    assert (detail["latitude"], detail["longitude"]) == (TRUE_LAT, TRUE_LON)


@pytest.mark.django_db
def test_bbox_filter_cannot_narrow_below_the_grid(api_client, ru_staff, cn_staff, sites):
    tight = f"{TRUE_LON - 0.001},{TRUE_LAT - 0.001},{TRUE_LON + 0.001},{TRUE_LAT + 0.001}"
    api_client.force_authenticate(ru_staff)
    assert "CN-LEO-1" not in _by_code(
        api_client.get("/api/v1/monitoring/deployments/", {"bbox": tight}).data["results"]
    )
    around_cell = f"{CELL_LON - 0.001},{CELL_LAT - 0.001},{CELL_LON + 0.001},{CELL_LAT + 0.001}"
    assert "CN-LEO-1" in _by_code(
        api_client.get("/api/v1/monitoring/deployments/", {"bbox": around_cell}).data["results"]
    )
    obs = api_client.get("/api/v1/monitoring/observations/", {"bbox": tight}).data["results"]
    assert obs == []
    api_client.force_authenticate(cn_staff)
    assert "CN-LEO-1" in _by_code(api_client.get("/api/v1/monitoring/deployments/", {"bbox": tight}).data["results"])


@pytest.mark.django_db
def test_ordering_by_coordinates_uses_generalized_values(api_client, ru_staff, cn_staff, cn_agency, sites):
    # True latitudes: boar site 43.16 < leopard site 43.18765 < north site 43.26; a partner sees
    # the first two in one cell (43.15) and the third in the next (43.25): ties, never their order.
    make_deployment(cn_agency, 43.26, 130.91, code="CN-NORTH-1")
    api_client.force_authenticate(cn_staff)
    own = [
        r["deployment_id"]
        for r in api_client.get("/api/v1/monitoring/deployments/", {"ordering": "view_latitude"}).data["results"]
    ]
    assert own == ["CN-BOAR-1", "CN-LEO-1", "CN-NORTH-1"]
    api_client.force_authenticate(ru_staff)
    rows = api_client.get("/api/v1/monitoring/deployments/", {"ordering": "view_latitude"}).data["results"]
    assert [r["latitude"] for r in rows] == [CELL_LAT, CELL_LAT, 43.25]
    assert {r["deployment_id"] for r in rows[:2]} == {"CN-BOAR-1", "CN-LEO-1"}


@pytest.mark.django_db
def test_camtrap_export_generalizes_and_says_so(ru_agency, sites, tmp_path):
    target = tmp_path / "out.zip"
    export_package(Principal(agency=ru_agency, role="agency_staff"), target)
    with zipfile.ZipFile(target) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        rows = {r["deploymentID"]: r for r in csv.DictReader(io.StringIO(archive.read("deployments.csv").decode()))}
    assert descriptor["coordinatePrecision"] == 0.1
    leo = rows["CN-LEO-1"]
    assert (float(leo["latitude"]), float(leo["longitude"])) == (CELL_LAT, CELL_LON)
    assert leo["locationName"] == "" and int(leo["coordinateUncertainty"]) > 7000
    assert str(TRUE_LAT) not in archive_text(target)


def archive_text(path):
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist())


@pytest.mark.django_db
def test_public_export_has_no_sensitive_location(sites, tmp_path):
    target = tmp_path / "public.zip"
    export_package(Principal.anonymous(), target)
    text = archive_text(target)
    assert "CN-LEO-1" not in text and "CN-BOAR-1" not in text  # the public sees no camera point
    target = tmp_path / "public-dwca.zip"
    export_dwca(Principal.anonymous(), target)
    text = archive_text(target)
    assert str(TRUE_LAT) not in text and "43.16" not in text


@pytest.mark.django_db
def test_dwca_export_generalizes(ru_agency, sites, tmp_path):
    from dwca.read import DwCAReader

    target = tmp_path / "dwca.zip"
    export_dwca(Principal(agency=ru_agency, role="agency_staff"), target)
    assert str(TRUE_LAT) not in archive_text(target)
    with DwCAReader(str(target)) as reader:
        rows = list(reader)
    leopard_rows = [
        r for r in rows if r.data["http://rs.tdwg.org/dwc/terms/scientificName"] == "Panthera pardus orientalis"
    ]
    assert leopard_rows
    data = leopard_rows[0].data
    assert float(data["http://rs.tdwg.org/dwc/terms/decimalLatitude"]) == CELL_LAT
    assert "0.1" in data["http://rs.tdwg.org/dwc/terms/dataGeneralizations"]
    assert data["http://rs.tdwg.org/dwc/terms/informationWithheld"]


@pytest.mark.django_db
def test_pages_show_generalized_points(client, ru_staff, sites):
    secret, _open = sites
    client.force_login(ru_staff)
    for url in (
        "/en/monitoring/deployments/",
        f"/en/monitoring/deployments/{secret.pk}/",
        "/en/monitoring/observations/",
        "/en/monitoring/deployments/map/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "43.18765" not in body and "130.91234" not in body, url
        assert "Secret ravine" not in body, url
    body = client.get(f"/en/monitoring/deployments/{secret.pk}/").content.decode()
    assert "43.150000" in body and 'data-generalized="true"' in body


@pytest.mark.django_db
def test_map_geojson_marks_generalized(client, ru_staff, sites):
    client.force_login(ru_staff)
    response = client.get("/en/monitoring/deployments/map/")
    features = {f["properties"]["name"]: f for f in response.context["deployments_geojson"]["features"]}
    assert features["CN-LEO-1"]["geometry"]["coordinates"] == [CELL_LON, CELL_LAT]
    assert features["CN-LEO-1"]["properties"]["generalized"] is True
    # The boar-only site is generalized alike: the map does not single out the leopard's.
    assert features["CN-BOAR-1"]["properties"]["generalized"] is True
    assert features["CN-BOAR-1"]["geometry"]["coordinates"] == [BOAR_CELL_LON, BOAR_CELL_LAT]
    assert features["CN-BOAR-1"]["properties"]["grid_degrees"] == features["CN-LEO-1"]["properties"]["grid_degrees"]


@pytest.mark.django_db
def test_search_does_not_expose_coordinates(client, ru_staff, sites):
    client.force_login(ru_staff)
    body = client.get("/en/search/", {"q": "CN-LEO"}).content.decode()
    assert "CN-LEO-1" in body
    assert "43.18765" not in body and "Secret ravine" not in body


@pytest.mark.django_db
def test_public_sees_no_camera_point(sites):
    from monitoring.services import deployment_location

    secret, open_site = sites
    assert deployment_location(Principal.anonymous(), secret) is None
    assert deployment_location(Principal.anonymous(), open_site) is None  # no point at all, boar or not


@pytest.mark.django_db
def test_observer_of_other_agency_also_generalized(api_client, ngo_agency, sites):
    secret, _open = sites
    api_client.force_authenticate(make_member(ngo_agency, "observer"))
    detail = api_client.get(f"/api/v1/monitoring/deployments/{secret.pk}/").data
    assert detail["latitude"] == CELL_LAT


@pytest.mark.django_db
def test_species_becoming_sensitive_updates_the_category_not_the_grid(api_client, ru_staff, boar, sites):
    _secret, open_site = sites
    api_client.force_authenticate(ru_staff)
    before = api_client.get(f"/api/v1/monitoring/deployments/{open_site.pk}/").data["location"]
    boar.sensitivity_category = 3
    boar.save()
    open_site.refresh_from_db()
    assert open_site.location_category == 3
    # Category 3 (0.01°) is finer than the withheld grid: what a partner sees does not change.
    assert api_client.get(f"/api/v1/monitoring/deployments/{open_site.pk}/").data["location"] == before


@pytest.mark.parametrize("bbox", ["garbage", "1,2,3", "nan,nan,nan,nan", "1e999,0,0,0", "131,44,130,43", "0,95,1,96"])
def test_a_bad_bbox_is_refused_on_the_api_and_ignored_on_the_page(client, api_client, ru_staff, sites, bbox):
    # Before: "garbage" was a 500 on the page; nan and infinity were accepted as a box.
    api_client.force_authenticate(ru_staff)
    response = api_client.get("/api/v1/monitoring/deployments/", {"bbox": bbox})
    assert response.status_code == 400 and "bbox" in response.json()
    client.force_login(ru_staff)
    page = client.get("/en/monitoring/deployments/", {"bbox": bbox})
    assert page.status_code == 200


def test_list_pages_read_their_related_columns_in_constant_queries(client, ru_staff, cn_agency, leopard, boar):
    # The generic page set renders related columns (species, deployment, individual): no N+1.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ru_staff)
    site = make_deployment(cn_agency, 43.2, 131.2, code="CN-QC-1")

    def count(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    make_observation(site, leopard)
    few = {path: count(path) for path in ("/en/monitoring/observations/", "/en/monitoring/deployments/")}
    for n in range(10):
        other = make_deployment(cn_agency, 43.1 + n / 100, 131.1, code=f"CN-QC-{n + 2}")
        make_observation(other, boar if n % 2 else leopard)
    many = {path: count(path) for path in few}
    assert many == few
