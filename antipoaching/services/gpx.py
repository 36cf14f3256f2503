"""GPX files from the rangers' GPS units, read into patrol legs (gpxpy).

What a device file holds and how it becomes legs (issue 10):
- every track is its own leg, and its segments stay apart (a MultiLineString): the unit was off
  or lost the signal between them, so no distance is counted across the gap;
- a track is also cut where two fixes lie more than PORTAL_GPX_LEG_GAP_HOURS apart (overnight
  and longer: a file kept on the unit for months is many outings, not one leg of five months);
  no distance is counted across such a cut either;
- routes are planned, not walked: they are read only from a file that holds no track, and
  never joined to a track;
- every time is read the same way: with a zone or `Z`, or without one (GPS units write UTC, so
  a zone-less time is UTC); a time that cannot be read is named in the message;
- a track without times (or with times on only a few fixes) cannot give its leg's start and
  end: the reading says so and the user is asked for them.

The limits come from settings: a file larger than PORTAL_MAX_GPX_MB is refused before it is read,
more fixes than core.geo.max_line_points() after. A file that is not GPX is a translated
ValidationError (a form error, an API 400), never a 500, and no message is the XML parser's.
"""

import codecs
import datetime
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import gpxpy
import gpxpy.gpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.geo import WGS84, check_line_points

_DECLARED_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})[\"']")
_TIME_ELEMENT = re.compile(r"<((?:[A-Za-z_][\w.-]*:)?time)(\s[^>]*)?>([^<]*)</\1\s*>")
# A track counts as timed when at least this share of its fixes carry a time.
TIMED_SHARE = 0.5
DEFAULT_LEG_GAP_HOURS = 8
DEFAULT_MAX_LEGS = 100


def max_gpx_bytes():
    return int(getattr(settings, "PORTAL_MAX_GPX_MB", 5)) * 1024 * 1024


def leg_gap_hours():
    """Fixes further apart than this (hours) start a new leg: the unit was off, the patrol over."""
    return float(getattr(settings, "PORTAL_GPX_LEG_GAP_HOURS", DEFAULT_LEG_GAP_HOURS))


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


@dataclass
class GpxLeg:
    """One leg read from a file: `track` a GeoJSON LineString (one segment) or MultiLineString
    (segments kept apart); `start`/`end` aware UTC datetimes, or None when the file has no times."""

    track: dict
    start: datetime.datetime | None
    end: datetime.datetime | None
    name: str = ""
    kind: str = "track"  # or "route"
    fixes: int = 0
    timed_fixes: int = 0

    @property
    def timed(self):
        return self.start is not None

    @property
    def km(self):
        return geodesic_km(self.track)

    def label(self):
        """How the leg is named to a ranger: its name, its times, its length."""
        parts = [self.name or (_("route") if self.kind == "route" else _("track"))]
        if self.timed:
            parts.append(f"{self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M} UTC")
        else:
            parts.append(_("no times"))
        parts.append(_("%(km).1f km") % {"km": self.km})
        return ", ".join(parts)


@dataclass
class GpxReading:
    legs: list = field(default_factory=list)
    routes_ignored: int = 0  # routes left out because the file holds tracks


def geodesic_km(track):
    """The length on the WGS84 ellipsoid of a LineString or MultiLineString, each part on its own."""
    if not track:
        return 0.0
    if track.get("type") == "MultiLineString":
        parts = track.get("coordinates") or []
    else:
        parts = [track.get("coordinates") or []]
    total = 0.0
    for part in parts:
        if len(part) >= 2:
            lons = [float(p[0]) for p in part]
            lats = [float(p[1]) for p in part]
            total += WGS84.line_length(lons, lats)
    return total / 1000


# --- reading the bytes ------------------------------------------------------------------------------


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
    return declared.group(1).decode("ascii") if declared else "utf-8"


def _decode(data, encoding):
    try:
        text = data.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding)
    except (UnicodeError, LookupError) as exc:
        raise ValidationError(_("The GPX file must be UTF-8 text."), code="gpx") from exc
    # The declaration names the encoding of bytes; the parser is given text.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)


def _check_root(text):
    """The first element must be <gpx>; a damaged file is named as such, not by the parser's words."""
    parser = ET.XMLPullParser(events=("start",))
    try:
        for offset in range(0, len(text), 65536):
            parser.feed(text[offset : offset + 65536])
            for _event, element in parser.read_events():
                if element.tag.rsplit("}", 1)[-1] != "gpx":
                    raise ValidationError(_("This is not a GPX file (it does not start with <gpx>)."), code="gpx")
                break
            else:
                continue
            break
        else:
            parser.close()
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise ValidationError(
            _("The GPX file is damaged or is not a GPX file (it cannot be read past line %(line)s).") % {"line": line},
            code="gpx",
        ) from exc
    if not text.strip():
        raise ValidationError(_("The GPX file is empty."), code="gpx")


# --- times ------------------------------------------------------------------------------------------


def parse_gpx_time(text):
    """A GPX time as an aware UTC datetime. Accepts `Z`, offsets, no zone (taken as UTC, as GPS
    units write it), fractions of any length, a space for `T`, minutes without seconds."""
    value = (text or "").strip()
    if not value:
        return None
    value = value.replace("−", "-")
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    # Python reads at most 6 digits of a fraction.
    value = re.sub(r"(\.\d{6})\d+", r"\1", value)
    moment = datetime.datetime.fromisoformat(value)  # ValueError for what is not a time
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


def _normalize_times(text):
    """Write every <time> in one form (UTC, `Z`) before gpxpy reads the file: gpxpy itself would
    give naive and aware datetimes side by side for a file that mixes the two."""

    def replace(match):
        raw = match.group(3)
        try:
            moment = parse_gpx_time(raw)
        except (ValueError, OverflowError) as exc:
            line = text.count("\n", 0, match.start()) + 1
            raise ValidationError(
                _("The time “%(value)s” on line %(line)s of the GPX file cannot be read.")
                % {"value": raw.strip()[:40], "line": line},
                code="gpx_time",
            ) from exc
        if moment is None:
            return ""
        return f"<{match.group(1)}>{moment:%Y-%m-%dT%H:%M:%S.%f}Z</{match.group(1)}>"

    return _TIME_ELEMENT.sub(replace, text)


def _utc(moment):
    if moment is None:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


# --- positions and legs -----------------------------------------------------------------------------


def _position(point):
    lat, lon = point.latitude, point.longitude
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):  # refuses nan, inf
        raise ValidationError(
            _("A point of the GPX file lies outside the Earth's coordinates (latitude %(lat)s, longitude %(lon)s).")
            % {"lat": lat, "lon": lon},
            code="gpx",
        )
    return [lon, lat]


def _geometry(parts):
    """GeoJSON of the parts with at least two different positions (a unit standing still records
    the same fix again and again; a single fix has no length)."""
    kept = []
    for part in parts:
        line = [p for i, p in enumerate(part) if i == 0 or p != part[i - 1]]
        if len(line) >= 2:
            kept.append(line)
    if not kept:
        return None
    if len(kept) == 1:
        return {"type": "LineString", "coordinates": kept[0]}
    return {"type": "MultiLineString", "coordinates": kept}


def _legs_of(name, kind, segments, gap):
    """Legs of one track (segments: lists of (position, time)). Timed tracks are cut at gaps."""
    fixes = sum(len(s) for s in segments)
    timed = sum(1 for s in segments for _p, t in s if t is not None)
    if fixes == 0:
        return []
    if timed < max(1, math.ceil(fixes * TIMED_SHARE)):
        geometry = _geometry([[p for p, _t in s] for s in segments])
        if geometry is None:
            return []
        return [GpxLeg(geometry, None, None, name, kind, fixes, timed)]
    legs, parts, times, last = [], [], [], None
    count = 0

    def close():
        geometry = _geometry(parts)
        if geometry is not None and times:
            legs.append(GpxLeg(geometry, min(times), max(times), name, kind, count, len(times)))

    for segment in segments:
        parts.append([])
        for position, moment in segment:
            if moment is not None and last is not None and abs(moment - last) > gap:
                close()
                parts, times, count = [[]], [], 0
            parts[-1].append(position)
            count += 1
            if moment is not None:
                times.append(moment)
                last = moment
    close()
    return legs


def read_gpx(data):
    """Read a GPX file (bytes, text or an uploaded file) into a GpxReading: its legs in time order.

    Raises a translated ValidationError for a file that cannot be used at all.
    """
    data = _read_bytes(data)
    encoding = _check_markup(data)
    text = _decode(data, encoding)
    _check_root(text)
    text = _normalize_times(text)
    try:
        document = gpxpy.parse(text)
    except gpxpy.gpx.GPXException as exc:
        raise ValidationError(
            _("The GPX file could not be read: a value in it is not what GPX allows (%(detail)s).")
            % {"detail": str(exc).split(":")[0][:80]},
            code="gpx",
        ) from exc
    except (ValueError, TypeError, OverflowError, ET.ParseError) as exc:
        raise ValidationError(
            _("The GPX file could not be read: a value in it is not what GPX allows."), code="gpx"
        ) from exc

    total = sum(len(s.points) for t in document.tracks for s in t.segments) + sum(
        len(r.points) for r in document.routes
    )
    check_line_points(total)
    gap = datetime.timedelta(hours=leg_gap_hours())
    reading = GpxReading()
    for track in document.tracks:
        segments = [[(_position(p), _utc(p.time)) for p in s.points] for s in track.segments]
        reading.legs.extend(_legs_of((track.name or "").strip(), "track", segments, gap))
    if reading.legs:
        reading.routes_ignored = sum(1 for r in document.routes if len(r.points) >= 2)
    else:
        for route in document.routes:
            segments = [[(_position(p), _utc(p.time)) for p in route.points]]
            reading.legs.extend(_legs_of((route.name or "").strip(), "route", segments, gap))
    if not reading.legs:
        raise ValidationError(
            _(
                "The GPX file holds no track or route with at least two different points "
                "(waypoints alone are not a patrol leg)."
            ),
            code="gpx_empty",
        )
    limit = int(getattr(settings, "PORTAL_GPX_MAX_LEGS", DEFAULT_MAX_LEGS))
    if len(reading.legs) > limit:
        raise ValidationError(
            _(
                "The GPX file holds %(count)s separate outings (tracks, or recordings more than %(hours)s hours "
                "apart); at most %(limit)s can be read at once. Export one patrol from the GPS unit."
            )
            % {"count": len(reading.legs), "hours": f"{leg_gap_hours():g}", "limit": limit},
            code="gpx_legs",
        )
    far_future = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    reading.legs.sort(key=lambda leg: leg.start or far_future)
    return reading


def legs_for(reading, start=None, end=None):
    """The legs to save from `reading`, as GpxLeg with times, given the start and end the user
    typed (None if not). One leg read: the user's times win. Several: each timed leg keeps its own
    times, and the legs without times are one leg over the user's period (their hours cannot be
    told apart). A leg without times and no times given asks for them, saying why."""
    legs = list(reading.legs)
    if len(legs) == 1:
        leg = legs[0]
        return [_with_times(leg, start or leg.start, end or leg.end)]
    timed = [leg for leg in legs if leg.timed]
    untimed = [leg for leg in legs if not leg.timed]
    result = list(timed)
    if untimed:
        parts = []
        for leg in untimed:
            coords = leg.track["coordinates"]
            parts.extend(coords if leg.track["type"] == "MultiLineString" else [coords])
        merged = GpxLeg(
            {"type": "MultiLineString", "coordinates": parts}
            if len(parts) > 1
            else {"type": "LineString", "coordinates": parts[0]},
            None,
            None,
            ", ".join(leg.name for leg in untimed if leg.name),
            untimed[0].kind,
            sum(leg.fixes for leg in untimed),
        )
        result.append(_with_times(merged, start, end))
    return result


def _with_times(leg, start, end):
    if start is None or end is None:
        if leg.fixes and leg.timed_fixes:
            reason = ngettext(
                "only %(timed)s of its %(fixes)s fix has a time",
                "only %(timed)s of its %(fixes)s fixes have a time",
                leg.fixes,
            ) % {"timed": leg.timed_fixes, "fixes": leg.fixes}
        else:
            reason = _("the GPS unit saved it without times (a route, or a track exported without them)")
        message = _("The GPX file cannot tell when this leg was walked: %(reason)s. Give its start and end.") % {
            "reason": reason
        }
        errors = {}
        if start is None:
            errors["start"] = message
        if end is None:
            errors["end"] = message
        raise ValidationError(errors, code="gpx_times")
    return GpxLeg(leg.track, start, end, leg.name, leg.kind, leg.fixes, leg.timed_fixes)


def parse_gpx(data):
    """(track, first time, last time) of a file that holds one leg — kept for callers that take one
    line. A file of several legs is refused here, naming them; read_gpx gives them all."""
    reading = read_gpx(data)
    if len(reading.legs) > 1:
        raise ValidationError(several_legs_message(reading), code="gpx_legs")
    leg = reading.legs[0]
    return leg.track, leg.start, leg.end


def several_legs_message(reading):
    listing = "; ".join(f"{n}: {leg.label()}" for n, leg in enumerate(reading.legs, 1))
    return _(
        "This GPX file holds %(count)s legs (separate tracks, or recordings more than %(hours)s hours apart): "
        "%(legs)s. Choose one with gpx_leg (1–%(count)s), or add the file on the patrol's page, which saves every leg."
    ) % {"count": len(reading.legs), "hours": f"{leg_gap_hours():g}", "legs": listing}
