"""GPX files from the rangers' GPS units, read into GeoJSON tracks."""

import datetime
import xml.etree.ElementTree as ET

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.geo import validate_geojson

_GPX_POINTS = ("trkpt", "rtept")


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def parse_gpx(data):
    """Read a GPX file (bytes or file) into a GeoJSON LineString plus the first and last time.

    Uses the standard library only; namespaces of GPX 1.0 and 1.1 are both accepted.
    """
    if hasattr(data, "read"):
        data = data.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValidationError(_("The GPX file could not be read: %(error)s") % {"error": exc}, code="gpx") from exc
    if _local(root.tag) != "gpx":
        raise ValidationError(_("This is not a GPX file (the root element is not <gpx>)."), code="gpx")
    coordinates, times = [], []
    for element in root.iter():
        if _local(element.tag) not in _GPX_POINTS:
            continue
        try:
            lat = float(element.attrib["lat"])
            lon = float(element.attrib["lon"])
        except (KeyError, ValueError) as exc:
            raise ValidationError(_("A GPX point has no valid lat/lon."), code="gpx") from exc
        coordinates.append([lon, lat])
        for child in element:
            if _local(child.tag) == "time" and child.text:
                try:
                    times.append(datetime.datetime.fromisoformat(child.text.strip().replace("Z", "+00:00")))
                except ValueError:
                    pass
    if len(coordinates) < 2:
        raise ValidationError(_("The GPX file holds no track with at least two points."), code="gpx")
    track = {"type": "LineString", "coordinates": coordinates}
    validate_geojson(track, ("LineString",))
    return track, (min(times) if times else None), (max(times) if times else None)
