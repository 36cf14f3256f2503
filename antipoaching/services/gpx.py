"""GPX files from the rangers' GPS units, read into GeoJSON tracks.

The limits come from settings: a file larger than PORTAL_MAX_GPX_MB is refused before it is
read, a track of more fixes than core.geo.max_line_points() while it is read. A file that is not
GPX, or not well-formed, is a translated ValidationError (a form error, an API 400), never a 500.
"""

import codecs
import datetime
import re
import xml.etree.ElementTree as ET

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.geo import check_line_points, max_line_points, validate_geojson

_GPX_POINTS = ("trkpt", "rtept")
_DECLARED_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})[\"']")


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def max_gpx_bytes():
    return int(getattr(settings, "PORTAL_MAX_GPX_MB", 5)) * 1024 * 1024


def check_gpx_size(size):
    """Refuse a GPX file larger than settings.PORTAL_MAX_GPX_MB (before anything reads it)."""
    limit_mb = int(getattr(settings, "PORTAL_MAX_GPX_MB", 5))
    if size is not None and size > max_gpx_bytes():
        raise ValidationError(
            _(
                "The GPX file is too large (%(size).1f MB); the limit is %(limit)s MB. Split the track into several legs."
            )
            % {"size": size / 1024 / 1024, "limit": limit_mb},
            code="gpx_size",
        )


def _read_bytes(data):
    if hasattr(data, "read"):
        check_gpx_size(getattr(data, "size", None))
        if hasattr(data, "seek"):
            data.seek(0)
        data = data.read(max_gpx_bytes() + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    check_gpx_size(len(data))
    return data


def _time(text):
    try:
        value = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, TypeError):
        return None
    # A GPS unit writes UTC; a time without a zone is taken as UTC (never naive next to aware).
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


def parse_gpx(data):
    """Read a GPX file (bytes or file) into a GeoJSON LineString plus the first and last time.

    Uses the standard library only; namespaces of GPX 1.0 and 1.1 are both accepted. A document
    type (and so any entity) is refused: GPX never needs one, and entities expand without bound.
    """
    data = _read_bytes(data)
    _check_markup(data)
    coordinates, times = [], []
    limit = max_line_points()
    parser = ET.XMLPullParser(events=("start", "end"))
    root_seen = False
    try:
        for offset in range(0, len(data), 65536):
            parser.feed(data[offset : offset + 65536])
            for event, element in parser.read_events():
                if event == "start":
                    if not root_seen:
                        root_seen = True
                        if _local(element.tag) != "gpx":
                            raise ValidationError(
                                _("This is not a GPX file (the root element is not <gpx>)."), code="gpx"
                            )
                    continue
                if _local(element.tag) not in _GPX_POINTS:
                    continue
                coordinates.append(_position(element))
                if len(coordinates) > limit:
                    check_line_points(len(coordinates))  # stops reading at the first fix too many
                for child in element:
                    if _local(child.tag) == "time" and child.text:
                        moment = _time(child.text)
                        if moment is not None:
                            times.append(moment)
                element.clear()  # the fixes read so far are not kept as a tree
        parser.close()
    except (ET.ParseError, ValueError, LookupError, UnicodeError) as exc:
        raise ValidationError(_("The GPX file could not be read: %(error)s") % {"error": exc}, code="gpx") from exc
    if not root_seen:
        raise ValidationError(_("This is not a GPX file (the root element is not <gpx>)."), code="gpx")
    if len(coordinates) < 2:
        raise ValidationError(_("The GPX file holds no track with at least two points."), code="gpx")
    track = {"type": "LineString", "coordinates": coordinates}
    validate_geojson(track, ("LineString",))
    return track, (min(times) if times else None), (max(times) if times else None)


def _ascii_compatible(name):
    try:
        codec = codecs.lookup(name.decode("ascii"))
    except (LookupError, UnicodeError):
        return False
    sample = "<!DOCTYPE <!ENTITY"
    try:
        return sample.encode(codec.name) == sample.encode("ascii")
    except (UnicodeError, LookupError):
        return False


def _check_markup(data):
    """Refuse what GPX never needs and a parser should not be given: a document type (entities
    expand without bound) and encodings in which that check could be dodged (UTF-16, EBCDIC)."""
    head = data[:4]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise ValidationError(_("The GPX file must be UTF-8 text."), code="gpx")
    declared = _DECLARED_ENCODING.match(data[:200])
    if declared and not _ascii_compatible(declared.group(1)):
        raise ValidationError(_("The GPX file must be UTF-8 text."), code="gpx")
    lowered = data.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise ValidationError(_("The GPX file may not declare a document type or entities."), code="gpx")


def _position(element):
    try:
        lat = float(element.attrib["lat"])
        lon = float(element.attrib["lon"])
    except (KeyError, ValueError, TypeError) as exc:
        raise ValidationError(_("A GPX point has no valid lat/lon."), code="gpx") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also refuses nan and infinity
        raise ValidationError(
            _("A GPX point lies outside WGS84 (latitude %(lat)s, longitude %(lon)s).") % {"lat": lat, "lon": lon},
            code="gpx",
        )
    return [lon, lat]
