"""Points and tracks for maps and lists (GeoJSON through core.geojson): sensitive points generalized
for whoever may not see them precisely."""

from django.utils.translation import gettext as _
from shapely.geometry import shape

from core.access import point_for as core_point_for
from core.geo import cell_polygon
from core.geojson import collection, feature, records_collection

from ..models import Incident, Patrol, PatrolLeg, Waypoint
from .tracks import coverage, patrol_precise_ids


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
    """Patrol tracks for the map: the line for those who see the patrol precisely; for other
    agencies one polygon per withheld-grid cell with the km patrolled in it (SMART's coverage),
    summed over the patrol's legs; nothing for the public."""
    if not principal.is_authenticated:
        return collection([])
    precise_ids = patrol_precise_ids(principal)
    legs = (
        PatrolLeg.objects.filter(patrol__in=patrols)
        .exclude(track=None)
        .select_related("patrol", "patrol__owner_agency")
        .order_by("patrol__start", "start")
    )
    features, withheld = [], {}
    for leg in legs:
        patrol = leg.patrol
        if precise_ids is None or patrol.owner_agency_id in precise_ids:
            features.append(
                feature(
                    leg.track,
                    name=str(patrol),
                    url=patrol.get_absolute_url(),
                    country=patrol.owner_agency.country,
                    note=f"{patrol.owner_agency.code} · {leg.distance_km} km",
                )
            )
        else:
            withheld.setdefault(patrol.pk, (patrol, []))[1].append(leg.track)
    for patrol, tracks in withheld.values():
        for cell in coverage(principal, tracks):
            features.append(
                feature(
                    cell_polygon(cell["latitude"], cell["longitude"], cell["grid_degrees"]),
                    name=str(patrol),
                    url=patrol.get_absolute_url(),
                    country=patrol.owner_agency.country,
                    note=_("%(agency)s · about %(km)s km patrolled in this %(grid)s° cell (coverage, not the track)")
                    % {"agency": patrol.owner_agency.code, "km": cell["km"], "grid": cell["grid_degrees"]},
                    km=cell["km"],
                    grid_degrees=cell["grid_degrees"],
                    coverage=True,
                )
            )
    return collection(features)


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
            # A date only, never the time of day (services.tracks.shown_time).
            "note": f"{wp.patrol.owner_agency.code} · {wp.time:%Y-%m-%d} · ×{wp.count}",
            "color": "#fd7e14" if wp.incident_type.category == "wildlife" else "#6f42c1",
        },
    )


def geometry_bounds(track):
    return shape(track).bounds if track else None
