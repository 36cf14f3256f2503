"""One write path: the derived fields of deployments, observations, transects and individuals.

Model save() has no side effects. Whatever writes a record (the pages, the API, the admin, the
Camtrap DP importer, the demo) calls the matching `*_saved` / `*_deleted` function here after the
write. Derived fields are written with queryset.update(): they do not bump the record's revision
(its ETag) nor its updated_at, so a client's next If-Match write still matches.

Places (protected area, location anchor, covers-cell flag) are derived only from what the
record's owner chose: its own points and location IDs, and its own or the secretariat's areas.
The functions that derive them take `models` (the real ones by default, a migration's historical
ones in monitoring/migrations/0006) and read and write through values_list()/update() only.
"""

import math
from decimal import Decimal

from django.apps import apps as django_apps
from django.db.models import Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from core.geo import geodesic_length_km, snap, validate_geojson
from core.models import AgencyKind
from reserves.services import AreaLocator  # re-exported: the importer's locator (one per owner)

from ..models import Deployment, Individual, Observation, SnowTrackTransect, TransectTrack
from .catalogue import individual_for_import
from .locations import refresh_location_categories

ANCHOR_RADIUS_M = 100  # deployments closer than this are one location
_METERS_PER_DEGREE = 111_320
_INDEX_DEGREES = 0.001  # cell of the neighbour index (about 111 m of latitude)
_BATCH = 500


class _Models:
    """The models derivations read and write: the installed ones, or a migration's `apps`."""

    def __init__(self, apps=None):
        apps = apps or django_apps
        self.deployment = apps.get_model("monitoring", "Deployment")
        self.transect = apps.get_model("monitoring", "SnowTrackTransect")
        self.area = apps.get_model("reserves", "ProtectedArea")
        self.agency = apps.get_model("core", "Agency")


def _withheld_grid(grid):
    from core.access import withheld_grid_degrees

    return withheld_grid_degrees() if grid is None else grid


def _cell(latitude, longitude, step):
    """(south, west, north, east) of the withheld grid cell holding the point (as core.geo.snap)."""
    centre_lat, centre_lon = snap(float(latitude), step), snap(float(longitude), step)
    half = step / 2
    return centre_lat - half, centre_lon - half, centre_lat + half, centre_lon + half


def _write(model, rows, fields):
    """Write derived values [(pk, value, …)] in batches, without touching revision or updated_at."""
    for start in range(0, len(rows), _BATCH):
        objects = [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows[start : start + _BATCH]]
        model.objects.bulk_update(objects, fields)


# --- protected areas --------------------------------------------------------------------------


def _locator(models, owner_id, cache):
    if owner_id not in cache:
        cache[owner_id] = AreaLocator(owner_id, queryset=models.area.objects.all())
    return cache[owner_id]


def _refresh_deployment_places(queryset, models, grid, found=None):
    """Each deployment's protected area (at its point) and covers-cell flag (around its anchor)."""
    locators, changed = {}, []
    rows = queryset.order_by("owner_agency_id", "pk").values_list(
        "pk",
        "owner_agency_id",
        "latitude",
        "longitude",
        "anchor_latitude",
        "anchor_longitude",
        "protected_area_id",
        "protected_area_covers_cell",
    )
    for pk, owner_id, lat, lon, anchor_lat, anchor_lon, area_id, covers in rows.iterator(chunk_size=2000):
        locate = _locator(models, owner_id, locators)
        area = locate(lat, lon)
        if anchor_lat is None or anchor_lon is None:
            anchor_lat, anchor_lon = lat, lon
        new_covers = area is not None and locate.covers(area, *_cell(anchor_lat, anchor_lon, grid))
        new_area_id = area.pk if area is not None else None
        if found is not None:
            found[pk] = area
        if (new_area_id, new_covers) != (area_id, covers):
            changed.append((pk, new_area_id, new_covers))
            if len(changed) >= _BATCH:
                _write(models.deployment, changed, ["protected_area_id", "protected_area_covers_cell"])
                changed = []
    _write(models.deployment, changed, ["protected_area_id", "protected_area_covers_cell"])


def _transect_centre(route):
    from shapely.geometry import shape

    try:
        centre = shape(route).centroid
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    return None if centre.is_empty else (centre.y, centre.x)


def _refresh_transect_places(queryset, models, grid):
    """Each transect's protected area (at its route's centre) and covers-cell flag (around it)."""
    locators, changed = {}, []
    rows = queryset.order_by("owner_agency_id", "pk").values_list(
        "pk", "owner_agency_id", "route", "protected_area_id", "protected_area_covers_cell"
    )
    for pk, owner_id, route, area_id, covers in rows.iterator(chunk_size=500):
        centre = _transect_centre(route)
        locate = _locator(models, owner_id, locators)
        area = locate(*centre) if centre else None
        new_covers = area is not None and locate.covers(area, *_cell(*centre, grid))
        new_area_id = area.pk if area is not None else None
        if (new_area_id, new_covers) != (area_id, covers):
            changed.append((pk, new_area_id, new_covers))
            if len(changed) >= _BATCH:
                _write(models.transect, changed, ["protected_area_id", "protected_area_covers_cell"])
                changed = []
    _write(models.transect, changed, ["protected_area_id", "protected_area_covers_cell"])


def _bbox_filter(boundary):
    """Q for points inside the bounding box of a GeoJSON boundary (None if it has none)."""
    from shapely.geometry import shape

    if not boundary:
        return None
    try:
        west, south, east, north = shape(boundary).bounds
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    return Q(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)


def protected_area_changed(area, previous_boundary=None, previous_owner_id=None, models=None, grid=None):
    """After a protected area was created, its boundary or owner changed, or it was deleted.

    The records it could hold (or held) are re-derived: those of its owner (and previous owner),
    or of every agency when a secretariat's area, near its new or old boundary or placed in it.
    """
    models = models or _Models()
    grid = _withheld_grid(grid)
    owner_ids = {area.owner_agency_id, previous_owner_id} - {None}
    secretariat = models.agency.objects.filter(pk__in=owner_ids, kind=AgencyKind.SECRETARIAT).exists()
    deployments = models.deployment.objects.all()
    transects = models.transect.objects.all()
    if not secretariat:
        deployments = deployments.filter(owner_agency_id__in=owner_ids)
        transects = transects.filter(owner_agency_id__in=owner_ids)
    near = Q(protected_area_id=area.pk)
    for boundary in (area.boundary, previous_boundary):
        box = _bbox_filter(boundary)
        if box is not None:
            near |= box
    _refresh_deployment_places(deployments.filter(near), models, grid)
    _refresh_transect_places(transects, models, grid)  # their centre is not stored: all of them


def refresh_cells(models=None, grid=None):
    """Recompute every covers-cell flag (and protected area): after the withheld grid changed."""
    models = models or _Models()
    grid = _withheld_grid(grid)
    _refresh_deployment_places(models.deployment.objects.all(), models, grid)
    _refresh_transect_places(models.transect.objects.all(), models, grid)


# --- location anchors -------------------------------------------------------------------------


def _distance_m(lat1, lon1, lat2, lon2):
    # Equirectangular: exact enough at 100 m.
    dy = (lat2 - lat1) * _METERS_PER_DEGREE
    dx = (lon2 - lon1) * _METERS_PER_DEGREE * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


class _NeighbourIndex:
    """Points already placed, in cells of _INDEX_DEGREES, for 'the nearest within 100 m'."""

    def __init__(self):
        self.cells = {}

    def add(self, lat, lon, anchor):
        key = (math.floor(lat / _INDEX_DEGREES), math.floor(lon / _INDEX_DEGREES))
        self.cells.setdefault(key, []).append((lat, lon, anchor))

    def nearest_anchor(self, lat, lon):
        row, column = math.floor(lat / _INDEX_DEGREES), math.floor(lon / _INDEX_DEGREES)
        cos = max(math.cos(math.radians(lat)), 0.01)
        span = math.ceil(ANCHOR_RADIUS_M / (_INDEX_DEGREES * _METERS_PER_DEGREE * cos))
        best, best_distance = None, None
        for r in range(row - 1, row + 2):
            for c in range(column - span, column + span + 1):
                for other_lat, other_lon, anchor in self.cells.get((r, c), ()):
                    distance = _distance_m(lat, lon, other_lat, other_lon)
                    # The nearest; among equals the first placed (so the answer is stable).
                    if distance <= ANCHOR_RADIUS_M and (best_distance is None or distance < best_distance):
                        best, best_distance = anchor, distance
        return best


def _location_key(location_id):
    return (location_id or "").strip().casefold()


def refresh_anchors(owner_ids=None, models=None):
    """Recompute the location anchors of the deployments of these owners (None: all); returns
    the ids of the deployments whose anchor changed.

    All deployments of an owner at one location ID take the point of the earliest-starting one
    there; one without a location ID takes the anchor of the nearest deployment of the same owner
    within 100 m (one with a location ID, or an earlier one without), else its own point.
    """
    models = models or _Models()
    if owner_ids is None:
        owner_ids = models.deployment.objects.order_by().values_list("owner_agency_id", flat=True).distinct()
    changed = set()
    for owner_id in list(owner_ids):
        changed |= _refresh_owner_anchors(owner_id, models)
    return changed


def _refresh_owner_anchors(owner_id, models):
    rows = (
        models.deployment.objects.filter(owner_agency_id=owner_id)
        .order_by("start", "pk")
        .values_list("pk", "location_id", "latitude", "longitude", "anchor_latitude", "anchor_longitude")
    )
    index, by_location, unplaced, updates = _NeighbourIndex(), {}, [], []

    def place(pk, lat, lon, anchor, stored):
        index.add(lat, lon, anchor)
        if stored != anchor:
            updates.append((pk, *anchor))

    for pk, location_id, lat, lon, anchor_lat, anchor_lon in rows.iterator(chunk_size=2000):
        key = _location_key(location_id)
        if key:
            place(pk, lat, lon, by_location.setdefault(key, (lat, lon)), (anchor_lat, anchor_lon))
        else:
            unplaced.append((pk, lat, lon, (anchor_lat, anchor_lon)))
    for pk, lat, lon, stored in unplaced:
        place(pk, lat, lon, index.nearest_anchor(lat, lon) or (lat, lon), stored)
    _write(models.deployment, updates, ["anchor_latitude", "anchor_longitude"])
    return {row[0] for row in updates}


def refresh_deployment_locations(deployment_ids, models=None, grid=None):
    """After deployments were written in bulk (the importer): anchors of their owners, then the
    protected area and covers-cell flag of these deployments and of every twin whose anchor moved.
    """
    models = models or _Models()
    deployment_ids = set(deployment_ids) - {None}
    if not deployment_ids:
        return
    owners = set(
        models.deployment.objects.filter(pk__in=list(deployment_ids))
        .order_by()
        .values_list("owner_agency_id", flat=True)
        .distinct()
    )
    changed = refresh_anchors(owners, models)
    ids = list(deployment_ids | changed)
    for start in range(0, len(ids), 5000):
        chunk = models.deployment.objects.filter(pk__in=ids[start : start + 5000])
        _refresh_deployment_places(chunk, models, _withheld_grid(grid))


def refresh_derived_locations(models=None, grid=None):
    """Every deployment's anchor, and every deployment's and transect's protected area and
    covers-cell flag (the nightly safety net, and monitoring/migrations/0006)."""
    models = models or _Models()
    refresh_anchors(None, models)
    refresh_cells(models, grid)


# --- species ----------------------------------------------------------------------------------


def species_changed(species, previous_category=None, previous_grid=None):
    """After a species was created, changed or deleted: every record holding a location of it
    follows its sensitivity, and when the withheld grid changed with it (a stricter species, or
    the strictest one relaxed), every covers-cell flag is computed again for the new cells.

    `previous_category` is the category before the write (None: it is new or deleted);
    `previous_grid` is core.access.withheld_grid_degrees() before it (None: unknown, recompute).
    """
    if species.pk is not None and previous_category != species.sensitivity_category:
        deployments = Observation.objects.filter(species=species).order_by().values_list("deployment_id", flat=True)
        refresh_location_categories(set(deployments.distinct().iterator()))
        transects = TransectTrack.objects.filter(species=species).order_by().values_list("transect_id", flat=True)
        refresh_transect_categories(set(transects.distinct().iterator()))
    if previous_grid is None or _withheld_grid(None) != previous_grid:
        refresh_cells()


# --- deployments ------------------------------------------------------------------------------


def refresh_deployment_areas(deployments, locate=None):
    """Write each deployment's protected area, anchor and covers-cell flag; returns {pk: area or None}.

    (`locate` is accepted for old callers and ignored: the areas depend on each owner.)
    """
    deployments = list(deployments)
    models = _Models()
    grid = _withheld_grid(None)
    changed = refresh_anchors({d.owner_agency_id for d in deployments}, models)
    found = {}
    ids = [d.pk for d in deployments]
    _refresh_deployment_places(Deployment.objects.filter(pk__in=ids), models, grid, found)
    others = changed - set(ids)
    if others:
        _refresh_deployment_places(Deployment.objects.filter(pk__in=list(others)), models, grid)
    for deployment in deployments:
        deployment.protected_area = found.get(deployment.pk)
    return found


_DEPLOYMENT_DERIVED = (
    "protected_area_id",
    "location_category",
    "anchor_latitude",
    "anchor_longitude",
    "protected_area_covers_cell",
)


def deployment_saved(deployment):
    """After a deployment was created or changed: its anchor (and its twins'), protected area,
    covers-cell flag and sensitivity category."""
    refresh_deployment_areas([deployment])
    refresh_location_categories([deployment.pk])
    values = Deployment.objects.values(*_DEPLOYMENT_DERIVED).get(pk=deployment.pk)
    for field, value in values.items():
        setattr(deployment, field, value)
    return deployment


def deployment_deleted(owner_agency_id):
    """After a deployment was deleted: its twins may have taken their anchor from it."""
    if owner_agency_id is None:
        return
    models = _Models()
    changed = refresh_anchors([owner_agency_id], models)
    if changed:
        _refresh_deployment_places(Deployment.objects.filter(pk__in=list(changed)), models, _withheld_grid(None))


# --- observations -----------------------------------------------------------------------------


def observation_saved(observation, previous_deployment_id=None):
    """After an observation was created or changed.

    Its agency's individual ID is linked to the catalogue by the same rule as imports
    (catalogue.individual_for_import: the agency's own IDs, a catalogue code, and never a new
    individual for another agency's ID), the individual's first detection moves back if this one
    is earlier, and the deployment (and the one it left, if it moved) is regeneralized by the
    species recorded there.
    """
    species = observation.species
    if observation.individual_local_id and species is not None and species.is_target:
        individual, _how = individual_for_import(
            observation.owner_agency,
            observation.individual_local_id,
            species,
            sex=observation.sex,
            first_detected=observation.event_start.date(),
        )
        # None: another agency's ID or another species' code; left unlinked until a match is confirmed.
        if individual is not None and individual.pk != observation.individual_id:
            Observation.objects.filter(pk=observation.pk).update(individual=individual)
            observation.individual = individual
    if observation.individual_id:
        refresh_first_detected([observation.individual_id])
    observations_changed({observation.deployment_id, previous_deployment_id} - {None})
    return observation


def observations_changed(deployment_ids):
    """After observations were written or deleted: regeneralize their deployments.

    A delete: read the deployment ids first, then delete, then call this.
    """
    deployment_ids = set(deployment_ids) - {None}
    if deployment_ids:
        refresh_location_categories(deployment_ids)


# --- individuals ------------------------------------------------------------------------------


def refresh_first_detected(individual_ids):
    """Move each individual's first detection back to its earliest observation (never forward)."""
    earliest = (
        Observation.objects.filter(individual_id__in=list(individual_ids))
        .values("individual_id")
        .annotate(first=Min("event_start"))
        .values_list("individual_id", "first")
    )
    firsts = {pk: first.date() for pk, first in earliest if first}
    for pk, recorded in Individual.objects.filter(pk__in=list(firsts)).values_list("pk", "first_detected"):
        if recorded is None or firsts[pk] < recorded:
            Individual.objects.filter(pk=pk).update(first_detected=firsts[pk])


# --- snow-track transects ---------------------------------------------------------------------


def refresh_transect_categories(transect_ids=None):
    """Each transect's most restrictive Chapman category of the species tracked on it (0: none)."""
    strictest = (
        TransectTrack.objects.filter(transect=OuterRef("pk"), species__sensitivity_category__gt=0)
        .values("transect")
        .annotate(category=Min("species__sensitivity_category"))
        .values("category")
    )
    transects = SnowTrackTransect.objects.all()
    if transect_ids is not None:
        transects = transects.filter(pk__in=list(transect_ids))
    transects.update(location_category=Coalesce(Subquery(strictest), Value(0)))


def transect_saved(transect):
    """After a transect or its tracks were written: length, protected area, covers-cell flag,
    sensitivity category."""
    geometry = validate_geojson(transect.route, ("LineString",))
    length = Decimal(str(round(geodesic_length_km(geometry), 3)))
    SnowTrackTransect.objects.filter(pk=transect.pk).update(length_km=length)
    _refresh_transect_places(SnowTrackTransect.objects.filter(pk=transect.pk), _Models(), _withheld_grid(None))
    refresh_transect_categories([transect.pk])
    values = SnowTrackTransect.objects.values("protected_area_id", "protected_area_covers_cell", "location_category")
    for field, value in values.get(pk=transect.pk).items():
        setattr(transect, field, value)
    transect.length_km = length
    return transect


def replace_transect_tracks(transect, tracks):
    """Replace the tracks counted on a transect: `tracks` is [{"species": …, "tracks": n, "notes": …}]."""
    transect.tracks.all().delete()
    for track in tracks:  # one by one: tracks are few, and each write goes to the audit log
        TransectTrack.objects.create(transect=transect, **track)
    return transect_saved(transect)
