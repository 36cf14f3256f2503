"""Geometry helpers: GeoJSON validation, geodesic measures and grid generalization."""

import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyproj import Geod
from shapely.geometry import shape
from shapely.validation import explain_validity

WGS84 = Geod(ellps="WGS84")

# Chapman 2020: grid size in degrees for each sensitivity category (0 = not generalized).
GRID_DEGREES = {0: None, 1: 1.0, 2: 0.1, 3: 0.01, 4: 0.001}
METERS_PER_DEGREE = 111_320


@dataclass(frozen=True)
class GeneralizedPoint:
    latitude: float
    longitude: float
    grid_degrees: float | None  # None: exact
    uncertainty_m: int | None

    @property
    def generalized(self):
        return self.grid_degrees is not None

    @property
    def coordinate_precision(self):
        """Camtrap DP `coordinatePrecision`: the grid size in degrees, or None if exact."""
        return self.grid_degrees

    def as_dict(self):
        return {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "generalized": self.generalized,
            "grid_degrees": self.grid_degrees,
            "uncertainty_m": self.uncertainty_m,
        }


def snap(value, step):
    """The centre of the grid cell of size `step` that holds `value`."""
    cell = math.floor(value / step)
    return round(cell * step + step / 2, 6)


def generalize_point(latitude, longitude, category):
    step = GRID_DEGREES.get(category)
    if step is None:
        return GeneralizedPoint(float(latitude), float(longitude), None, None)
    # Half the cell's diagonal: the farthest the true point can be from the centre.
    half_diagonal = math.hypot(step / 2 * METERS_PER_DEGREE, step / 2 * METERS_PER_DEGREE)
    return GeneralizedPoint(snap(float(latitude), step), snap(float(longitude), step), step, int(round(half_diagonal)))


DEFAULT_MAX_LINE_POINTS = 200_000


def max_line_points():
    """The most positions a line (a patrol track, a transect) may hold: settings.PORTAL_MAX_TRACK_POINTS."""
    from django.conf import settings

    return int(getattr(settings, "PORTAL_MAX_TRACK_POINTS", DEFAULT_MAX_LINE_POINTS))


def check_line_points(count):
    """Refuse a line of more than max_line_points() positions, with a message a user can act on."""
    limit = max_line_points()
    if count > limit:
        raise ValidationError(
            _("The track has more than %(limit)s points; split it into several legs.") % {"limit": f"{limit:,}"},
            code="too_many_points",
        )


def validate_wgs84_point(latitude, longitude):
    if latitude is None or longitude is None:
        return
    if not -90 <= float(latitude) <= 90:
        raise ValidationError(_("Latitude must lie between -90 and 90."), code="latitude")
    if not -180 <= float(longitude) <= 180:
        raise ValidationError(_("Longitude must lie between -180 and 180."), code="longitude")


def _check_positions(coordinates):
    """Every position must be [longitude, latitude] within WGS84 bounds."""
    if isinstance(coordinates, (list, tuple)) and coordinates and isinstance(coordinates[0], (int, float)):
        if len(coordinates) < 2:
            raise ValidationError(_("A position needs a longitude and a latitude."), code="position")
        lon, lat = coordinates[0], coordinates[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                _("Coordinates must be WGS84 longitude, latitude in degrees; got %(lon)s, %(lat)s.")
                % {"lon": lon, "lat": lat},
                code="bounds",
            )
        return
    if not isinstance(coordinates, (list, tuple)):
        raise ValidationError(_("The coordinates are not a list of positions."), code="position")
    for item in coordinates:
        _check_positions(item)


def validate_geojson(value, allowed_types):
    """Validate a GeoJSON geometry dict; return the shapely geometry.

    Refuses the wrong type, out-of-range coordinates and invalid (e.g. self-intersecting) shapes
    with a message a user can act on.
    """
    if not isinstance(value, dict) or "type" not in value or "coordinates" not in value:
        raise ValidationError(_("Expected a GeoJSON geometry object with “type” and “coordinates”."), code="geojson")
    if value["type"] not in allowed_types:
        raise ValidationError(
            _("The geometry must be of type %(allowed)s, not %(type)s.")
            % {"allowed": " / ".join(allowed_types), "type": value["type"]},
            code="geometry_type",
        )
    _check_positions(value["coordinates"])
    try:
        geometry = shape(value)
    except Exception as exc:  # shapely raises several types for malformed input
        raise ValidationError(_("The geometry could not be read: %(error)s") % {"error": exc}, code="geojson") from exc
    if geometry.is_empty:
        raise ValidationError(_("The geometry is empty."), code="empty")
    if not geometry.is_valid and geometry.geom_type in ("LineString", "MultiLineString"):
        # shapely's words ("Too few points in geometry component") mean nothing to a ranger.
        raise ValidationError(
            _("A line needs at least two different points (a GPS unit that stood still records only one)."),
            code="invalid_geometry",
        )
    if not geometry.is_valid:
        raise ValidationError(
            _("The geometry is not valid: %(reason)s") % {"reason": explain_validity(geometry)},
            code="invalid_geometry",
        )
    return geometry


def geodesic_area_km2(geometry):
    area_m2, _perimeter = WGS84.geometry_area_perimeter(geometry)
    return abs(area_m2) / 1_000_000


def geodesic_length_km(geometry):
    return WGS84.geometry_length(geometry) / 1000


def bounds_of(geometries):
    """[[south, west], [north, east]] around GeoJSON geometries, for fitting a map."""
    boxes = [shape(g).bounds for g in geometries if g]
    if not boxes:
        return None
    return [
        [min(b[1] for b in boxes), min(b[0] for b in boxes)],
        [max(b[3] for b in boxes), max(b[2] for b in boxes)],
    ]


def _crossings(start, end, step):
    """The fractions (0..1) along start→end where the value crosses a multiple of `step`."""
    if start == end:
        return []
    low, high = sorted((start, end))
    first, last = math.floor(low / step) + 1, math.ceil(high / step) - 1
    return [(k * step - start) / (end - start) for k in range(first, last + 1)]


def coverage_cells(linestring, step_degrees):
    """Patrol effort per grid cell (SMART's coverage): [(cell centre latitude, longitude, km)].

    Each segment of the GeoJSON LineString (or of each part of a MultiLineString) is split where it crosses a cell boundary (linearly in
    degrees, which is how the grid is drawn) and each piece's geodesic length (WGS84) is added to
    the cell that holds it. Cell centres are those of `generalize_point` at the same step, sorted.
    """
    coordinates = (linestring or {}).get("coordinates") or []
    # A MultiLineString (the segments of a GPS track) counts each part alone: nothing across a gap.
    parts = coordinates if (linestring or {}).get("type") == "MultiLineString" else [coordinates]
    pairs = [pair for part in parts for pair in zip(part, part[1:], strict=False)]
    pieces = []  # (cell, lon1, lat1, lon2, lat2)
    for (lon1, lat1, *_rest1), (lon2, lat2, *_rest2) in pairs:
        lon1, lat1, lon2, lat2 = float(lon1), float(lat1), float(lon2), float(lat2)
        cuts = sorted({0.0, 1.0, *_crossings(lon1, lon2, step_degrees), *_crossings(lat1, lat2, step_degrees)})
        for a, b in zip(cuts, cuts[1:], strict=False):
            if b <= a:
                continue
            mid = (a + b) / 2
            cell = (snap(lat1 + (lat2 - lat1) * mid, step_degrees), snap(lon1 + (lon2 - lon1) * mid, step_degrees))
            pieces.append(
                (
                    cell,
                    lon1 + (lon2 - lon1) * a,
                    lat1 + (lat2 - lat1) * a,
                    lon1 + (lon2 - lon1) * b,
                    lat1 + (lat2 - lat1) * b,
                )
            )
    if not pieces:
        return []
    # One call for every piece: pyproj measures arrays at C speed (tracks have many thousand fixes).
    _az1, _az2, metres = WGS84.inv(
        [p[1] for p in pieces], [p[2] for p in pieces], [p[3] for p in pieces], [p[4] for p in pieces]
    )
    totals = {}
    for piece, length in zip(pieces, metres, strict=True):
        totals[piece[0]] = totals.get(piece[0], 0.0) + float(length) / 1000
    # A fix that lies on a boundary leaves a sliver of float noise in the neighbouring cell.
    return sorted((lat, lon, km) for (lat, lon), km in totals.items() if km >= 1e-6)


def cell_polygon(latitude, longitude, step_degrees):
    """The GeoJSON Polygon of the grid cell centred on (latitude, longitude)."""
    half = step_degrees / 2
    south, north = round(latitude - half, 6), round(latitude + half, 6)
    west, east = round(longitude - half, 6), round(longitude + half, 6)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}
