"""Points and tracks for maps and lists (GeoJSON through core.geojson): sensitive points generalized
for whoever may not see them precisely."""

from shapely.geometry import shape

from core.access import point_for as core_point_for
from core.geojson import records_collection

from ..models import Incident, Patrol, PatrolLeg, Waypoint


def point_for(principal, owner_id, latitude, longitude, category, precise_ids):
    """core.access.point_for for list paths: `precise_ids` from principal.precise_owner_ids()."""
    return core_point_for(principal, latitude, longitude, category, precise_ids is None or owner_id in precise_ids)


def incident_point(principal, incident, precise_ids):
    """What `principal` may see of an incident's point (list paths pass precise_owner_ids once)."""
    return point_for(
        principal,
        incident.owner_agency_id,
        incident.latitude,
        incident.longitude,
        incident.sensitivity_category,
        precise_ids,
    )


def visible_patrols(principal):
    return Patrol.objects.visible_to(principal)


def visible_waypoints(principal):
    return Waypoint.objects.filter(patrol__in=Patrol.objects.visible_to(principal).values("pk"))


def track_feature_collection(principal, patrols):
    """Patrol tracks for the map. Tracks are effort, not animal locations: shown as recorded."""
    legs = (
        PatrolLeg.objects.filter(patrol__in=patrols)
        .exclude(track=None)
        .select_related("patrol", "patrol__owner_agency")
    )
    return records_collection(
        legs,
        lambda leg: leg.track,
        lambda leg: {
            "name": str(leg.patrol),
            "url": leg.patrol.get_absolute_url(),
            "country": leg.patrol.owner_agency.country,
            "note": f"{leg.patrol.owner_agency.code} · {leg.distance_km} km",
        },
    )


def incident_feature_collection(principal, incidents):
    precise_ids = principal.precise_owner_ids(Incident)
    return records_collection(
        incidents.exclude(latitude=None).select_related("owner_agency", "incident_type__species", "species"),
        lambda incident: incident_point(principal, incident, precise_ids),
        lambda incident: {
            "name": str(incident),
            "url": incident.get_absolute_url(),
            "note": f"{incident.owner_agency.code} · {incident.occurred_on:%Y-%m-%d}",
            "color": "#dc3545",
        },
    )


def waypoint_feature_collection(principal, waypoints):
    precise_ids = principal.precise_owner_ids(Patrol)
    return records_collection(
        waypoints.select_related("patrol__owner_agency", "incident_type__species"),
        lambda wp: point_for(
            principal,
            wp.patrol.owner_agency_id,
            wp.latitude,
            wp.longitude,
            wp.incident_type.sensitivity_category,
            precise_ids,
        ),
        lambda wp: {
            "name": str(wp.incident_type),
            "url": wp.patrol.get_absolute_url(),
            "note": f"{wp.patrol.owner_agency.code} · {wp.time:%Y-%m-%d} · ×{wp.count}",
            "color": "#fd7e14" if wp.incident_type.category == "wildlife" else "#6f42c1",
        },
    )


def geometry_bounds(track):
    return shape(track).bounds if track else None
