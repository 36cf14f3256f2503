"""Fields of the monitoring API that say what the viewer may see of a point (and its schema)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class ViewerCoordinateField(serializers.FloatField):
    """A coordinate as the viewer may see it: required when written, null in an answer to whoever
    may see no location (the public)."""


class ViewerCoordinateFieldSchema(OpenApiSerializerFieldExtension):
    target_class = ViewerCoordinateField

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "number", "format": "double"}
        if direction == "response":
            schema["nullable"] = True
        return schema


class ViewerRouteField(serializers.JSONField):
    """A transect's GeoJSON LineString: null in an answer to whoever sees the transect generalized."""


class ViewerRouteFieldSchema(OpenApiSerializerFieldExtension):
    target_class = ViewerRouteField

    def map_serializer_field(self, auto_schema, direction):
        schema = {
            "type": "object",
            "description": str(_("GeoJSON LineString in WGS84 (longitude, latitude).")),
            "additionalProperties": True,
        }
        if direction == "response":
            schema["nullable"] = True
            schema["description"] += " " + str(
                _("Null when you see the transect generalized (see generalized_centre).")
            )
        return schema


class PointSerializer(serializers.Serializer):
    """A point as the viewer may see it."""

    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    generalized = serializers.BooleanField()
    coordinate_precision = serializers.FloatField(
        allow_null=True, help_text=_("Grid size in degrees when generalized.")
    )
    coordinate_uncertainty_m = serializers.IntegerField(allow_null=True)


def location_dict(point):
    if point is None:
        return None
    return {
        "latitude": round(point.latitude, 6),
        "longitude": round(point.longitude, 6),
        "generalized": point.generalized,
        "coordinate_precision": point.coordinate_precision,
        "coordinate_uncertainty_m": point.uncertainty_m,
    }
