"""Issue 9, side channels 1 (in part), 2, 3 and 6: nothing a non-precise viewer gets tells where
another agency's camera trap or transect is, nor that a leopard was recorded there.

The rule (monitoring.services.locations): for whoever may not see the point exactly (partner
staff, a partner's API key, the public), every camera-trap point is the cell of its location's
anchor on the one withheld grid, whatever species was recorded (so a deer-only twin at the same
location gives the same cell and the same grid as the leopard's); the public gets no point at all;
location names, ids (a pseudonym instead), habitat, tags, groups, comments, file paths and names,
EXIF and free text are withheld; the protected area is shown only when it covers the whole cell.
Each test walks every path (API list and detail, bbox filter, ordering, pages, map, Camtrap DP and
Darwin Core exports) as every non-precise role.
"""

import csv
import io
import json
import re
import zipfile
from datetime import date

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from core.access import Principal
from core.models import Sensitivity
from core.tests.factories import SpeciesFactory, make_api_key, make_member
from monitoring import services
from monitoring.camtrap.exporter import export_package
from monitoring.dwca.exporter import export_dwca
from monitoring.models import Deployment, Media, SnowTrackTransect
from monitoring.services import locations

from .factories import make_deployment, make_observation

pytestmark = pytest.mark.django_db

# The leopard's camera and its twin 55 m away, across the 43.2° cell edge; both at one location
# ID that spells the point. The twin started later, so the location's anchor is the leopard's.
TRUE_LAT, TRUE_LON = 43.200312, 131.065172
TWIN_LAT, TWIN_LON = 43.199871, 131.065244
LOCATION_ID = f"{TRUE_LAT}_{TRUE_LON}"
CELL = (43.25, 131.05)  # the anchor's 0.1° cell centre (latitude, longitude)
ROUTE = {"type": "LineString", "coordinates": [[131.065172, 43.200312], [131.066, 43.2011]]}

# Nothing of these may reach a non-precise viewer, on any path.
FORBIDDEN = (
    "43.2003",
    "43.1998",
    "43.2011",
    "43.2007",
    "131.0651",
    "131.0652",
    "131.0655",
    "131.066",
    "SECRETTEXT",
    "IMG_0001",
    LOCATION_ID,
)
SECRET = "SECRETTEXT spring by the road at 43.200312"


def _exif_jpeg():
    image = Image.new("RGB", (16, 16), "green")
    exif = Image.Exif()
    exif[0x010E] = SECRET  # ImageDescription
    exif[0x8825] = {1: "N", 2: (43.0, 12.0, 1.12), 3: "E", 4: (131.0, 3.0, 54.6)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def world(cn_agency, ru_agency, leopard, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    deer = SpeciesFactory(
        scientific_name="Capreolus pygargus", common_name_en="Roe deer", sensitivity_category=0, is_target=False
    )
    public = {"sensitivity": Sensitivity.PUBLIC}  # so that every role reaches every record
    from django.utils import timezone

    early = timezone.make_aware(timezone.datetime(2024, 1, 1))
    late = timezone.make_aware(timezone.datetime(2024, 3, 1))
    leo = make_deployment(cn_agency, TRUE_LAT, TRUE_LON, code="CN-LEO", location_id=LOCATION_ID, start=early, **public)
    twin = make_deployment(cn_agency, TWIN_LAT, TWIN_LON, code="CN-DEER", location_id=LOCATION_ID, start=late, **public)
    for deployment in (leo, twin):
        Deployment.objects.filter(pk=deployment.pk).update(
            location_name=SECRET,
            habitat=SECRET,
            deployment_tags=SECRET,
            deployment_groups=SECRET,
            deployment_comments=SECRET,
            coordinate_uncertainty=5,
        )
    make_observation(leo, leopard, sensitivity=Sensitivity.OWNER)  # the leopard itself stays owner-only
    make_observation(twin, deer, behavior=SECRET, observation_comments=SECRET, observation_tags=SECRET, **public)
    media = Media.objects.create(
        owner_agency=cn_agency,
        deployment=twin,
        media_id="M1",
        timestamp=twin.start,
        file_path=f"cams/{LOCATION_ID}/IMG_0001.JPG",
        file_name=f"{LOCATION_ID}_IMG_0001.JPG",
        file_mediatype="image/jpeg",
        exif_data={"GPSLatitude": TRUE_LAT, "GPSLongitude": TRUE_LON, "comment": SECRET},
        media_comments=SECRET,
        **public,
    )
    media.file.save(f"{LOCATION_ID}_IMG_0001.JPG", ContentFile(_exif_jpeg()))
    transects = []
    for name, species in (("T-LEO", leopard), ("T-DEER", deer)):
        transect = SnowTrackTransect.objects.create(
            owner_agency=cn_agency, name=name, date=date(2024, 1, 5), route=ROUTE, **public
        )
        services.replace_transect_tracks(transect, [{"species": species, "tracks": 2, "notes": SECRET}])
        transects.append(transect)
    for deployment in (leo, twin):
        deployment.refresh_from_db()
    return {"leo": leo, "twin": twin, "media": media, "transects": transects, "deer": deer}


def _roles(ru_agency):
    """(name, API client setup, session user or None, principal) per non-precise role."""
    from rest_framework.test import APIClient

    staff = make_member(ru_agency, "agency_staff")
    key, raw = make_api_key(ru_agency, read_only=True)
    roles = []
    client = APIClient()
    client.force_authenticate(staff)
    roles.append(("partner staff", client, staff, Principal.for_user(staff)))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    roles.append(("partner key", client, None, Principal.for_api_key(key)))
    roles.append(("public", APIClient(), None, Principal.anonymous()))
    return roles


@pytest.fixture
def roles(ru_agency, world):
    return _roles(ru_agency)


def assert_clean(text, where):
    found = [needle for needle in FORBIDDEN if needle in text]
    assert not found, f"{where}: {found}"


def _results(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def _archive_text(path):
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(name).decode() for name in archive.namelist())


def _csv(path, name, delimiter=","):
    with zipfile.ZipFile(path) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode()), delimiter=delimiter))


# --- API: list, detail, bbox, ordering ----------------------------------------------------------


def test_api_gives_twins_one_cell_one_grid_and_no_metadata(world, roles):
    paths = ("deployments", "observations", "media", "transects")
    for name, client, _user, _principal in roles:
        for path in paths:
            response = client.get(f"/api/v1/monitoring/{path}/")
            assert_clean(response.content.decode(), f"{name} list {path}")
            if response.status_code != 200:
                continue
            for row in _results(response):
                detail = client.get(f"/api/v1/monitoring/{path}/{row['id']}/")
                assert detail.status_code == 200, (name, path)
                assert_clean(detail.content.decode(), f"{name} detail {path}")
        response = client.get("/api/v1/monitoring/deployments/")
        if response.status_code != 200:
            continue
        rows = {row["deployment_id"]: row for row in _results(response)}
        leo, twin = rows["CN-LEO"], rows["CN-DEER"]
        for row in (leo, twin):
            assert row["location_category"] is None, name  # would tell that a leopard was seen
            for field in ("location_name", "habitat", "deployment_tags", "deployment_groups", "deployment_comments"):
                assert row[field] == "", (name, field)
        if name == "public":
            assert leo["location"] is None and twin["location"] is None
            assert leo["latitude"] is None and leo["location_id"] == ""
            continue
        # The twin that recorded only deer is in the leopard's cell, at the same grid.
        assert (leo["latitude"], leo["longitude"]) == CELL == (twin["latitude"], twin["longitude"]), name
        assert leo["location"] == twin["location"], name
        assert leo["location"]["coordinate_precision"] == 0.1
        assert leo["coordinate_uncertainty"] == twin["coordinate_uncertainty"] > 7000
        # Twins stay linkable through a pseudonym that is not the location id.
        assert leo["location_id"] == twin["location_id"] and re.fullmatch(r"loc-[0-9a-f]{12}", leo["location_id"])


def test_api_media_and_observations_carry_no_position(world, roles):
    for name, client, _user, _principal in roles:
        response = client.get("/api/v1/monitoring/media/")
        if response.status_code != 200:
            continue
        for row in _results(response):
            assert row["exif_data"] is None and row["file_name"] == "" and row["media_comments"] == ""
            assert row["file_path"].endswith(f"/api/v1/monitoring/media/{row['id']}/file/"), name
        for row in _results(client.get("/api/v1/monitoring/observations/")):
            assert row["behavior"] == row["observation_comments"] == row["observation_tags"] == "", name
            location = row["location"]
            if name == "public":
                assert location is None
            else:
                assert (location["latitude"], location["longitude"]) == CELL, name


def test_the_owner_still_sees_everything(api_client, cn_staff, world):
    api_client.force_authenticate(cn_staff)
    rows = {r["deployment_id"]: r for r in api_client.get("/api/v1/monitoring/deployments/").json()["results"]}
    assert (rows["CN-DEER"]["latitude"], rows["CN-DEER"]["longitude"]) == (TWIN_LAT, TWIN_LON)
    assert rows["CN-LEO"]["location_id"] == LOCATION_ID and rows["CN-LEO"]["location_category"] == 2
    assert rows["CN-LEO"]["habitat"] == SECRET
    media = api_client.get("/api/v1/monitoring/media/").json()["results"][0]
    assert media["file_path"] == f"cams/{LOCATION_ID}/IMG_0001.JPG" and media["exif_data"]["GPSLatitude"] == TRUE_LAT
    transect = api_client.get(f"/api/v1/monitoring/transects/{world['transects'][0].pk}/").json()
    assert transect["route"] == ROUTE and transect["tracks"][0]["notes"] == SECRET


def test_bbox_and_ordering_work_on_the_anchor_cell(world, roles):
    tight = f"{TRUE_LON - 0.0002},{TRUE_LAT - 0.0002},{TRUE_LON + 0.0002},{TRUE_LAT + 0.0002}"
    twin_own_cell = "131.04,43.14,131.06,43.16"  # where the twin would be if it were snapped alone
    anchor_cell = f"{CELL[1] - 0.001},{CELL[0] - 0.001},{CELL[1] + 0.001},{CELL[0] + 0.001}"
    for name, client, _user, _principal in roles:
        for path, key in (("deployments", "deployment_id"), ("observations", "deployment_code")):
            url = f"/api/v1/monitoring/{path}/"
            if client.get(url).status_code != 200:
                continue
            assert _results(client.get(url, {"bbox": tight})) == [], (name, path)
            assert _results(client.get(url, {"bbox": twin_own_cell})) == [], (name, path)
            found = {row[key] for row in _results(client.get(url, {"bbox": anchor_cell}))}
            # (the leopard's own observation is owner-only: only the deer's is listed)
            expected = {"CN-LEO", "CN-DEER"} if path == "deployments" else {"CN-DEER"}
            assert found == (set() if name == "public" else expected), (name, path)
            for ordering in ("view_latitude", "-view_latitude", "view_longitude"):
                response = client.get(url, {"ordering": ordering})
                assert response.status_code == 200
                assert_clean(response.content.decode(), f"{name} {path} {ordering}")
        response = client.get("/api/v1/monitoring/deployments/", {"ordering": "view_latitude"})
        if response.status_code == 200:
            rows = _results(response)
            assert len({(r["latitude"], r["longitude"]) for r in rows}) == 1, name  # one cell: no order to read


def test_search_is_no_oracle_for_location_ids_and_file_names(world, roles):
    for name, client, _user, _principal in roles:
        for path, term in (("deployments", LOCATION_ID[:7]), ("media", "IMG_0001"), ("media", LOCATION_ID[:7])):
            response = client.get(f"/api/v1/monitoring/{path}/", {"q": term})
            if response.status_code == 200:
                assert _results(response) == [], (name, path, term)


def test_sql_annotation_snaps_the_anchor_at_one_grid(world, roles):
    for name, _client, _user, principal in roles:
        queryset = services.annotate_view_location(Deployment.objects.all(), principal)
        values = set(queryset.values_list("view_latitude", "view_longitude"))
        if name == "public":
            assert values == {(None, None)}
        else:
            assert {(round(a, 6), round(b, 6)) for a, b in values} == {CELL}, name


# --- pages and the map --------------------------------------------------------------------------


def test_pages_and_map_show_the_cell_and_no_metadata(client, world, roles):
    leo, twin = world["leo"], world["twin"]
    observation = twin.observations.first()
    pages = [
        "/en/monitoring/deployments/",
        f"/en/monitoring/deployments/{leo.pk}/",
        f"/en/monitoring/deployments/{twin.pk}/",
        "/en/monitoring/observations/",
        f"/en/monitoring/observations/{observation.pk}/",
        "/en/monitoring/transects/",
        *(f"/en/monitoring/transects/{t.pk}/" for t in world["transects"]),
        "/en/monitoring/deployments/map/",
    ]
    for name, _api, user, _principal in roles:
        if user is None and name != "public":
            continue  # an API key has no pages
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 302), (name, url)
            assert_clean(response.content.decode(), f"{name} {url}")
        if user is None:
            continue
        # A search is no oracle for the location id (the term itself is echoed in the form).
        found = client.get("/en/monitoring/deployments/", {"q": LOCATION_ID[:7]}).context["object_list"]
        assert list(found) == [], name
        body = client.get(f"/en/monitoring/deployments/{twin.pk}/").content.decode()
        assert "43.250000, 131.050000" in body and 'data-generalized="true"' in body
        features = client.get("/en/monitoring/deployments/map/").context["deployments_geojson"]["features"]
        cells = {tuple(f["geometry"]["coordinates"]) for f in features}
        assert cells == {(CELL[1], CELL[0])}
        assert {f["properties"]["grid_degrees"] for f in features} == {0.1}
        transect = client.get(f"/en/monitoring/transects/{world['transects'][1].pk}/").context["route_geojson"]
        assert [f["geometry"]["type"] for f in transect["features"]] == ["Point"]


# --- exports ------------------------------------------------------------------------------------


def test_camtrap_dp_export_as_every_role(world, roles, tmp_path):
    from monitoring.camtrap.validate import frictionless_report

    for name, client, _user, principal in roles:
        target = tmp_path / f"{name}.zip"
        export_package(principal, target)
        assert_clean(_archive_text(target), f"{name} camtrap-dp")
        deployments = {row["deploymentID"]: row for row in _csv(target, "deployments.csv")}
        if name == "public":
            assert deployments == {} and _csv(target, "media.csv") == []
        else:
            leo, twin = deployments["CN-LEO"], deployments["CN-DEER"]
            for row in (leo, twin):
                assert (float(row["latitude"]), float(row["longitude"])) == CELL
                assert row["locationName"] == row["habitat"] == row["deploymentComments"] == ""
            assert leo["locationID"] == twin["locationID"] != LOCATION_ID
            assert leo["coordinateUncertainty"] == twin["coordinateUncertainty"]
            media = _csv(target, "media.csv")[0]
            assert media["exifData"] == media["fileName"] == media["mediaComments"] == ""
            assert "api/v1/monitoring/media/" in media["filePath"]
            valid, messages = frictionless_report(target)
            assert valid, messages
        response = client.get("/api/v1/monitoring/camtrap-dp/export/")
        if response.status_code == 200:
            path = tmp_path / f"{name}-api.zip"
            path.write_bytes(b"".join(response.streaming_content))
            assert_clean(_archive_text(path), f"{name} camtrap-dp api")


def test_darwin_core_export_as_every_role(world, roles, tmp_path):
    for name, client, _user, principal in roles:
        target = tmp_path / f"{name}-dwca.zip"
        export_dwca(principal, target)
        assert_clean(_archive_text(target), f"{name} dwca")
        rows = _csv(target, "occurrence.txt", delimiter="\t")
        assert rows, name  # the deer is public
        for row in rows:
            assert row["behavior"] == ""
            if name == "public":
                assert row["decimalLatitude"] == "" and row["locationID"] == ""
            else:
                assert (float(row["decimalLatitude"]), float(row["decimalLongitude"])) == CELL
                assert row["coordinatePrecision"] == "0.1" and row["locationID"].startswith("loc-")
        response = client.get("/api/v1/monitoring/dwca/export/")
        if response.status_code == 200:
            path = tmp_path / f"{name}-dwca-api.zip"
            path.write_bytes(b"".join(response.streaming_content))
            assert_clean(_archive_text(path), f"{name} dwca api")


# --- media files: EXIF stripped -----------------------------------------------------------------


def test_media_file_is_served_without_exif_to_withheld_viewers(api_client, cn_staff, world, roles):
    media = world["media"]
    url = f"/api/v1/monitoring/media/{media.pk}/file/"
    for name, client, _user, _principal in roles:
        response = client.get(url)
        if name == "public" and response.status_code in (401, 403, 404):
            continue
        assert response.status_code == 200, name
        data = response.content
        assert b"SECRETTEXT" not in data and LOCATION_ID.encode() not in data
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif(), name
        assert LOCATION_ID not in response["Content-Disposition"]
        assert client.get(url, HTTP_ACCEPT="image/jpeg").status_code == 200  # its own type may be asked for
    api_client.force_authenticate(cn_staff)
    original = api_client.get(url).content
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif()[0x010E] == SECRET  # the owner gets the file as stored


# --- protected areas: no finer than the cell -----------------------------------------------------


def _square(south, west, size):
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_protected_area_smaller_than_the_cell_is_never_told(client, cn_agency, world, roles):
    from reserves.models import ProtectedArea

    tiny = ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Spring reserve",
        country="CN",
        boundary=_square(TRUE_LAT - 0.001, TRUE_LON - 0.001, 0.002),
        sensitivity=Sensitivity.PUBLIC,
    )
    leo = world["leo"]
    services.deployment_saved(leo)
    transect = world["transects"][0]
    services.transect_saved(transect)
    leo.refresh_from_db()
    transect.refresh_from_db()
    assert leo.protected_area_id == tiny.pk and not leo.protected_area_covers_cell
    for name, api, user, principal in roles:
        detail = api.get(f"/api/v1/monitoring/deployments/{leo.pk}/")
        if detail.status_code == 200:
            assert detail.json()["protected_area"] is None, name
            assert api.get(f"/api/v1/monitoring/transects/{transect.pk}/").json()["protected_area"] is None, name
            for path in ("deployments", "observations"):
                found = _results(api.get(f"/api/v1/monitoring/{path}/", {"protected_area": str(tiny.pk)}))
                assert found == [], (name, path)  # filtering is no oracle either
        assert locations.visible_area_id(principal, leo) is None
        exported = export_package(principal, io.BytesIO(), area=tiny)
        assert exported["deployments"] == 0, name
        if user is not None:
            client.force_login(user)
            body = client.get(f"/en/monitoring/deployments/{leo.pk}/").content.decode()
            assert 'id="deployment-area">—<' in body, name
            body = client.get(f"/en/monitoring/transects/{transect.pk}/").content.decode()
            assert 'id="transect-area">—<' in body, name
            rows = client.get("/en/monitoring/deployments/").context["rows"]
            assert all(c["value"] is None for row in rows for c in row if c["name"] == "protected_area"), name
            listed = client.get("/en/monitoring/deployments/", {"protected_area": str(tiny.pk)}).context["object_list"]
            assert list(listed) == [], name


def test_a_protected_area_covering_the_cell_is_shown(cn_agency, world, roles):
    from reserves.models import ProtectedArea

    park = ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Big park",
        country="CN",
        boundary=_square(42.9, 130.8, 0.6),
        sensitivity=Sensitivity.PUBLIC,
    )
    leo = services.deployment_saved(world["leo"])
    assert leo.protected_area_id == park.pk and leo.protected_area_covers_cell
    for name, api, _user, principal in roles:
        expected = None if name == "public" else park.pk  # the public sees no location at all
        assert locations.visible_area_id(principal, leo) == expected, name
        detail = api.get(f"/api/v1/monitoring/deployments/{leo.pk}/")
        if detail.status_code == 200:
            assert detail.json()["protected_area"] == (str(expected) if expected else None), name


def test_grid_is_the_same_with_or_without_a_leopard(cn_agency, world, roles):
    # A deployment with no sensitive species at all, at another location: the same form of answer.
    plain = make_deployment(cn_agency, 43.31234, 131.21234, code="CN-PLAIN", sensitivity=Sensitivity.PUBLIC)
    for name, _api, _user, principal in roles:
        leo = services.deployment_location(principal, world["leo"])
        other = services.deployment_location(principal, plain)
        if name == "public":
            assert leo is None and other is None
            continue
        assert (leo.grid_degrees, leo.uncertainty_m) == (other.grid_degrees, other.uncertainty_m), name
        _route, leo_centre = services.transect_location(principal, world["transects"][0])
        _route, deer_centre = services.transect_location(principal, world["transects"][1])
        assert _route is None and leo_centre == deer_centre and leo_centre.grid_degrees == 0.1


def test_json_answers_are_clean(world, roles):
    # Belt and braces over the serialized JSON of every monitoring list, as the sweep does.
    for name, client, _user, _principal in roles:
        for path in ("deployments", "observations", "media", "transects"):
            response = client.get(f"/api/v1/monitoring/{path}/", {"page_size": 500})
            assert_clean(json.dumps(response.json()), f"{name} {path}")
