import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from antipoaching import services
from antipoaching.models import Patrol, PatrolLeg, Waypoint

from .conftest import TRACK, make_patrol

PATROLS = "/api/v1/antipoaching/patrols/"
LEGS = "/api/v1/antipoaching/patrol-legs/"
WAYPOINTS = "/api/v1/antipoaching/waypoints/"

GPX = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Garmin" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><name>day 1</name><trkseg>
  <trkpt lat="43.10" lon="131.20"><time>2026-03-02T00:00:00Z</time></trkpt>
  <trkpt lat="43.12" lon="131.23"><time>2026-03-02T02:00:00Z</time></trkpt>
  <trkpt lat="43.13" lon="131.25"><time>2026-03-02T03:30:00Z</time></trkpt>
 </trkseg></trk>
</gpx>"""


def _patrol_payload(**extra):
    return {
        "leader": "Wang",
        "members": ["Li", "Zhao"],
        "mandate": "anti_poaching",
        "transport": "foot",
        "start": "2026-03-02T08:00:00+08:00",
        "end": "2026-03-03T17:00:00+08:00",
    } | extra


@pytest.mark.django_db
def test_patrol_effort_is_geodesic_and_counts_people(api_client, cn_staff):
    api_client.force_authenticate(cn_staff)
    response = api_client.post(PATROLS, _patrol_payload(), format="json")
    assert response.status_code == 201, response.data
    pid = response.data["id"]
    assert response.data["patrol_days"] == 2 and response.data["team_size"] == 3
    assert response.data["person_days"] == 6
    leg = api_client.post(
        LEGS,
        {"patrol": pid, "start": "2026-03-02T08:00:00+08:00", "end": "2026-03-02T12:00:00+08:00", "track": TRACK},
        format="json",
    )
    assert leg.status_code == 201, leg.data
    # 131.20,43.10 → 131.23,43.12 → 131.25,43.13 on WGS84: ≈ 3.32 + 1.94 km.
    assert 5.1 < float(leg.data["distance_km"]) < 5.4
    patrol = Patrol.objects.get(pk=pid)
    assert patrol.distance_km == Decimal(leg.data["distance_km"])
    assert patrol.hours == Decimal("4.00")
    assert patrol.patrol_days == 1 and patrol.person_days == 3  # the legs cover one day


@pytest.mark.django_db
def test_gpx_upload_makes_a_track_with_times(api_client, cn_staff, cn_agency):
    patrol = make_patrol(cn_agency)
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        LEGS,
        {"patrol": str(patrol.pk), "gpx_file": SimpleUploadedFile("day1.gpx", GPX, "application/gpx+xml")},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    assert response.data["track"]["type"] == "LineString"
    assert len(response.data["track"]["coordinates"]) == 3
    assert response.data["start"].startswith("2026-03-02T00:00:00")
    patrol.refresh_from_db()
    assert patrol.hours == Decimal("3.50")


@pytest.mark.django_db
def test_bad_tracks_and_gpx_are_refused_in_russian(api_client, cn_staff, cn_agency):
    patrol = make_patrol(cn_agency)
    api_client.force_authenticate(cn_staff)
    polygon = {"type": "Polygon", "coordinates": [[[131, 43], [131.1, 43], [131.1, 43.1], [131, 43]]]}
    response = api_client.post(
        LEGS,
        {"patrol": str(patrol.pk), "start": "2026-03-02T08:00:00Z", "end": "2026-03-02T09:00:00Z", "track": polygon},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    assert "LineString" in str(response.data["track"])
    broken = api_client.post(
        LEGS,
        {"patrol": str(patrol.pk), "gpx_file": SimpleUploadedFile("x.gpx", b"<gpx><trk>", "application/gpx+xml")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert broken.status_code == 400
    assert "GPX" in str(broken.data["gpx_file"])
    backwards = api_client.post(
        LEGS,
        {"patrol": str(patrol.pk), "start": "2026-03-02T10:00:00Z", "end": "2026-03-02T09:00:00Z", "track": TRACK},
        format="json",
    )
    assert backwards.status_code == 400 and "end" in backwards.data
    assert PatrolLeg.objects.count() == 0


@pytest.mark.django_db
def test_patrol_end_before_start_and_foreign_agency(api_client, cn_staff):
    api_client.force_authenticate(cn_staff)
    response = api_client.post(PATROLS, _patrol_payload(end="2026-03-01T08:00:00+08:00"), format="json")
    assert response.status_code == 400 and "end" in response.data
    response = api_client.post(PATROLS, _patrol_payload(owner_agency="RUPARK"), format="json")
    assert response.status_code == 400 and "owner_agency" in response.data
    assert Patrol.objects.count() == 0


@pytest.mark.django_db
def test_waypoints_validate_counts_and_legs_of_other_agencies(api_client, cn_staff, ru_staff, cn_agency, vocabulary):
    patrol = make_patrol(cn_agency)
    api_client.force_authenticate(cn_staff)
    base = {
        "patrol": str(patrol.pk),
        "time": "2026-03-02T09:00:00Z",
        "latitude": "43.1",
        "longitude": "131.2",
        "incident_type": "snare",
    }
    assert api_client.post(WAYPOINTS, base | {"count": -1}, format="json").status_code == 400
    assert api_client.post(WAYPOINTS, base | {"count": 2, "removed": 3}, format="json").status_code == 400
    assert api_client.post(WAYPOINTS, base | {"actions": ["teleported"]}, format="json").status_code == 400
    ok = api_client.post(WAYPOINTS, base | {"count": 3, "removed": 3, "actions": ["removed"]}, format="json")
    assert ok.status_code == 201, ok.data
    api_client.force_authenticate(ru_staff)
    assert api_client.post(WAYPOINTS, base, format="json").status_code == 400  # not their patrol
    assert api_client.delete(f"{WAYPOINTS}{ok.data['id']}/").status_code == 403
    assert Waypoint.objects.count() == 1


@pytest.mark.django_db
def test_tiger_signs_of_others_are_snapped(api_client, cn_staff, ru_staff, cn_agency, vocabulary):
    patrol = make_patrol(cn_agency)
    Waypoint.objects.create(
        patrol=patrol,
        time=patrol.start,
        latitude=Decimal("43.123456"),
        longitude=Decimal("131.234567"),
        incident_type=vocabulary["tiger_sign"],
    )
    Waypoint.objects.create(
        patrol=patrol,
        time=patrol.start,
        latitude=Decimal("43.111111"),
        longitude=Decimal("131.222222"),
        incident_type=vocabulary["snare"],
    )
    api_client.force_authenticate(ru_staff)
    rows = {r["incident_type"]: r for r in api_client.get(WAYPOINTS).data["results"]}
    assert rows["tiger_sign"]["latitude"] == 43.15 and rows["tiger_sign"]["longitude"] == 131.25
    assert rows["tiger_sign"]["generalized"] is True and rows["tiger_sign"]["grid_degrees"] == 0.1
    assert rows["snare"]["generalized"] is False
    api_client.force_authenticate(cn_staff)
    own = {r["incident_type"]: r for r in api_client.get(WAYPOINTS).data["results"]}
    assert own["tiger_sign"]["latitude"] == 43.123456


@pytest.mark.django_db
def test_precise_grant_unlocks_exact_tiger_signs(api_client, ru_staff, cn_agency, ru_agency, vocabulary):
    from core.models import DataSharingGrant

    patrol = make_patrol(cn_agency)
    Waypoint.objects.create(
        patrol=patrol,
        time=patrol.start,
        latitude=Decimal("43.123456"),
        longitude=Decimal("131.234567"),
        incident_type=vocabulary["tiger_sign"],
    )
    DataSharingGrant.objects.create(
        grantor=cn_agency,
        grantee=ru_agency,
        scope="precise_locations",
        dataset_type="antipoaching.patrol",
        valid_from=datetime.date(2026, 1, 1),
    )
    api_client.force_authenticate(ru_staff)
    row = api_client.get(WAYPOINTS).data["results"][0]
    assert row["latitude"] == 43.123456 and row["generalized"] is False


@pytest.mark.django_db
def test_patrol_list_query_count_is_constant(api_client, cn_staff, cn_agency, django_assert_max_num_queries):
    for day in range(1, 6):
        patrol = make_patrol(cn_agency, start=datetime.datetime(2026, 3, day, 8, tzinfo=datetime.UTC))
        services.save_leg(PatrolLeg(patrol=patrol, start=patrol.start, end=patrol.end, track=TRACK))
    api_client.force_authenticate(cn_staff)
    with django_assert_max_num_queries(12):
        response = api_client.get(PATROLS)
    assert len(response.data["results"]) == 5


def test_gpx_parser_handles_gpx_1_0_routes():
    from antipoaching.services import parse_gpx

    data = b'<gpx xmlns="http://www.topografix.com/GPX/1/0"><rte><rtept lat="43" lon="131"/><rtept lat="43.1" lon="131.1"/></rte></gpx>'
    track, first, last = parse_gpx(data)
    assert track["coordinates"] == [[131.0, 43.0], [131.1, 43.1]] and first is None


@pytest.mark.django_db
def test_the_gpx_file_is_kept_as_an_attachment_of_the_leg(api_client, client, cn_staff, ru_staff, cn_agency):
    from antipoaching.models import PatrolLeg
    from core.documents import attachments_for

    patrol = make_patrol(cn_agency, sensitivity="owner_only")
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        LEGS,
        {"patrol": str(patrol.pk), "gpx_file": SimpleUploadedFile("day1.gpx", GPX, "application/gpx+xml")},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    leg = PatrolLeg.objects.get(pk=response.data["id"])
    attachment = attachments_for(leg, role="gpx").get()
    assert attachment.original_name == "day1.gpx" and attachment.size == len(GPX)
    client.force_login(cn_staff)
    download = client.get(f"/en/files/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == GPX
    client.force_login(ru_staff)  # the patrol is owner-only: its file is not there for others
    assert client.get(f"/en/files/{attachment.pk}/").status_code == 404


@pytest.mark.django_db
def test_existing_gpx_files_move_into_attachments(cn_agency, settings, tmp_path):
    import importlib

    from django.core.files.base import ContentFile
    from django.db import connection, models
    from django.db.migrations.loader import MigrationLoader

    from antipoaching.models import PatrolLeg
    from core.documents import attachments_for

    settings.MEDIA_ROOT = str(tmp_path)
    migration = importlib.import_module("antipoaching.migrations.0005_gpx_files_to_attachments")
    patrol = make_patrol(cn_agency)
    leg = services.save_leg(
        PatrolLeg(patrol=patrol, start=patrol.start, end=patrol.start + datetime.timedelta(hours=1), track=TRACK)
    )
    # The state before: the column exists again inside this test's transaction.
    nodes = [("antipoaching", "0004_scrub_suspects_from_audit_log"), ("core", "0006_notification_urgent_and_record")]
    old_apps = MigrationLoader(connection).project_state(nodes).apps
    Historical = old_apps.get_model("antipoaching", "PatrolLeg")
    field = Historical._meta.get_field("gpx_file")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before the ALTER
    with connection.schema_editor() as editor:
        editor.add_field(Historical, field)
    row = Historical.objects.get(pk=leg.pk)
    row.gpx_file.save("old.gpx", ContentFile(GPX), save=True)
    migration.move_files(old_apps, None)
    attachment = attachments_for(leg, role="gpx").get()
    assert attachment.original_name == "old.gpx" and attachment.sha256
    assert isinstance(field, models.FileField)
