"""Sensitive locations: what each principal may see of a point or a route, computed in SQL where it can."""

from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Floor

from core.access import point_for
from core.geo import GRID_DEGREES
from core.models import GrantScope, Species

from ..models import (
    Deployment,
    Observation,
)

# Deployments, media and observations share one set of points: a precise-location grant on any
# of them reveals the deployment's point, so all of them are treated alike.
LOCATION_MODELS = ("monitoring.deployment", "monitoring.media", "monitoring.observation")


def precise_owner_ids(principal, dataset_types=LOCATION_MODELS):
    """Owners whose camera-trap points `principal` sees exactly (None: all of them)."""
    if principal.is_superuser:
        return None
    if principal.agency is None:
        return set()
    owners = {principal.agency.pk}
    for dataset_type in dataset_types:
        owners |= principal.granting_agency_ids(GrantScope.PRECISE_LOCATIONS, dataset_type)
    return owners


def _grid_expression(column, category_column):
    """SQL: the centre of the grid cell of the record's category (NULL when there is no grid)."""
    whens = []
    for category, step in GRID_DEGREES.items():
        if step is None:
            continue
        whens.append(
            When(
                **{category_column: category},
                then=Floor(F(column) / Value(step)) * Value(step) + Value(step / 2),
            )
        )
    return Case(*whens, default=Value(None), output_field=FloatField())


def annotate_view_location(queryset, principal, prefix=""):
    """Add `view_latitude` / `view_longitude`: what this principal may see, computed in SQL.

    Filters (bounding box) and ordering use these, so a generalized record cannot be narrowed down
    beyond its grid cell. The public gets NULL for sensitive points.
    """
    lat, lon = f"{prefix}latitude", f"{prefix}longitude"
    category = f"{prefix}location_category"
    owners = precise_owner_ids(principal)
    if owners is None:
        return queryset.annotate(view_latitude=F(lat), view_longitude=F(lon))
    exact = Q(**{category: 0}) | Q(**{f"{prefix}owner_agency_id__in": owners})
    if not principal.is_authenticated:
        exact = Q(**{category: 0})
        return queryset.annotate(
            view_latitude=Case(When(exact, then=F(lat)), default=Value(None), output_field=FloatField()),
            view_longitude=Case(When(exact, then=F(lon)), default=Value(None), output_field=FloatField()),
        )
    return queryset.annotate(
        view_latitude=Case(
            When(exact, then=F(lat)), default=_grid_expression(lat, category), output_field=FloatField()
        ),
        view_longitude=Case(
            When(exact, then=F(lon)), default=_grid_expression(lon, category), output_field=FloatField()
        ),
    )


def deployment_location(principal, deployment, owners="unset"):
    """The GeneralizedPoint of a deployment for `principal`, or None (public, sensitive)."""
    if owners == "unset":
        owners = precise_owner_ids(principal)
    precise = owners is None or deployment.owner_agency_id in owners
    point = point_for(principal, deployment.latitude, deployment.longitude, deployment.location_category, precise)
    if point is None:
        return None
    if not point.generalized:
        return point.__class__(point.latitude, point.longitude, None, deployment.coordinate_uncertainty)
    uncertainty = max(point.uncertainty_m, deployment.coordinate_uncertainty or 0)
    return point.__class__(point.latitude, point.longitude, point.grid_degrees, uncertainty)


def transect_location(principal, transect, owners="unset"):
    """(route or None, generalized centre or None) that `principal` may see of a transect."""
    from shapely.geometry import shape

    if owners == "unset":
        owners = precise_owner_ids(principal, ("monitoring.snowtracktransect",))
    category = transect.location_category
    precise = category == 0 or owners is None or transect.owner_agency_id in owners
    if precise:
        return transect.route, None
    # Not precise: no line at all, only its centre on the grid (and nothing for the public).
    centre = shape(transect.route).centroid
    return None, point_for(principal, centre.y, centre.x, category, False)


def refresh_location_categories(deployment_ids=None):
    """Recompute each deployment's most restrictive category from the species recorded there."""
    deployments = Deployment.objects.all()
    if deployment_ids is not None:
        deployments = deployments.filter(pk__in=list(deployment_ids))
    with connection.cursor() as cursor:
        table = Deployment._meta.db_table
        sql = (
            f"UPDATE {table} SET location_category = COALESCE(("
            f" SELECT MIN(s.sensitivity_category) FROM {Observation._meta.db_table} o"
            f" JOIN {Species._meta.db_table} s ON s.id = o.species_id"
            f" WHERE o.deployment_id = {table}.id AND s.sensitivity_category > 0), 0)"
        )
        if deployment_ids is None:
            cursor.execute(sql)
        else:
            prep = Deployment._meta.pk.get_db_prep_value  # UUIDs are hex text on SQLite
            ids = [prep(pk, connection) for pk in deployments.values_list("pk", flat=True)]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"{sql} WHERE {table}.id IN ({placeholders})", chunk)
