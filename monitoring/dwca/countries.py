"""The country of a point from the borders the portal ships (static/core/geo/basemap.geojson).

For a point seen exactly: the country polygon that holds it. For a point on the withheld grid:
a country only when the whole cell lies in one, so the code never says on which side of a
border the camera stands (finer than the cell) and is never a guess. Outside the shipped
borders (China, Russia, DPRK): no code, rather than the owning agency's.
"""

import json
from functools import cache
from pathlib import Path

from django.conf import settings

BASEMAP = Path("core") / "geo" / "basemap.geojson"


def _basemap_path():
    for root in [*getattr(settings, "STATICFILES_DIRS", []), Path(settings.BASE_DIR) / "static"]:
        candidate = Path(root) / BASEMAP
        if candidate.exists():
            return candidate
    return None


@cache
def countries():
    """[(ISO 3166-1 alpha-2 code, prepared shapely geometry)] of the shipped borders."""
    from shapely import prepare
    from shapely.geometry import shape

    path = _basemap_path()
    if path is None:
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        if props.get("kind") == "country" and props.get("code"):
            geometry = shape(feature["geometry"])
            prepare(geometry)
            out.append((str(props["code"]), geometry))
    return out


def country_code(latitude, longitude, cell_degrees=None):
    """ISO code of the country holding the point, or of the whole cell around it; "" if none."""
    from shapely.geometry import Point, box

    if latitude is None or longitude is None:
        return ""
    if cell_degrees:
        half = cell_degrees / 2
        area = box(longitude - half, latitude - half, longitude + half, latitude + half)
        for code, geometry in countries():
            if geometry.contains(area):
                return code
        return ""
    point = Point(longitude, latitude)
    for code, geometry in countries():
        if geometry.covers(point):
            return code
    return ""
