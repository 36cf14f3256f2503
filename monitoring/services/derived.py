"""One write path: the derived fields of deployments, observations, transects and individuals.

Model save() has no side effects. Whatever writes a record (the pages, the API, the admin, the
Camtrap DP importer, the demo) calls the matching `*_saved` / `*_deleted` function here after the
write. Derived fields are written with queryset.update(): they do not bump the record's revision
(its ETag) nor its updated_at, so a client's next If-Match write still matches.
"""

from decimal import Decimal

from django.db.models import Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from core.geo import geodesic_length_km, validate_geojson

from ..models import Deployment, Individual, Observation, SnowTrackTransect, TransectTrack
from .catalogue import individual_for_alias
from .locations import refresh_location_categories

# --- protected areas --------------------------------------------------------------------------


class _Loaded(list):
    """Areas loaded once, handed to reserves.services.area_containing as its queryset."""

    def only(self, *fields):
        return self


class AreaLocator:
    """Finds the protected area holding a point, with the areas loaded once (bulk writes).

    >>> locate = AreaLocator()
    >>> locate(43.1, 131.5)  # a ProtectedArea or None
    """

    def __init__(self):
        from reserves.models import ProtectedArea

        self.areas = _Loaded(ProtectedArea.objects.exclude(boundary=None).only("id", "boundary", "area_km2"))

    def __call__(self, latitude, longitude):
        from reserves.services import area_containing

        if latitude is None or longitude is None:
            return None
        return area_containing(latitude, longitude, queryset=self.areas)


# --- deployments ------------------------------------------------------------------------------


def refresh_deployment_areas(deployments, locate=None):
    """Write each deployment's protected area from its point; returns {pk: area or None}."""
    locate = locate or AreaLocator()
    found = {}
    for deployment in deployments:
        area = locate(deployment.latitude, deployment.longitude)
        found[deployment.pk] = area
        if deployment.protected_area_id != (area.pk if area else None):
            Deployment.objects.filter(pk=deployment.pk).update(protected_area=area)
        deployment.protected_area = area
    return found


def deployment_saved(deployment):
    """After a deployment was created or changed: its protected area and sensitivity category."""
    refresh_deployment_areas([deployment])
    refresh_location_categories([deployment.pk])
    deployment.location_category = Deployment.objects.values_list("location_category", flat=True).get(pk=deployment.pk)
    return deployment


# --- observations -----------------------------------------------------------------------------


def observation_saved(observation, previous_deployment_id=None):
    """After an observation was created or changed.

    Its agency's individual ID is linked to the catalogue (a new ID starts an individual), the
    individual's first detection moves back if this one is earlier, and the deployment (and the
    one it left, if it moved) is regeneralized by the species recorded there.
    """
    species = observation.species
    if observation.individual_local_id and species is not None and species.is_target:
        individual = individual_for_alias(
            observation.owner_agency,
            observation.individual_local_id,
            species,
            sex=observation.sex,
            first_detected=observation.event_start.date(),
        )
        if individual.pk != observation.individual_id:
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
    """After a transect or its tracks were written: length, protected area, sensitivity category."""
    from reserves.services import area_containing

    geometry = validate_geojson(transect.route, ("LineString",))
    centre = geometry.centroid
    length = Decimal(str(round(geodesic_length_km(geometry), 3)))
    area = area_containing(centre.y, centre.x)
    SnowTrackTransect.objects.filter(pk=transect.pk).update(length_km=length, protected_area=area)
    refresh_transect_categories([transect.pk])
    transect.length_km, transect.protected_area = length, area
    transect.location_category = SnowTrackTransect.objects.values_list("location_category", flat=True).get(
        pk=transect.pk
    )
    return transect


def replace_transect_tracks(transect, tracks):
    """Replace the tracks counted on a transect: `tracks` is [{"species": …, "tracks": n, "notes": …}]."""
    transect.tracks.all().delete()
    for track in tracks:  # one by one: tracks are few, and each write goes to the audit log
        TransectTrack.objects.create(transect=transect, **track)
    return transect_saved(transect)
