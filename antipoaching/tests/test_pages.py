import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from antipoaching import services
from antipoaching.models import ActionPlan, Alert, Incident, Patrol, PatrolLeg, Waypoint
from antipoaching.services import set_recipients
from antipoaching.tests.conftest import body
from core.models import ObjectChange

from .conftest import TRACK, make_patrol


@pytest.fixture
def secret(cn_agency, ru_agency, vocabulary):
    incident = Incident.objects.create(
        owner_agency=cn_agency,
        sensitivity="restricted",
        incident_type=vocabulary["carcass"],
        occurred_on=datetime.date.today(),
        reference="SECRET-42",
        place_en="Hidden gully",
        latitude=Decimal("43.2"),
        longitude=Decimal("131.1"),
        suspects=[{"name": "Wang Wu"}],
        suspects_count=1,
    )
    incident.shared_with.add(ru_agency)
    return incident


@pytest.mark.django_db
def test_restricted_incident_on_every_page_path(client, secret, third_staff, ru_staff):
    client.force_login(third_staff)
    assert "SECRET-42" not in client.get("/en/antipoaching/incidents/").content.decode()
    assert "SECRET-42" not in client.get("/en/antipoaching/incidents/?incident_type=carcass&q=Hidden").content.decode()
    assert client.get(f"/en/antipoaching/incidents/{secret.pk}/").status_code == 404
    assert "SECRET-42" not in body(client.get("/en/antipoaching/incidents/?export=csv")).decode("utf-8-sig")
    assert "SECRET-42" not in client.get("/en/antipoaching/map/").content.decode()
    assert "SECRET-42" not in client.get("/en/search/?q=SECRET").content.decode()
    kpis = client.get("/en/antipoaching/kpis/").content.decode()
    assert "Carcass" not in kpis  # the drill-down row does not exist for them
    client.force_login(ru_staff)
    detail = client.get(f"/en/antipoaching/incidents/{secret.pk}/").content.decode()
    assert "Wang Wu" in detail
    assert ObjectChange.objects.filter(action="read", object_id=str(secret.pk)).exists()
    assert "SECRET-42" in client.get("/en/search/?q=SECRET").content.decode()
    assert "Carcass" in client.get("/en/antipoaching/kpis/").content.decode()


@pytest.mark.django_db
def test_map_snaps_tiger_signs_of_others(client, cn_agency, ru_staff, vocabulary):
    patrol = make_patrol(cn_agency)
    services.save_leg(PatrolLeg(patrol=patrol, start=patrol.start, end=patrol.end, track=TRACK))
    Waypoint.objects.create(
        patrol=patrol,
        time=patrol.start,
        latitude=Decimal("43.123456"),
        longitude=Decimal("131.234567"),
        incident_type=vocabulary["tiger_sign"],
    )
    client.force_login(ru_staff)
    page = client.get("/en/antipoaching/map/").content.decode()
    assert "43.123456" not in page and "131.234567" not in page
    start = page.index('id="waypoints-geojson"')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert data["features"][0]["geometry"]["coordinates"] == [131.25, 43.15]
    assert data["features"][0]["properties"]["generalized"] is True
    detail = client.get(f"/en/antipoaching/patrols/{patrol.pk}/").content.decode()
    assert "43.123456" not in detail and "generalized to 0.1°" in detail


@pytest.mark.django_db
def test_patrol_page_forms_refuse_bad_input(client, cn_staff, cn_agency, ru_agency, vocabulary):
    client.force_login(cn_staff)
    base = {
        "owner_agency": cn_agency.pk,
        "sensitivity": "partners",
        "leader": "Li",
        "members": "Wang\nZhao",
        "mandate": "anti_poaching",
        "transport": "foot",
    }
    response = client.post(
        "/en/antipoaching/patrols/new/", base | {"start": "2026-03-02T08:00", "end": "2026-03-01T08:00"}
    )
    assert response.status_code == 200 and "The end is before the start." in response.content.decode()
    response = client.post(
        "/en/antipoaching/patrols/new/",
        base | {"owner_agency": ru_agency.pk, "start": "2026-03-02T08:00", "end": "2026-03-02T18:00"},
    )
    assert response.status_code == 200 and Patrol.objects.count() == 0
    response = client.post(
        "/en/antipoaching/patrols/new/", base | {"start": "2026-03-02T08:00", "end": "2026-03-02T18:00"}
    )
    assert response.status_code == 302
    patrol = Patrol.objects.get()
    assert patrol.members == ["Wang", "Zhao"] and patrol.team_size == 3
    leg_url = f"/en/antipoaching/patrols/{patrol.pk}/legs/"
    polygon = json.dumps({"type": "Polygon", "coordinates": [[[131, 43], [131.1, 43], [131.1, 43.1], [131, 43]]]})
    bad = client.post(
        leg_url, {"start": "2026-03-02T08:00", "end": "2026-03-02T10:00", "transport": "foot", "track": polygon}
    )
    assert bad.status_code == 400 and "LineString" in bad.content.decode()
    bad = client.post(leg_url, {"transport": "foot", "gpx_file": SimpleUploadedFile("a.gpx", b"not xml at all")})
    assert bad.status_code == 400 and "GPX" in bad.content.decode()
    bad = client.post(
        leg_url,
        {"start": "2026-03-02T10:00", "end": "2026-03-02T08:00", "transport": "foot", "track": json.dumps(TRACK)},
    )
    assert bad.status_code == 400
    assert PatrolLeg.objects.count() == 0
    good = client.post(
        leg_url,
        {"start": "2026-03-02T08:00", "end": "2026-03-02T10:00", "transport": "foot", "track": json.dumps(TRACK)},
    )
    assert good.status_code == 302
    patrol.refresh_from_db()
    assert patrol.distance_km > 5
    wp_url = f"/en/antipoaching/patrols/{patrol.pk}/waypoints/"
    bad = client.post(
        wp_url,
        {
            "time": "2026-03-02T09:00",
            "latitude": "43.1",
            "longitude": "131.2",
            "incident_type": vocabulary["snare"].pk,
            "count": "-2",
            "removed": "0",
        },
    )
    assert bad.status_code == 400 and Waypoint.objects.count() == 0


@pytest.mark.django_db
def test_patrol_page_in_russian_shows_translated_error(client, cn_staff, cn_agency):
    client.force_login(cn_staff)
    response = client.post(
        "/ru/antipoaching/patrols/new/",
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "leader": "Li",
            "mandate": "anti_poaching",
            "transport": "foot",
            "start": "2026-03-02T08:00",
            "end": "2026-03-01T08:00",
        },
    )
    assert "Окончание раньше начала." in response.content.decode()


@pytest.mark.django_db
def test_plan_approval_through_pages(client, cn_staff, cn_coord, ru_coord, cn_agency, ru_agency):
    client.force_login(cn_staff)
    response = client.post(
        "/en/antipoaching/plans/new/",
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": "partners",
            "title_en": "Border plan",
            "participating_agencies": [cn_agency.pk, ru_agency.pk],
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = ActionPlan.objects.get()

    def step(name, **data):
        plan.refresh_from_db()
        url = f"/en/workflow/antipoaching.actionplan/{plan.pk}/{name}/"
        return client.post(url, {"revision": plan.revision, **data})

    step("submit")
    client.force_login(cn_coord)
    step("approve", note="CN ok")
    plan.refresh_from_db()
    assert plan.status == "under_review"
    client.force_login(ru_coord)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Approve" in page and 'id="workflow-history"' in page
    step("approve")
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert "ru_coord" in client.get(plan.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_alert_badge_until_acknowledged(client, cn_staff, ru_staff, cn_agency, ru_agency):
    alert = Alert.objects.create(
        owner_agency=cn_agency, title_en="Group crossed", message_en="Near post 14", urgency="urgent"
    )
    set_recipients(alert, [ru_agency])
    client.force_login(cn_staff)
    assert 'data-pending="1"' in client.get("/en/antipoaching/alerts/").content.decode()
    client.force_login(ru_staff)
    client.get(alert.get_absolute_url())
    client.post(f"/en/antipoaching/alerts/{alert.pk}/acknowledge/")
    client.force_login(cn_staff)
    assert 'data-pending="1"' not in client.get("/en/antipoaching/alerts/").content.decode()
    assert "ru" in client.get(alert.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_kpi_page_side_by_side_with_svg_and_exports(client, cn_staff, cn_agency, ru_agency, vocabulary):
    today = datetime.datetime.now(datetime.UTC).replace(hour=1)
    for agency in (cn_agency, ru_agency):
        patrol = make_patrol(agency, start=today)
        services.save_leg(PatrolLeg(patrol=patrol, start=today, end=today + datetime.timedelta(hours=3), track=TRACK))
        Waypoint.objects.create(
            patrol=patrol,
            time=today,
            latitude=43.1,
            longitude=131.2,
            incident_type=vocabulary["snare"],
            count=2,
            removed=2,
        )
    client.force_login(cn_staff)
    page = client.get("/en/antipoaching/kpis/").content.decode()
    assert page.count("<svg") >= 2 and 'data-side="RU"' in page and "Snare" in page
    xlsx = client.get("/en/antipoaching/kpis/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert body(client.get("/en/antipoaching/patrols/?export=csv")).decode("utf-8-sig").count("\n") == 3


@pytest.mark.django_db
def test_all_list_pages_render(client, cn_staff, vocabulary):
    client.force_login(cn_staff)
    for url in (
        "plans/",
        "operations/",
        "patrols/",
        "incidents/",
        "alerts/",
        "map/",
        "kpis/",
        "vocabulary/",
        "plans/new/",
        "operations/new/",
        "patrols/new/",
        "incidents/new/",
        "alerts/new/",
    ):
        assert client.get(f"/zh-hans/antipoaching/{url}").status_code == 200, url
