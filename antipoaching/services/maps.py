"""Points and tracks for maps and lists: sensitive points generalized for whoever may not see them precisely."""

from django.utils.translation import gettext as _
from shapely.geometry import shape

from core.geo import generalize_point

from ..models import Incident, Patrol, PatrolLeg, Waypoint


def point_for(principal, owner_id, latitude, longitude, category, precise_ids):
    """Like core.access.location_for, for list paths: `precise_ids` from principal.precise_owner_ids()."""
    if latitude is None or longitude is None:
        return None
    precise = category == 0 or precise_ids is None or owner_id in precise_ids
    if not precise and not principal.is_authenticated:
        return None
    return generalize_point(latitude, longitude, 0 if precise else category)


def visible_patrols(principal):
    return Patrol.objects.visible_to(principal)


def visible_waypoints(principal):
    return Waypoint.objects.filter(patrol__in=Patrol.objects.visible_to(principal).values("pk"))


def track_feature_collection(principal, patrols):
    """Patrol tracks for the map. Tracks are effort, not animal locations: shown as recorded."""
    features = []
    for leg in (
        PatrolLeg.objects.filter(patrol__in=patrols)
        .exclude(track=None)
        .select_related("patrol", "patrol__owner_agency")
    ):
        features.append(
            {
                "type": "Feature",
                "geometry": leg.track,
                "properties": {
                    "name": str(leg.patrol),
                    "url": leg.patrol.get_absolute_url(),
                    "country": leg.patrol.owner_agency.country,
                    "note": f"{leg.patrol.owner_agency.code} · {leg.distance_km} km",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _point_feature(point, properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [point.longitude, point.latitude]},
        "properties": {**properties, "generalized": point.generalized, "grid_degrees": point.grid_degrees},
    }


def incident_feature_collection(principal, incidents):
    precise_ids = principal.precise_owner_ids(Incident)
    features = []
    for incident in incidents.exclude(latitude=None).select_related(
        "owner_agency", "incident_type__species", "species"
    ):
        point = point_for(
            principal,
            incident.owner_agency_id,
            incident.latitude,
            incident.longitude,
            incident.sensitivity_category,
            precise_ids,
        )
        if point is None:
            continue
        note = f"{incident.owner_agency.code} · {incident.occurred_on:%Y-%m-%d}"
        if point.generalized:
            note += " · " + _("location generalized to a %(grid)s° grid") % {"grid": point.grid_degrees}
        features.append(
            _point_feature(
                point, {"name": str(incident), "url": incident.get_absolute_url(), "note": note, "color": "#dc3545"}
            )
        )
    return {"type": "FeatureCollection", "features": features}


def waypoint_feature_collection(principal, waypoints):
    precise_ids = principal.precise_owner_ids(Patrol)
    features = []
    for wp in waypoints.select_related("patrol__owner_agency", "incident_type__species"):
        point = point_for(
            principal,
            wp.patrol.owner_agency_id,
            wp.latitude,
            wp.longitude,
            wp.incident_type.sensitivity_category,
            precise_ids,
        )
        if point is None:
            continue
        note = f"{wp.patrol.owner_agency.code} · {wp.time:%Y-%m-%d} · ×{wp.count}"
        if point.generalized:
            note += " · " + _("location generalized to a %(grid)s° grid") % {"grid": point.grid_degrees}
        color = "#fd7e14" if wp.incident_type.category == "wildlife" else "#6f42c1"
        features.append(
            _point_feature(
                point,
                {"name": str(wp.incident_type), "url": wp.patrol.get_absolute_url(), "note": note, "color": color},
            )
        )
    return {"type": "FeatureCollection", "features": features}


def geometry_bounds(track):
    return shape(track).bounds if track else None
