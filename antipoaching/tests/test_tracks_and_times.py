"""Issue 9, side channel 4 (tracks and times), written against the rule on every path and role:

- another agency (without a precise-locations grant on patrols) gets patrol coverage per cell of
  the withheld grid, never a vertex of the line, its first or last fix, or the GPX file;
- a waypoint shown generalized is given its date, never its time of day;
- the owner and a grantee see everything; the public sees neither line nor coverage.
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from antipoaching import services
from antipoaching.models import Incident, PatrolLeg, Waypoint
from core.access import Principal
from core.geo import coverage_cells, geodesic_length_km, snap
from core.models import DataSharingGrant
from core.tests.factories import make_api_key

from .conftest import body, make_patrol

# A line with digits found nowhere else; it crosses from one 0.1° cell into the next.
LINE = [
    [131.213457, 43.117329],
    [131.238461, 43.129583],
    [131.262719, 43.141847],
    [131.287153, 43.158261],
    [131.312947, 43.207731],
]
TRACK = {"type": "LineString", "coordinates": LINE}
# Four decimals of every vertex: what a partner must never find.
VERTEX_DIGITS = [f"{value:.4f}" for position in LINE for value in position]
SIGN = (Decimal("43.131975"), Decimal("131.247713"))  # a tiger sign beside the track
SIGN_DIGITS = ["43.1319", "131.2477"]
SIGN_TIME = datetime.datetime(2026, 3, 2, 2, 37, 41, tzinfo=datetime.UTC)  # 10:37 in Heilongjiang
TIME_OF_DAY = re.compile(r"\d:37(?!\d)")  # whatever the zone: the offsets here are whole hours
GPX = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
    "<trk><trkseg>"
    + "".join(
        f'<trkpt lat="{lat}" lon="{lon}"><time>2026-03-02T0{1 + i}:00:00Z</time></trkpt>'
        for i, (lon, lat) in enumerate(LINE)
    )
    + "</trkseg></trk></gpx>"
).encode()

API = "/api/v1/antipoaching"
WITHHELD, PRECISE, PUBLIC = "withheld", "precise", "public"


@pytest.fixture
def field(cn_agency, cn_staff, ru_agency, third_agency, vocabulary):
    """A public patrol of CN with a GPX leg, a tiger sign, a snare and a tiger incident."""
    patrol = make_patrol(
        cn_agency,
        start=datetime.datetime(2026, 3, 2, 0, 0, tzinfo=datetime.UTC),
        sensitivity="public",
        title="Border line patrol",
    )
    leg = PatrolLeg(
        patrol=patrol,
        start=datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC),
        end=datetime.datetime(2026, 3, 2, 5, 0, tzinfo=datetime.UTC),
        track=TRACK,
    )
    services.save_leg_with_gpx(
        leg, SimpleUploadedFile("day1.gpx", GPX, "application/gpx+xml"), Principal.for_user(cn_staff)
    )
    sign = Waypoint.objects.create(
        patrol=patrol, time=SIGN_TIME, latitude=SIGN[0], longitude=SIGN[1], incident_type=vocabulary["tiger_sign"]
    )
    snare = Waypoint.objects.create(
        patrol=patrol,
        time=datetime.datetime(2026, 3, 2, 3, 5, 9, tzinfo=datetime.UTC),
        latitude=Decimal("43.135555"),
        longitude=Decimal("131.255555"),
        incident_type=vocabulary["snare"],
    )
    incident = Incident.objects.create(
        owner_agency=cn_agency,
        sensitivity="public",
        incident_type=vocabulary["tiger_sign"],
        occurred_on=datetime.date(2026, 3, 2),
        latitude=SIGN[0],
        longitude=SIGN[1],
        patrol=patrol,
    )
    # The third agency holds a precise-locations grant on CN's patrols.
    DataSharingGrant.objects.create(
        grantor=cn_agency,
        grantee=third_agency,
        scope="precise_locations",
        dataset_type="antipoaching.patrol",
        valid_from=datetime.date(2026, 1, 1),
    )
    from core.documents import attachments_for

    return {
        "patrol": patrol,
        "leg": leg,
        "sign": sign,
        "snare": snare,
        "incident": incident,
        "gpx": attachments_for(leg, role="gpx").get(),
    }


def _roles(cn_staff, ru_staff, ru_agency, third_staff):
    """(name, expectation, API client, page client or None)."""
    _key_obj, key = make_api_key(ru_agency, read_only=True)
    roles = []
    for name, expected, user in (
        ("owner", PRECISE, cn_staff),
        ("grantee", PRECISE, third_staff),
        ("partner staff", WITHHELD, ru_staff),
    ):
        api, page = APIClient(), Client()
        api.force_authenticate(user)
        page.force_login(user)
        roles.append((name, expected, api, page))
    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    roles.append(("partner key", WITHHELD, key_client, None))
    roles.append(("public", PUBLIC, APIClient(), Client()))
    return roles


def _paths(field):
    patrol, leg, sign, incident = field["patrol"], field["leg"], field["sign"], field["incident"]
    api = [
        f"{API}/patrols/",
        f"{API}/patrols/{patrol.pk}/",
        f"{API}/patrols/export/",
        f"{API}/patrols/export/?as=xlsx",
        f"{API}/patrol-legs/",
        f"{API}/patrol-legs/{leg.pk}/",
        f"{API}/waypoints/",
        f"{API}/waypoints/{sign.pk}/",
        f"{API}/waypoints/export/",
        f"{API}/incidents/",
        f"{API}/incidents/{incident.pk}/",
        f"{API}/incidents/export/",
    ]
    pages = [
        f"/en/antipoaching/patrols/{patrol.pk}/",
        "/en/antipoaching/patrols/",
        "/en/antipoaching/patrols/?export=csv",
        "/en/antipoaching/map/",
        f"/en/antipoaching/incidents/{incident.pk}/",
        "/en/antipoaching/incidents/?export=csv",
    ]
    return api, pages


def _text(response):
    """What a response gives away: JSON without the record's own bookkeeping times (created_at,
    updated_at: when the row was written, not the field time), or the raw body."""
    raw = body(response)
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(raw)

        def strip(value):
            if isinstance(value, dict):
                return {k: strip(v) for k, v in value.items() if k not in ("created_at", "updated_at")}
            if isinstance(value, list):
                return [strip(v) for v in value]
            return value

        return json.dumps(strip(data))
    if raw[:2] == b"PK":  # xlsx: the sheet's shared strings and values
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = [n for n in archive.namelist() if n.startswith("xl/")]  # not docProps (now)
            return " ".join(archive.read(n).decode("utf-8", "replace") for n in names)
    return raw.decode("utf-8-sig", "replace")


@pytest.mark.django_db
def test_no_path_gives_another_agency_the_line_or_the_time_of_day(field, cn_staff, ru_staff, ru_agency, third_staff):
    api_paths, page_paths = _paths(field)
    for role, expected, api, page in _roles(cn_staff, ru_staff, ru_agency, third_staff):
        for client, paths in ((api, api_paths), (page, page_paths)):
            if client is None:
                continue
            for path in paths:
                response = client.get(path)
                where = f"{role} {path}"
                if expected == PUBLIC:
                    assert response.status_code in (302, 401, 403, 404), where
                else:
                    assert response.status_code == 200, f"{where}: {response.status_code}"
                text = _text(response)
                leaked = [digits for digits in VERTEX_DIGITS if digits in text]
                if expected == PRECISE:
                    continue
                assert not leaked, f"{where} shows track vertices {leaked}"
                assert not [d for d in SIGN_DIGITS if d in text], f"{where} shows the sign's point"
                assert not TIME_OF_DAY.search(text), f"{where} shows the sign's time of day"


@pytest.mark.django_db
def test_owner_and_grantee_see_the_line_and_the_time(field, cn_staff, ru_staff, ru_agency, third_staff):
    leg, sign = field["leg"], field["sign"]
    for role, expected, api, page in _roles(cn_staff, ru_staff, ru_agency, third_staff):
        if expected != PRECISE:
            continue
        data = api.get(f"{API}/patrol-legs/{leg.pk}/").json()
        assert data["track"] == TRACK and data["coverage"] is None, role
        waypoint = api.get(f"{API}/waypoints/{sign.pk}/").json()
        assert waypoint["latitude"] == float(SIGN[0]) and waypoint["generalized"] is False, role
        moment = datetime.datetime.fromisoformat(waypoint["time"].replace("Z", "+00:00"))
        assert moment == SIGN_TIME and waypoint["date"] == "2026-03-02", role
        assert "131.213457" in page.get("/en/antipoaching/map/").content.decode(), role
        assert TIME_OF_DAY.search(page.get(f"/en/antipoaching/patrols/{field['patrol'].pk}/").content.decode()), role
        assert "02:37:41" in _text(api.get(f"{API}/waypoints/export/")), role


@pytest.mark.django_db
def test_the_gpx_file_is_the_track_only_for_those_who_see_it(field, cn_staff, ru_staff, ru_agency, third_staff):
    """The GPX attachment of a leg is listed and downloaded only by the owner and a grantee
    (core.documents honours PatrolLeg.precise_attachment_roles)."""
    gpx = field["gpx"]
    for role, expected, api, page in _roles(cn_staff, ru_staff, ru_agency, third_staff):
        listing = api.get("/api/v1/attachments/?record_type=antipoaching.patrolleg")
        detail = api.get(f"/api/v1/attachments/{gpx.pk}/")
        if expected == PUBLIC:
            assert listing.status_code in (401, 403) and detail.status_code in (401, 403), role
            assert page.get(f"/en/files/{gpx.pk}/").status_code in (302, 404), role
            continue
        listed = [row["id"] for row in listing.json()["results"]]
        assert (str(gpx.pk) in listed) == (expected == PRECISE), f"{role}: the listing"
        assert detail.status_code == (200 if expected == PRECISE else 404), f"{role}: the attachment"
        if page is not None:
            download = page.get(f"/en/files/{gpx.pk}/")
            assert download.status_code == (200 if expected == PRECISE else 404), f"{role}: the download"
            if expected == PRECISE:
                assert body(download) == GPX, role


@pytest.mark.django_db
def test_partners_get_coverage_per_cell_instead(field, cn_staff, ru_staff, ru_agency, third_staff):
    patrol, leg, sign = field["patrol"], field["leg"], field["sign"]
    length = geodesic_length_km(__import__("shapely.geometry").geometry.shape(TRACK))
    for role, expected, api, page in _roles(cn_staff, ru_staff, ru_agency, third_staff):
        if expected != WITHHELD:
            continue
        data = api.get(f"{API}/patrol-legs/{leg.pk}/").json()
        assert data["track"] is None, role
        cells = data["coverage"]
        # The last segment crosses 131.3° E before 43.2° N: three cells.
        assert [(c["latitude"], c["longitude"]) for c in cells] == [(43.15, 131.25), (43.15, 131.35), (43.25, 131.35)]
        assert all(c["grid_degrees"] == 0.1 and c["km"] >= 1 for c in cells), role
        assert abs(sum(c["km"] for c in cells) - length) <= len(cells), role  # whole km, cell by cell
        assert api.get(f"{API}/patrols/{patrol.pk}/").json()["coverage"] == cells, role
        waypoint = api.get(f"{API}/waypoints/{sign.pk}/").json()
        assert waypoint["time"] is None and waypoint["date"] == "2026-03-02", role
        assert waypoint["generalized"] is True, role
        snare = api.get(f"{API}/waypoints/{field['snare'].pk}/").json()
        assert snare["time"] is not None, role  # not generalized: the exact time stays
        if page is None:
            continue
        html = page.get("/en/antipoaching/map/").content.decode()
        start = html.index('id="tracks-geojson"')
        tracks = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
        assert {f["geometry"]["type"] for f in tracks["features"]} == {"Polygon"}, role
        assert sorted(f["properties"]["km"] for f in tracks["features"]) == sorted(c["km"] for c in cells), role
        detail = page.get(f"/en/antipoaching/patrols/{patrol.pk}/").content.decode()
        assert "2026-03-02" in detail and "Tiger sign" in detail, role


@pytest.mark.django_db
def test_the_public_gets_neither_line_nor_coverage(field, vocabulary):
    public = Principal.anonymous()
    assert services.leg_track(public, field["leg"]) == (None, None)
    assert services.patrol_coverage(public, field["patrol"]) is None
    assert services.coverage(public, [TRACK]) == []
    patrols = services.visible_patrols(public)
    assert patrols.filter(pk=field["patrol"].pk).exists()  # the patrol itself is public
    assert services.track_feature_collection(public, patrols)["features"] == []
    point = services.point_for(public, field["patrol"].owner_agency_id, *SIGN, 2, set())
    assert point is None and services.shown_time(field["sign"], point) == datetime.date(2026, 3, 2)


def test_coverage_cells_split_segments_at_cell_boundaries():
    from shapely.geometry import shape

    for step in (1.0, 0.1, 0.01):
        cells = coverage_cells(TRACK, step)
        assert abs(sum(km for _lat, _lon, km in cells) - geodesic_length_km(shape(TRACK))) < 1e-6
        for lat, lon, _km in cells:
            assert (lat, lon) == (snap(lat, step), snap(lon, step))  # centres of that grid
    # One straight segment along a parallel, across three 0.1° cells: 0.05° + 0.1° + 0.05°.
    cells = coverage_cells({"type": "LineString", "coordinates": [[131.05, 43.05], [131.25, 43.05]]}, 0.1)
    assert [(lat, lon) for lat, lon, _ in cells] == [(43.05, 131.05), (43.05, 131.15), (43.05, 131.25)]
    kms = [km for _lat, _lon, km in cells]
    assert abs(kms[1] - 2 * kms[0]) < 0.01 and abs(kms[0] - kms[2]) < 0.01
    # A fix exactly on a boundary leaves nothing in the neighbouring cell.
    on_edge = coverage_cells({"type": "LineString", "coordinates": [[131.2, 43.1], [131.25, 43.15]]}, 0.1)
    assert [(lat, lon) for lat, lon, _ in on_edge] == [(43.15, 131.25)]
    assert coverage_cells(None, 0.1) == [] and coverage_cells({"coordinates": [[131, 43]]}, 0.1) == []


@pytest.mark.django_db
def test_waypoints_and_incidents_follow_a_change_of_the_species_sensitivity(
    api_client, cn_agency, ru_staff, vocabulary
):
    """The category is read live through the incident type's species (never stored on the row)."""
    patrol = make_patrol(cn_agency)
    waypoint = Waypoint.objects.create(
        patrol=patrol, time=SIGN_TIME, latitude=SIGN[0], longitude=SIGN[1], incident_type=vocabulary["tiger_sign"]
    )
    incident = Incident.objects.create(
        owner_agency=cn_agency,
        incident_type=vocabulary["snare"],
        species=vocabulary["tiger_sign"].species,
        occurred_on=datetime.date(2026, 3, 2),
        latitude=SIGN[0],
        longitude=SIGN[1],
    )
    tiger = vocabulary["tiger_sign"].species
    api_client.force_authenticate(ru_staff)

    def shown():
        wp = api_client.get(f"{API}/waypoints/{waypoint.pk}/").json()
        inc = api_client.get(f"{API}/incidents/{incident.pk}/").json()
        return (wp["latitude"], wp["generalized"], wp["time"] is None), (inc["latitude"], inc["generalized"])

    assert shown() == ((43.15, True, True), (43.15, True))
    tiger.sensitivity_category = 0  # no longer sensitive: exact, with its time
    tiger.save()
    assert shown() == ((43.131975, False, False), (43.131975, False))
    tiger.sensitivity_category = 3  # sensitive again, on a 0.01° grid
    tiger.save()
    assert shown() == ((43.135, True, True), (43.135, True))


# --- GPX uploads: limits and malformed files (a 400 or a form error, never a 500) ----------------

BAD_GPX = {
    "not xml": b"not xml at all",
    "not gpx": b"<kml><Placemark/></kml>",
    "truncated": b"<gpx><trk><trkseg><trkpt lat='43' lon='131'>",
    "entities": b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><gpx>&b;</gpx>',
    "utf-16": '<?xml version="1.0" encoding="utf-16"?><gpx/>'.encode("utf-16"),
    "unknown encoding": b'<?xml version="1.0" encoding="no-such-codec"?><gpx/>',
    "nan": b'<gpx><trk><trkseg><trkpt lat="nan" lon="131"/><trkpt lat="43.1" lon="131.1"/></trkseg></trk></gpx>',
    "out of range": b'<gpx><rte><rtept lat="95" lon="131"/><rtept lat="43.1" lon="131.1"/></rte></gpx>',
    "one point": b'<gpx><trk><trkseg><trkpt lat="43" lon="131"/></trkseg></trk></gpx>',
    "nul byte": b"<gpx>\x00</gpx>",
    "invalid utf-8": b"<gpx><trk><name>\xff\xfe</name></trk></gpx>",
    "deep nesting": b"<gpx>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</gpx>",
}


def _gpx_points(count):
    points = "".join(f'<trkpt lat="43.{i:06d}" lon="131.{i:06d}"/>' for i in range(count))
    return f"<gpx><trk><trkseg>{points}</trkseg></trk></gpx>".encode()


@pytest.mark.django_db
def test_gpx_uploads_over_the_limits_or_malformed_are_refused_with_a_message(
    api_client, client, cn_staff, cn_agency, settings
):
    settings.PORTAL_MAX_GPX_MB = 1
    settings.PORTAL_MAX_TRACK_POINTS = 50
    patrol = make_patrol(cn_agency)
    api_client.force_authenticate(cn_staff)
    client.force_login(cn_staff)
    big = b"<gpx>" + b" " * (1024 * 1024) + b"</gpx>"
    cases = dict(BAD_GPX) | {"too large": big, "too many points": _gpx_points(51)}
    messages = {"too large": "the limit is 1 MB", "too many points": "more than 50 points"}
    for name, data in cases.items():
        response = api_client.post(
            f"{API}/patrol-legs/",
            {"patrol": str(patrol.pk), "gpx_file": SimpleUploadedFile("t.gpx", data, "application/gpx+xml")},
            format="multipart",
        )
        assert response.status_code == 400, f"API {name}: {response.status_code}"
        assert response.json()["gpx_file"], name
        if name in messages:
            assert messages[name] in response.json()["gpx_file"][0], name
        page = client.post(
            f"/en/antipoaching/patrols/{patrol.pk}/legs/",
            {"transport": "foot", "gpx_file": SimpleUploadedFile("t.gpx", data, "application/gpx+xml")},
        )
        assert page.status_code == 400, f"page {name}: {page.status_code}"
        if name in messages:
            assert messages[name] in page.content.decode(), name
    assert not PatrolLeg.objects.exists()
    # The same point limit holds for a track sent as GeoJSON.
    line = {"type": "LineString", "coordinates": [[131 + i / 1000, 43] for i in range(51)]}
    response = api_client.post(
        f"{API}/patrol-legs/",
        {"patrol": str(patrol.pk), "start": "2026-03-02T01:00:00Z", "end": "2026-03-02T02:00:00Z", "track": line},
        format="json",
    )
    assert response.status_code == 400 and "more than 50 points" in str(response.json()["track"])
    # Within the limits the file is read, in Russian as in English.
    response = api_client.post(
        f"{API}/patrol-legs/",
        {"patrol": str(patrol.pk), "gpx_file": SimpleUploadedFile("ok.gpx", _gpx_points(50), "application/gpx+xml")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400  # no times in the file: the start and end are asked for
    assert "start" in response.json()


@pytest.mark.django_db
def test_gpx_times_without_a_zone_are_utc_next_to_zoned_ones():
    data = (
        b'<gpx><trk><trkseg><trkpt lat="43" lon="131"><time>2026-03-02T01:00:00Z</time></trkpt>'
        b'<trkpt lat="43.1" lon="131.1"><time>2026-03-02T03:00:00</time></trkpt></trkseg></trk></gpx>'
    )
    _track, first, last = services.parse_gpx(data)
    assert first == datetime.datetime(2026, 3, 2, 1, tzinfo=datetime.UTC)
    assert last == datetime.datetime(2026, 3, 2, 3, tzinfo=datetime.UTC)


# --- the API schema says what the answers are ------------------------------------------------


def test_schema_declares_withheld_answers_as_they_are_returned():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for name in ("Waypoint", "Incident"):
        for coordinate in ("latitude", "longitude"):
            declared = components[name]["properties"][coordinate]
            assert declared["type"] == "number" and declared.get("nullable") is True, (name, declared)
        assert components[name]["properties"]["generalized"]["type"] == "boolean"
        assert components[name]["properties"]["grid_degrees"].get("nullable") is True
    assert components["Waypoint"]["properties"]["time"].get("nullable") is True
    assert components["WaypointRequest"]["properties"]["time"].get("nullable") is not True
    assert "time" in components["WaypointRequest"].get("required", [])
    for leg_or_patrol in ("PatrolLeg", "Patrol"):
        coverage = components[leg_or_patrol]["properties"]["coverage"]
        assert coverage.get("nullable") is True and coverage["type"] == "array", coverage
    assert components["PatrolLeg"]["properties"]["track"].get("nullable") is True
    receipt = components["Receipt"]["properties"]
    assert receipt["opened_at"].get("nullable") is True and receipt["acknowledged_at"].get("nullable") is True


# --- the protected area of a withheld patrol or a generalized incident ---------------------------


def _square(lon, lat, size):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.mark.django_db
def test_a_small_protected_area_is_not_named_to_those_who_see_the_record_generalized(
    cn_agency, cn_staff, ru_staff, ru_agency, third_agency, third_staff, vocabulary
):
    from reserves.models import ProtectedArea

    DataSharingGrant.objects.create(
        grantor=cn_agency,
        grantee=third_agency,
        scope="precise_locations",
        dataset_type="antipoaching.patrol",
        valid_from=datetime.date(2026, 1, 1),
    )
    # Anyone may draw a tiny area around a line or a point; a reserve is larger than a grid cell.
    tiny = ProtectedArea.objects.create(
        owner_agency=ru_agency, name_en="Tiny post", country="CN", boundary=_square(131.24, 43.13, 0.01)
    )
    reserve = ProtectedArea.objects.create(
        owner_agency=cn_agency, name_en="Big reserve", country="CN", boundary=_square(131.0, 43.0, 1.0)
    )
    in_tiny = make_patrol(cn_agency, title="Tiny patrol", protected_area=tiny)
    in_reserve = make_patrol(cn_agency, title="Reserve patrol", protected_area=reserve)
    incident = Incident.objects.create(
        owner_agency=cn_agency,
        incident_type=vocabulary["tiger_sign"],
        occurred_on=datetime.date(2026, 3, 2),
        latitude=SIGN[0],
        longitude=SIGN[1],
        protected_area=tiny,
    )
    for role, expected, api, page in _roles(cn_staff, ru_staff, ru_agency, third_staff):
        if expected == PUBLIC:
            continue
        sees_tiny = expected == PRECISE
        patrol = api.get(f"{API}/patrols/{in_tiny.pk}/").json()
        assert (patrol["protected_area"] == str(tiny.pk)) is sees_tiny, role
        assert api.get(f"{API}/patrols/{in_reserve.pk}/").json()["protected_area"] == str(reserve.pk), role
        filtered = api.get(f"{API}/patrols/", {"protected_area": str(tiny.pk)}).json()["results"]
        assert bool(filtered) is sees_tiny, f"{role}: the filter is an oracle"
        assert [p["id"] for p in api.get(f"{API}/patrols/", {"protected_area": str(reserve.pk)}).json()["results"]] == [
            str(in_reserve.pk)
        ], role
        export = _text(api.get(f"{API}/patrols/export/"))
        assert ("Tiny post" in export) is sees_tiny, role
        kpis = api.get(f"{API}/kpis/", {"group": "area"}).json()["rows"]
        assert (str(tiny.pk) in {row["key"]["area"] for row in kpis}) is sees_tiny, f"{role}: KPIs by area"
        # The incident is a tiger sign: generalized for every other agency (the grant is on patrols).
        inc = api.get(f"{API}/incidents/{incident.pk}/").json()
        assert (inc["protected_area"] == str(tiny.pk)) is (role == "owner"), role
        if page is not None:
            html = page.get(f"/en/antipoaching/patrols/{in_tiny.pk}/").content.decode()
            assert ("Tiny post" in html) is sees_tiny, role
            html = page.get(f"/en/antipoaching/incidents/{incident.pk}/").content.decode()
            assert ("Tiny post" in html) is (role == "owner"), role


@pytest.mark.django_db
def test_a_cursor_does_not_carry_the_time_of_a_generalized_waypoint(field, ru_staff):
    """A cursor holds the ordering value of the last row of its page: ordering by the time would
    hand it over, one waypoint per page."""
    import base64
    from urllib.parse import parse_qs, unquote_plus, urlparse

    api = APIClient()
    api.force_authenticate(ru_staff)
    for ordering in ("time", "-time"):
        response = api.get(f"{API}/waypoints/", {"ordering": ordering, "page_size": 1})
        assert response.status_code == 200
        cursor = parse_qs(urlparse(response.json()["next"]).query)["cursor"][0]
        decoded = unquote_plus(base64.b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        assert "02:37" not in decoded and "10:37" not in decoded, decoded
