"""Business rules for protected areas, used by pages, the API and other apps."""

from shapely.geometry import Point, shape

from .models import ProtectedArea


def protected_areas_geojson(principal, queryset=None):
    """A FeatureCollection of the areas `principal` may see (optionally a filtered subset), for maps."""
    features = []
    queryset = ProtectedArea.objects.all() if queryset is None else queryset
    for area in queryset.visible_to(principal):
        if not area.boundary:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": area.boundary,
                "properties": {
                    "id": str(area.pk),
                    "name": area.name,
                    "country": area.country,
                    "area_km2": float(area.area_km2) if area.area_km2 is not None else None,
                    "approximate": area.boundary_is_approximate,
                    "url": area.get_absolute_url(),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def area_containing(latitude, longitude, queryset=None):
    """The protected area whose boundary holds the point, or None (used by deployments, patrols)."""
    point = Point(float(longitude), float(latitude))
    queryset = queryset if queryset is not None else ProtectedArea.objects.exclude(boundary=None)
    candidates = []
    for area in queryset.only("id", "boundary", "area_km2", "name_en"):
        if area.boundary and shape(area.boundary).contains(point):
            candidates.append(area)
    # Where areas overlap, the smallest (most specific) wins.
    candidates.sort(key=lambda a: a.area_km2 or 0)
    return candidates[0] if candidates else None
