"""GeoJSON for maps and exports: one way to build features, so every map says the same thing.

Points of sensitive records arrive here already as `core.geo.GeneralizedPoint` (from
`core.access.location_for` or an app's list-path equivalent); this module never sees a raw
coordinate it could leak, and it states a generalization the same way on every map.
"""

from django.utils.translation import gettext as _

__all__ = ["collection", "feature", "generalization_note", "point_feature", "records_collection"]

# Decimal places kept for exact points: about 0.1 m, more than any GPS unit in the field gives.
EXACT_DIGITS = 6


def feature(geometry, **properties):
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def collection(features):
    return {"type": "FeatureCollection", "features": list(features)}


def generalization_note(point):
    """The sentence every map shows beside a generalized point ('' for an exact one)."""
    if point is None or not point.generalized:
        return ""
    return _("Location withheld: shown on a %(grid)s° grid.") % {"grid": point.grid_degrees}


def point_feature(point, *, note="", **properties):
    """A Point feature for a GeneralizedPoint, marked generalized or exact, with its uncertainty."""
    digits = EXACT_DIGITS
    coordinates = [round(point.longitude, digits), round(point.latitude, digits)]
    extra = generalization_note(point)
    return feature(
        {"type": "Point", "coordinates": coordinates},
        **properties,
        note=" · ".join(part for part in (note, extra) if part),
        generalized=point.generalized,
        grid_degrees=point.grid_degrees,
        uncertainty_m=point.uncertainty_m,
    )


def records_collection(records, geometry_of, properties_of):
    """A FeatureCollection of `records`; `geometry_of(record)` may return None to leave one out.

    `geometry_of` returns either a GeoJSON geometry (shown as recorded: tracks, boundaries) or a
    GeneralizedPoint (shown through point_feature).
    """
    from core.geo import GeneralizedPoint

    features = []
    for record in records:
        geometry = geometry_of(record)
        if geometry is None:
            continue
        properties = properties_of(record)
        if isinstance(geometry, GeneralizedPoint):
            features.append(point_feature(geometry, **properties))
        else:
            features.append(feature(geometry, **properties))
    return collection(features)
