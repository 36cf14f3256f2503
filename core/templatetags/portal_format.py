"""Numbers, dates and coordinates as each language writes them: {% load portal_format %}.

    {{ seizure.quantity|number }}            1 000 (ru) · 1,000 (en, zh-hans) — Decimal("1.000") is 1
    {{ patrol.started|local_date }}          1 Dec 2024 (en) · 01.12.2024 (ru) · 2024-12-01 (zh-hans)
    {{ entry.time|local_datetime }}          the same with the time of day, in the active time zone
    {{ point.latitude|coordinate }}          43.6500 — a point, whatever the language's decimal mark
    {{ point|coordinates }}                  43.6500, 130.8500 (an object with latitude/longitude)
    {% latlon lat lon %}                     43.6500, 130.8500

Coordinates are never localized: with a decimal comma, "43,65, 130,85" cannot be read as a pair.
They always have COORDINATE_DECIMALS places (about 11 m), so a generalized point does not show
fewer digits than an exact one.

USE_THOUSAND_SEPARATOR stays off: it would also group years and identifiers ("2 024"); a number
that counts something is written with |number.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import dateformat, translation
from django.utils.timezone import is_aware, localtime

from core.charts import format_number

register = template.Library()

COORDINATE_DECIMALS = 4
PAIR_SEPARATOR = ", "

# Per language: the date people of that language write by hand and read at a glance.
DATE_FORMATS = {"zh-hans": "Y-m-d", "ru": "d.m.Y", "en": "j M Y"}
DATETIME_FORMATS = {"zh-hans": "Y-m-d H:i", "ru": "d.m.Y H:i", "en": "j M Y, H:i"}
EMPTY = "—"


def _language():
    code = (translation.get_language() or "en").lower()
    if code in DATE_FORMATS:
        return code
    base = code.split("-")[0]
    return "zh-hans" if base == "zh" else base if base in DATE_FORMATS else "en"


def _decimal(value):
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


@register.filter
def coordinate(value, decimals=COORDINATE_DECIMALS):
    """One latitude or longitude with a point and a fixed number of places; "—" when missing."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    try:
        places = int(decimals)
    except (TypeError, ValueError):
        places = COORDINATE_DECIMALS
    return f"{number:.{max(0, min(places, 8))}f}"


def _pair(latitude, longitude, decimals=COORDINATE_DECIMALS):
    if _decimal(latitude) is None or _decimal(longitude) is None:
        return EMPTY
    return f"{coordinate(latitude, decimals)}{PAIR_SEPARATOR}{coordinate(longitude, decimals)}"


@register.filter
def coordinates(point, decimals=COORDINATE_DECIMALS):
    """ "lat, lon" of an object (or dict) with latitude and longitude; "—" when it has none."""
    if point is None:
        return EMPTY
    if isinstance(point, dict):
        return _pair(point.get("latitude"), point.get("longitude"), decimals)
    if isinstance(point, (list, tuple)) and len(point) == 2:
        return _pair(point[0], point[1], decimals)
    return _pair(getattr(point, "latitude", None), getattr(point, "longitude", None), decimals)


@register.simple_tag
def latlon(latitude, longitude, decimals=COORDINATE_DECIMALS):
    return _pair(latitude, longitude, decimals)


@register.filter
def number(value, decimals=None):
    """A count or measure in the language: grouped thousands, its decimal mark, no trailing zeros."""
    parsed = _decimal(value)
    if parsed is None:
        return EMPTY if value in (None, "") else value
    if decimals not in (None, ""):
        try:  # at most that many decimals (rounded), still without trailing zeros
            parsed = round(parsed, int(decimals))
        except (TypeError, ValueError):
            pass
    return format_number(parsed.normalize())


def _format(value, formats):
    if value in (None, ""):
        return EMPTY
    if isinstance(value, datetime.datetime):
        if is_aware(value):
            value = localtime(value)  # the active time zone, as the |date filter does
    elif not isinstance(value, datetime.date):
        return value
    return dateformat.format(value, formats[_language()])


@register.filter
def local_date(value):
    """A date (or a datetime's day) as the active language writes it."""
    if isinstance(value, datetime.datetime):
        value = localtime(value).date() if is_aware(value) else value.date()
    return _format(value, DATE_FORMATS)


@register.filter
def local_datetime(value):
    """A datetime with its time of day (a plain date is written as a date)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return _format(value, DATE_FORMATS)
    return _format(value, DATETIME_FORMATS)


COORDINATE_NAMES = ("latitude", "longitude", "lat", "lon", "lng")


@register.filter
def portal_value(value, name=""):
    """Any value of a generic page cell as the language writes it: {{ cell.value|portal_value:cell.name }}.

    Dates and datetimes in the language's format, decimals and floats as numbers (a Decimal 1.000
    is "1"), latitude/longitude fields as coordinates. Integers are left alone: a year or an
    identifier must not be grouped ("2 024").
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, datetime.datetime):
        return local_datetime(value)
    if isinstance(value, datetime.date):
        return local_date(value)
    if isinstance(value, (Decimal, float)):
        field = str(name or "").rsplit(".", 1)[-1].lower()
        if field in COORDINATE_NAMES or field.endswith(("_latitude", "_longitude")):
            return coordinate(value)
        return number(value)
    return value
