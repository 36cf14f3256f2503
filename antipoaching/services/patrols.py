"""Patrols, legs and waypoints: the one write path and the derived effort (SMART's measures).

Every writer (API, pages, admin, demo, importers) saves through these functions. The effort
fields of a patrol are derived from its own times and team and from its legs; they are written
with a queryset update so that a change to a leg or a waypoint does not bump the patrol's
revision (its ETag): a client holding the patrol's ETag can still write it.
"""

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from core.geo import geodesic_length_km, validate_geojson

from ..models import Patrol, PatrolLeg
from ..models.patrols import TRACK_TYPES

EFFORT_FIELDS = ("team_size", "distance_km", "hours", "patrol_days", "person_days")


def _km(value):
    return Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def leg_distance_km(track):
    """Geodesic length on the WGS84 ellipsoid, in km, of a GeoJSON LineString or of the parts of a
    MultiLineString each on its own (the segments of a GPS track: no distance across a gap)."""
    if not track:
        return Decimal("0.000")
    geometry = validate_geojson(track, TRACK_TYPES)
    return _km(geodesic_length_km(geometry))


def team_names(patrol):
    names = [patrol.leader] + [m for m in (patrol.members or []) if isinstance(m, str)]
    return {n.strip().casefold() for n in names if n and n.strip()}


def patrol_days_between(start, end, tz_name="UTC"):
    """Calendar days a patrol covered, in the agency's time zone (SMART: a day with patrolling)."""
    if not start or not end or end < start:
        return 0
    tz = zoneinfo.ZoneInfo(tz_name)
    return (end.astimezone(tz).date() - start.astimezone(tz).date()).days + 1


def patrol_effort(patrol):
    """The derived effort of `patrol` as {field: value}, from its team, its times and its saved legs."""
    team_size = max(len(team_names(patrol)), 1)
    tz_name = patrol.owner_agency.effective_timezone if patrol.owner_agency_id else "UTC"
    legs = list(PatrolLeg.objects.filter(patrol_id=patrol.pk).only("start", "end", "distance_km")) if patrol.pk else []
    if legs:
        distance = _km(sum((leg.distance_km for leg in legs), Decimal(0)))
        hours = sum(max((leg.end - leg.start).total_seconds(), 0) for leg in legs) / 3600
        tz = zoneinfo.ZoneInfo(tz_name)
        days = set()
        for leg in legs:
            day = leg.start.astimezone(tz).date()
            while day <= leg.end.astimezone(tz).date():
                days.add(day)
                day += datetime.timedelta(days=1)
        patrol_days = len(days)
    else:
        distance = Decimal("0.000")
        hours = max((patrol.end - patrol.start).total_seconds(), 0) / 3600 if patrol.start and patrol.end else 0
        patrol_days = patrol_days_between(patrol.start, patrol.end, tz_name)
    return {
        "team_size": team_size,
        "distance_km": distance,
        "hours": Decimal(str(hours)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        "patrol_days": patrol_days,
        "person_days": patrol_days * team_size,
    }


def apply_patrol_effort(patrol):
    """Fill the derived effort fields of `patrol` in memory (not saved here)."""
    for name, value in patrol_effort(patrol).items():
        setattr(patrol, name, value)
    return patrol


def refresh_effort(patrol):
    """Recompute the effort of a saved patrol and write only those fields (revision untouched).

    Call it after anything the effort depends on changed: a leg, or the patrol itself when it
    was saved by a path that did not fill the effort first (a serializer, a bulk import).
    """
    pk = patrol.pk if isinstance(patrol, Patrol) else patrol
    current = Patrol.objects.select_related("owner_agency").get(pk=pk)
    effort = patrol_effort(current)
    Patrol.objects.filter(pk=pk).update(**effort)
    target = patrol if isinstance(patrol, Patrol) else current
    for name, value in effort.items():
        setattr(target, name, value)
    return target


# Kept for callers of the old name (tasks, scripts).
recompute_effort = refresh_effort


def save_patrol(patrol, **save_kwargs):
    """Create or update a patrol with its effort filled in (one write)."""
    apply_patrol_effort(patrol)
    patrol.save(**save_kwargs)
    return patrol


@transaction.atomic
def save_leg(leg):
    """Create or update a leg: its distance from the track, then the patrol's effort."""
    leg.distance_km = leg_distance_km(leg.track)
    leg.save()
    refresh_effort(leg.patrol_id)
    return leg


@transaction.atomic
def save_leg_with_gpx(leg, gpx_file, principal):
    """Save a leg read from a GPX file and keep the file as its attachment (core.documents)."""
    from core.documents import attach

    save_leg(leg)
    if gpx_file is not None:
        gpx_file.seek(0)
        attach(leg, gpx_file, principal, role="gpx")
    return leg


@transaction.atomic
def delete_leg(leg):
    patrol_id = leg.patrol_id
    leg.delete()
    refresh_effort(patrol_id)


@transaction.atomic
def save_waypoint(waypoint):
    """Create or update a waypoint. The patrol row is not written: observations are not effort."""
    waypoint.save()
    return waypoint


@transaction.atomic
def delete_waypoint(waypoint):
    waypoint.delete()


@transaction.atomic
def delete_patrol(patrol):
    patrol.delete()


def save_child(instance):
    """Save a leg or a waypoint through its service (for generic callers: API viewsets, admin)."""
    return save_leg(instance) if isinstance(instance, PatrolLeg) else save_waypoint(instance)


def delete_child(instance):
    return delete_leg(instance) if isinstance(instance, PatrolLeg) else delete_waypoint(instance)
