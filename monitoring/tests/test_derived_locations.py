"""Derived places of camera traps and transects (issue 9, side channels 1, 3 and 5).

- A record's protected area is chosen only among its owner's and the secretariat's areas: another
  agency's areas are never an oracle for the point, on any path that places a record.
- The area is shown to those who see the point generalized only when it covers the whole withheld
  grid cell (`protected_area_covers_cell`), so it tells no more than the cell.
- Deployments at one location (one location ID, or within 100 m) share an anchor, which withheld
  views snap: no twin lands in another cell.
- When a species' sensitivity, an area or a deployment changes, every record derived from it follows.
"""

import datetime
import itertools

import pytest
from django.utils import timezone

from core.access import withheld_grid_degrees
from core.geo import snap
from core.tests.factories import SpeciesFactory
from monitoring import services
from monitoring.models import Deployment, SnowTrackTransect
from monitoring.tests.factories import make_deployment, make_observation
from reserves.models import ProtectedArea
from reserves.services import AreaLocator, area_for

pytestmark = pytest.mark.django_db

# The victim's camera: the point the attacker wants, and its 0.1° cell [43.2, 43.3] × [131.0, 131.1].
LAT, LON = 43.218734, 131.065172
ROUTE = {"type": "LineString", "coordinates": [[131.05, 43.21], [131.08, 43.22]]}
_counter = itertools.count()


def _square(south, west, size):
    return {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
        ],
    }


def _area(agency, south, west, size, **extra):
    return ProtectedArea.objects.create(
        owner_agency=agency,
        name_en=f"Area {next(_counter)}",
        country=agency.country if agency.country in ("CN", "RU") else "CN",
        boundary=_square(south, west, size),
        **extra,
    )


def _tile_cell(attacker):
    """Another agency tiles the victim's cell with tiny owner-only areas (0.01°, and 10 m round the point)."""
    tiles = [
        _area(attacker, 43.2 + i * 0.01, 131.0 + j * 0.01, 0.01, sensitivity="owner")
        for i in range(10)
        for j in range(10)
    ]
    tiles.append(_area(attacker, LAT - 0.0001, LON - 0.0001, 0.0002, sensitivity="owner"))
    return {area.pk for area in tiles}


def _transect(agency, route=ROUTE, **extra):
    transect = SnowTrackTransect.objects.create(
        owner_agency=agency, name=f"T{next(_counter)}", date=datetime.date(2025, 1, 10), route=route, **extra
    )
    return services.transect_saved(transect)


# --- side channel 1: the protected-area oracle ------------------------------------------------


def test_tiling_another_agencys_cell_with_hidden_areas_assigns_none_of_them(
    api_client, cn_agency, ru_agency, cn_staff, ru_staff, leopard
):
    deployment = make_deployment(cn_agency, LAT, LON)
    make_observation(deployment, leopard)
    transect = _transect(cn_agency)
    attacker_areas = _tile_cell(ru_agency)
    api_client.force_authenticate(ru_staff)  # the API path of area creation too
    response = api_client.post(
        "/api/v1/reserves/protected-areas/",
        {
            "name": "Tiny",
            "country": "RU",
            "owner_agency": ru_agency.code,
            "sensitivity": "owner",
            "boundary": _square(LAT - 0.00001, LON - 0.00001, 0.00002),
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    attacker_areas.add(ProtectedArea.objects.get(name_en="Tiny").pk)

    # The victim's routine edits, on every path that places a record.
    api_client.force_authenticate(cn_staff)
    for comment in ("checked", "batteries", "moved card"):
        response = api_client.patch(
            f"/api/v1/monitoring/deployments/{deployment.pk}/", {"deployment_comments": comment}, format="json"
        )
        assert response.status_code == 200, response.data
        deployment.refresh_from_db()
        assert deployment.protected_area_id not in attacker_areas
    services.deployment_saved(deployment)
    services.refresh_derived_locations()
    services.transect_saved(transect)
    assert AreaLocator(cn_agency)(LAT, LON) is None  # the importer's locator
    assert area_for(cn_agency, LAT, LON) is None
    for record in (Deployment.objects.get(pk=deployment.pk), SnowTrackTransect.objects.get(pk=transect.pk)):
        assert record.protected_area_id is None
        assert record.protected_area_covers_cell is False


def test_own_and_secretariat_areas_are_used_and_shown_only_when_they_cover_the_cell(
    api_client, cn_agency, ru_agency, secretariat_agency, ru_staff, leopard
):
    reserve = _area(secretariat_agency, 43.0, 130.5, 1.0)  # holds the whole 0.1° cell
    deployment = make_deployment(cn_agency, LAT, LON)
    make_observation(deployment, leopard)
    transect = _transect(cn_agency)
    deployment.refresh_from_db()
    assert (deployment.protected_area_id, deployment.protected_area_covers_cell) == (reserve.pk, True)
    assert (transect.protected_area_id, transect.protected_area_covers_cell) == (reserve.pk, True)

    # The owner's own small area wins (smallest first), but its boundary cuts the cell: the
    # owner sees it, a partner who sees the point generalized does not.
    own = _area(cn_agency, 43.21, 131.05, 0.02)
    deployment.refresh_from_db()
    transect.refresh_from_db()
    assert (deployment.protected_area_id, deployment.protected_area_covers_cell) == (own.pk, False)
    assert (transect.protected_area_id, transect.protected_area_covers_cell) == (own.pk, False)
    api_client.force_authenticate(ru_staff)
    for url in (f"/api/v1/monitoring/deployments/{deployment.pk}/", f"/api/v1/monitoring/transects/{transect.pk}/"):
        response = api_client.get(url)
        assert response.status_code == 200
        assert response.data["protected_area"] is None, url

    # The owner's area grows to hold the cell (an edit through the API): shown again.
    own.boundary = _square(43.15, 130.95, 0.2)
    own.save()
    deployment.refresh_from_db()
    transect.refresh_from_db()
    assert (deployment.protected_area_id, deployment.protected_area_covers_cell) == (own.pk, True)
    assert (transect.protected_area_id, transect.protected_area_covers_cell) == (own.pk, True)
    response = api_client.get(f"/api/v1/monitoring/deployments/{deployment.pk}/")
    assert str(response.data["protected_area"]) == str(own.pk)

    # Deleted: the records fall back to the secretariat's reserve, not to nothing.
    own.delete()
    deployment.refresh_from_db()
    transect.refresh_from_db()
    assert (deployment.protected_area_id, deployment.protected_area_covers_cell) == (reserve.pk, True)
    assert transect.protected_area_id == reserve.pk


def test_an_area_edited_through_the_api_re_derives_the_owners_records(api_client, cn_agency, cn_staff):
    area = _area(cn_agency, 43.0, 130.5, 1.0)
    deployment = make_deployment(cn_agency, LAT, LON)
    assert deployment.protected_area_id == area.pk
    api_client.force_authenticate(cn_staff)
    response = api_client.patch(
        f"/api/v1/reserves/protected-areas/{area.pk}/",
        {"boundary": _square(44.0, 132.0, 0.5)},
        format="json",
        HTTP_IF_MATCH=f'"{area.pk}-{area.revision}"',
    )
    assert response.status_code == 200, response.data
    deployment.refresh_from_db()
    assert deployment.protected_area_id is None and deployment.protected_area_covers_cell is False


def test_an_agency_becoming_owner_of_an_area_takes_it_from_the_previous_owners_records(cn_agency, ru_agency):
    area = _area(cn_agency, 43.0, 130.5, 1.0)
    deployment = make_deployment(cn_agency, LAT, LON)
    assert deployment.protected_area_id == area.pk
    area.owner_agency = ru_agency
    area.save()
    deployment.refresh_from_db()
    assert deployment.protected_area_id is None


# --- side channel 3: location twins -----------------------------------------------------------


def _at(month):
    return timezone.make_aware(datetime.datetime(2024, month, 1))


def test_twins_of_a_location_share_the_anchor_and_follow_when_the_first_is_deleted(
    api_client, cn_agency, ru_agency, cn_staff, ru_staff, leopard
):
    # Three visits to one location ID on both sides of a cell edge (lat 43.3), and a camera
    # without a location ID 40 m from the second one.
    first = make_deployment(cn_agency, 43.2995, 131.05, start=_at(1), location_id="L-7")
    second = make_deployment(cn_agency, 43.3008, 131.05, start=_at(6), location_id=" l-7 ")
    third = make_deployment(cn_agency, 43.3012, 131.0502, start=_at(9))
    make_observation(first, leopard)  # only the first visit recorded a leopard
    other_owner = make_deployment(ru_agency, 43.3009, 131.05, start=_at(2), location_id="L-7")
    anchors = dict(Deployment.objects.filter(owner_agency=cn_agency).values_list("pk", "anchor_latitude"))
    assert anchors == {first.pk: 43.2995, second.pk: 43.2995, third.pk: 43.2995}
    other_owner.refresh_from_db()
    assert other_owner.anchor_latitude == 43.3009  # another agency's location ID is not a twin

    # A partner sees every twin in one cell, whichever species each recorded.
    api_client.force_authenticate(ru_staff)
    cells = {api_client.get(f"/api/v1/monitoring/deployments/{d.pk}/").data["latitude"] for d in (first, second, third)}
    assert cells == {snap(43.2995, withheld_grid_degrees())}

    # The earliest visit is deleted (through the API): the others take the next one's point.
    api_client.force_authenticate(cn_staff)
    response = api_client.delete(f"/api/v1/monitoring/deployments/{first.pk}/")
    assert response.status_code == 204
    anchors = dict(Deployment.objects.filter(owner_agency=cn_agency).values_list("pk", "anchor_latitude"))
    assert anchors == {second.pk: 43.3008, third.pk: 43.3008}

    # The second moves away and leaves the location: the third is on its own again.
    second.location_id, second.latitude = "L-8", 43.5
    second.save()
    services.deployment_saved(second)
    anchors = dict(Deployment.objects.filter(owner_agency=cn_agency).values_list("pk", "anchor_latitude"))
    assert anchors == {second.pk: 43.5, third.pk: 43.3012}


def test_anchors_are_filled_in_bulk_as_on_a_single_save(cn_agency):
    deployments = [
        make_deployment(cn_agency, 43.0 + i * 0.0005, 131.0, start=_at(1 + i % 12), location_id=f"L{i % 3}")
        for i in range(12)
    ]
    expected = dict(Deployment.objects.values_list("pk", "anchor_latitude"))
    Deployment.objects.update(anchor_latitude=None, anchor_longitude=None)
    services.refresh_deployment_locations([d.pk for d in deployments])
    assert dict(Deployment.objects.values_list("pk", "anchor_latitude")) == expected


# --- side channel 5: staleness ----------------------------------------------------------------


def test_species_becoming_sensitive_re_generalizes_deployments_and_transects(cn_agency, boar):
    deployment = make_deployment(cn_agency, LAT, LON)
    make_observation(deployment, boar)
    transect = _transect(cn_agency)
    services.replace_transect_tracks(transect, [{"species": boar, "tracks": 4}])
    records = (Deployment.objects.filter(pk=deployment.pk), SnowTrackTransect.objects.filter(pk=transect.pk))
    assert [qs.get().location_category for qs in records] == [0, 0]
    boar.sensitivity_category = 3
    boar.save()
    assert [qs.get().location_category for qs in records] == [3, 3]
    boar.sensitivity_category = 0
    boar.save()
    assert [qs.get().location_category for qs in records] == [0, 0]
    # A write that bypasses the hook is caught by the nightly services.
    type(boar).objects.filter(pk=boar.pk).update(sensitivity_category=2)
    services.refresh_location_categories()
    services.refresh_transect_categories()
    assert [qs.get().location_category for qs in records] == [2, 2]


def test_a_stricter_species_coarsens_the_grid_and_covers_cell_is_recomputed(settings, cn_agency, leopard):
    settings.PORTAL_WITHHELD_LOCATION_CATEGORY = 3  # a 0.01° grid while no species is stricter
    type(leopard).objects.filter(sensitivity_category__in=(1, 2)).update(sensitivity_category=3)
    leopard.refresh_from_db()
    assert withheld_grid_degrees() == 0.01
    _area(cn_agency, 43.2, 131.03, 0.05)  # holds the point's 0.01° cell, not its 0.1° cell
    deployment = make_deployment(cn_agency, LAT, LON)
    transect = _transect(cn_agency, {"type": "LineString", "coordinates": [[131.061, 43.211], [131.069, 43.219]]})
    records = (Deployment.objects.filter(pk=deployment.pk), SnowTrackTransect.objects.filter(pk=transect.pk))
    assert [qs.get().protected_area_covers_cell for qs in records] == [True, True]

    leopard.sensitivity_category = 2  # stricter: the withheld grid becomes 0.1°
    leopard.save()
    assert withheld_grid_degrees() == 0.1
    assert [qs.get().protected_area_covers_cell for qs in records] == [False, False]

    leopard.sensitivity_category = 3
    leopard.save()
    assert [qs.get().protected_area_covers_cell for qs in records] == [True, True]

    # A new species stricter than every other (1°) also moves the grid; deleting it moves it back.
    wolf = SpeciesFactory(scientific_name="Canis lupus", sensitivity_category=1)
    assert [qs.get().protected_area_covers_cell for qs in records] == [False, False]
    wolf.delete()
    assert [qs.get().protected_area_covers_cell for qs in records] == [True, True]


def test_derived_writes_do_not_bump_the_revision(cn_agency, secretariat_agency):
    deployment = make_deployment(cn_agency, LAT, LON)
    twin = make_deployment(cn_agency, LAT + 0.0003, LON, start=_at(3))
    _area(secretariat_agency, 43.0, 130.5, 1.0)
    Deployment.objects.filter(pk=deployment.pk).delete()
    assert Deployment.objects.values_list("revision", flat=True).get(pk=twin.pk) == 1


def test_an_agency_becoming_the_secretariat_lends_its_areas_to_every_record(cn_agency, ngo_agency):
    area = _area(ngo_agency, 43.0, 130.5, 1.0)
    deployment = make_deployment(cn_agency, LAT, LON)
    transect = _transect(cn_agency)
    assert (deployment.protected_area_id, transect.protected_area_id) == (None, None)
    ngo_agency.kind = "secretariat"
    ngo_agency.save()
    deployment.refresh_from_db()
    transect.refresh_from_db()
    assert (deployment.protected_area_id, transect.protected_area_id) == (area.pk, area.pk)
    ngo_agency.kind = "ngo"
    ngo_agency.save()
    deployment.refresh_from_db()
    assert deployment.protected_area_id is None


def test_the_migration_fills_anchors_and_places_existing_records_under_the_owner_rule(
    cn_agency, ru_agency, secretariat_agency
):
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = importlib.import_module("monitoring.migrations.0006_withheld_locations")
    reserve = _area(secretariat_agency, 43.0, 130.5, 1.0)
    tile = _area(ru_agency, LAT - 0.0001, LON - 0.0001, 0.0002, sensitivity="owner")
    first = make_deployment(cn_agency, LAT, LON, start=_at(1), location_id="L")
    twin = make_deployment(cn_agency, LAT + 0.002, LON, start=_at(5), location_id="L")
    transect = _transect(cn_agency)
    # As the old code left them: no anchors, the other agency's tiny area assigned.
    Deployment.objects.update(
        anchor_latitude=None, anchor_longitude=None, protected_area=tile, protected_area_covers_cell=False
    )
    SnowTrackTransect.objects.update(protected_area=tile)
    state = MigrationLoader(connection).project_state(("monitoring", "0006_withheld_locations"))
    migration.derive_locations(state.apps, None)
    rows = Deployment.objects.order_by("start").values_list(
        "anchor_latitude", "protected_area_id", "protected_area_covers_cell"
    )
    assert list(rows) == [(LAT, reserve.pk, True), (LAT, reserve.pk, True)]
    assert {first.pk, twin.pk} == set(Deployment.objects.values_list("pk", flat=True))
    assert SnowTrackTransect.objects.get(pk=transect.pk).protected_area_id == reserve.pk
