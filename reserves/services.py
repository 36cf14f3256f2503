"""Business rules for protected areas, used by pages, the API and other apps."""

from shapely.geometry import Point, shape

from core.geojson import records_collection

from .models import ProtectedArea


def protected_areas_geojson(principal, queryset=None):
    """A FeatureCollection of the areas `principal` may see (optionally a filtered subset), for maps."""
    queryset = ProtectedArea.objects.all() if queryset is None else queryset
    return records_collection(
        queryset.visible_to(principal),
        lambda area: area.boundary or None,
        lambda area: {
            "id": str(area.pk),
            "name": area.name,
            "country": area.country,
            "area_km2": float(area.area_km2) if area.area_km2 is not None else None,
            "approximate": area.boundary_is_approximate,
            "url": area.get_absolute_url(),
        },
    )


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
