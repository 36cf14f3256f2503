"""Business rules for protected areas, used by pages, the API and other apps."""

from django.db.models import Q
from shapely.geometry import Point, box, shape
from shapely.prepared import prep

from core.geojson import records_collection
from core.models import AgencyKind

from .models import ProtectedArea

SECRETARIAT_KIND = AgencyKind.SECRETARIAT


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


def eligible_areas_filter(owner_agency):
    """The areas a record of `owner_agency` may be placed in: its owner's own and the secretariat's.

    A derived attribute must not be computed from data the owner did not choose: another agency's
    (possibly hidden, possibly tiny) areas would otherwise be an oracle for the record's point.
    """
    owner_id = getattr(owner_agency, "pk", owner_agency)
    secretariat = Q(owner_agency__kind=SECRETARIAT_KIND)
    return secretariat | Q(owner_agency_id=owner_id) if owner_id is not None else secretariat


class AreaLocator:
    """The protected area holding a point for records of one owner, with the areas loaded once.

    >>> locate = AreaLocator(agency)
    >>> locate(43.1, 131.5)  # a ProtectedArea (own or the secretariat's) or None

    `queryset` is the base set of areas (the migrations pass their historical model's).
    """

    def __init__(self, owner_agency, queryset=None):
        queryset = ProtectedArea.objects.all() if queryset is None else queryset
        areas = (
            queryset.filter(eligible_areas_filter(owner_agency))
            .exclude(boundary=None)
            .only("id", "boundary", "area_km2", "owner_agency_id")
        )
        self.areas = []
        for area in areas.iterator():
            try:
                geometry = shape(area.boundary)
            except (TypeError, ValueError, KeyError, AttributeError):
                continue  # a malformed boundary holds nothing
            self.areas.append((area, prep(geometry)))
        # Where areas overlap, the smallest (most specific) wins; ties by id, so the answer is stable.
        self.areas.sort(key=lambda item: (item[0].area_km2 or 0, str(item[0].pk)))
        self._geometries = {area.pk: geometry for area, geometry in self.areas}

    def __call__(self, latitude, longitude):
        if latitude is None or longitude is None:
            return None
        point = Point(float(longitude), float(latitude))
        for area, geometry in self.areas:
            if geometry.contains(point):
                return area
        return None

    def covers(self, area, south, west, north, east):
        """True when `area` (one this locator found) holds the whole box."""
        geometry = self._geometries.get(area.pk) if area is not None else None
        return geometry is not None and geometry.covers(box(west, south, east, north))


def area_for(owner_agency, latitude, longitude, queryset=None):
    """The protected area holding the point for a record of `owner_agency`, or None.

    Only the owner's own areas and the secretariat's are candidates (see eligible_areas_filter).
    """
    return AreaLocator(owner_agency, queryset=queryset)(latitude, longitude)
