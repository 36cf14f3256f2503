"""What a viewer may see of a patrol's line and of the times of its observations (issue 9).

A patrol track leads to everything the rangers found on it: other agencies (without a
precise-locations grant on patrols) get the effort per cell of the withheld grid (SMART's coverage
report), never the line, its first or last fix, or the GPX file; the public gets neither.
A waypoint shown generalized keeps only its date: with fixes at a regular interval, its time of
day would pick the vertex of the track it was recorded at.

Every path (API, pages, maps, exports) asks these functions.
"""

import zoneinfo

from django.db.models import Q

from core.access import withheld_grid_degrees
from core.geo import METERS_PER_DEGREE, coverage_cells

from ..models import Patrol

# Coverage is given in whole kilometres (at least one per visited cell): the length of the line
# inside each cell, to the metre, would let a straight track be drawn back from its chords.
COVERAGE_KM_STEP = 1


def patrol_precise_ids(principal):
    """The owners whose patrols (lines, GPX files, waypoint times) `principal` sees precisely;
    None for all (superuser). Computed once per request by list paths."""
    return principal.precise_owner_ids(Patrol)


def sees_track(principal, owner_id, precise_ids=None):
    """May `principal` see the line of a patrol of `owner_id`? (`precise_ids` from patrol_precise_ids.)"""
    if precise_ids is None and not principal.is_superuser:
        precise_ids = patrol_precise_ids(principal)
    return precise_ids is None or owner_id in precise_ids


def _rounded_km(km):
    return max(COVERAGE_KM_STEP, round(km / COVERAGE_KM_STEP) * COVERAGE_KM_STEP)


def coverage(principal, tracks):
    """Effort per withheld-grid cell of the GeoJSON LineStrings `tracks`, for `principal`:
    [{"latitude", "longitude", "grid_degrees", "km"}] (cell centres), [] for the public."""
    if not principal.is_authenticated:
        return []
    step = withheld_grid_degrees(principal)
    totals = {}
    for track in tracks:
        if not track:
            continue
        for latitude, longitude, km in coverage_cells(track, step):
            totals[(latitude, longitude)] = totals.get((latitude, longitude), 0.0) + km
    return [
        {"latitude": lat, "longitude": lon, "grid_degrees": step, "km": _rounded_km(km)}
        for (lat, lon), km in sorted(totals.items())
    ]


def leg_track(principal, leg, precise_ids=None):
    """(track, coverage) of `leg` for `principal`: the line and None for precise viewers, None and
    the coverage cells for other agencies, None and None for the public."""
    if sees_track(principal, leg.patrol.owner_agency_id, precise_ids):
        return leg.track, None
    if not principal.is_authenticated:
        return None, None
    return None, coverage(principal, [leg.track])


def patrol_coverage(principal, patrol, precise_ids=None):
    """The coverage of all legs of `patrol` for a viewer who may not see its line; None for
    precise viewers (they have the tracks) and for the public."""
    if not principal.is_authenticated or sees_track(principal, patrol.owner_agency_id, precise_ids):
        return None
    return coverage(principal, [leg.track for leg in patrol.legs.all()])


def time_withheld(point):
    """True when a waypoint whose point is shown as `point` may be given only its date."""
    return point is None or point.generalized


def local_date(waypoint):
    """The date of `waypoint` in its owning agency's time zone (the zone of its patrol days)."""
    agency = waypoint.patrol.owner_agency
    timezone_name = agency.effective_timezone if agency is not None else "UTC"
    return waypoint.time.astimezone(zoneinfo.ZoneInfo(timezone_name)).date()


def shown_time(waypoint, point):
    """The time of `waypoint` as a viewer is given it: exact when its point is shown exactly,
    else only the date."""
    return local_date(waypoint) if time_withheld(point) else waypoint.time


def _agency_zone(patrol):
    agency = patrol.owner_agency
    return zoneinfo.ZoneInfo(agency.effective_timezone if agency is not None else "UTC")


def shown_leg_times(principal, leg, precise_ids=None):
    """(start, end, start date, end date, withheld) of `leg` for `principal`. A leg's start and end
    are its first and last fixes: with the coverage cells and a regular fix interval they would
    place the line's ends, so those who may not see the line get the dates only (the agency's zone)."""
    zone = _agency_zone(leg.patrol)
    dates = (leg.start.astimezone(zone).date(), leg.end.astimezone(zone).date())
    if sees_track(principal, leg.patrol.owner_agency_id, precise_ids):
        return leg.start, leg.end, *dates, False
    return None, None, *dates, True


# --- the protected area of a withheld patrol or a generalized incident ----------------------------


class AreaRule:
    """Which protected area a record may name for `principal` (one per request: the visible
    areas are read once).

    For those who see the record precisely, its area as recorded. For others only an area they
    may see and no smaller than about one cell of the withheld grid: a small area (any agency may
    draw one) would place the line or the point more finely than the grid (issue 9).
    """

    def __init__(self, principal):
        self.principal = principal
        self._allowed = None

    @property
    def min_km2(self):
        step = withheld_grid_degrees(self.principal)
        # Half of a cell at the equator: every cell south of 60° N is larger.
        return (step * METERS_PER_DEGREE / 1000) ** 2 / 2

    def allowed_ids(self):
        """The areas a withheld record may name for this principal."""
        if self._allowed is None:
            from reserves.models import ProtectedArea

            if not self.principal.is_authenticated:
                self._allowed = set()
            else:
                visible = ProtectedArea.objects.visible_to(self.principal)
                self._allowed = set(visible.filter(area_km2__gte=self.min_km2).values_list("pk", flat=True))
        return self._allowed

    def shown_id(self, area_id, precise):
        if area_id is None or precise:
            return area_id
        return area_id if area_id in self.allowed_ids() else None

    def shown(self, area, precise):
        """The area object itself, or None."""
        if area is None:
            return None
        return area if self.shown_id(area.pk, precise) is not None else None

    def filter_q(self, area_id, precise_q):
        """Q for "records naming `area_id` as this principal is shown them" (`precise_q`: the
        records the principal sees precisely)."""
        condition = Q(protected_area_id=area_id)
        if area_id in self.allowed_ids():
            return condition
        return condition & precise_q


def patrol_precise_q(principal):
    """Q for the patrols whose line `principal` sees."""
    ids = patrol_precise_ids(principal)
    return Q() if ids is None else Q(owner_agency_id__in=ids)


def incident_precise_q(principal):
    """Q for the incidents whose point `principal` sees exactly (core.access.point_for: precise
    owners, or no sensitive species on the record)."""
    from ..models import Incident

    ids = principal.precise_owner_ids(Incident)
    if ids is None:
        return Q()
    not_sensitive = (Q(incident_type__species__isnull=True) | Q(incident_type__species__sensitivity_category=0)) & (
        Q(species__isnull=True) | Q(species__sensitivity_category=0)
    )
    return Q(owner_agency_id__in=ids) | not_sensitive


def waypoint_precise_q(principal):
    """Q for the waypoints whose point (and so time) `principal` sees exactly (core.access.point_for:
    precise owners, or an observation of no sensitive species)."""
    ids = patrol_precise_ids(principal)
    if ids is None:
        return Q()
    not_sensitive = Q(incident_type__species__isnull=True) | Q(incident_type__species__sensitivity_category=0)
    return Q(patrol__owner_agency_id__in=ids) | not_sensitive
