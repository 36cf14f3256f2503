"""The API's JSON parser (DEFAULT_PARSER_CLASSES).

DRF reads DEFAULT_PARSER_CLASSES when rest_framework.views is imported, so this module imports
nothing that imports DRF's views (core.api.views does).
"""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


class PortalJSONParser(parsers.JSONParser):
    """DRF's JSON parser with translated errors, and refusing what would end in a 500 later:
    invalid UTF-8, nesting deeper than PORTAL_MAX_JSON_DEPTH (recursion), NaN/Infinity and NUL
    characters (PostgreSQL stores no NUL, not even in jsonb). The body size is bounded before
    (core.middleware.RequestLimitsMiddleware)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError(_("The request body is not valid UTF-8.")) from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(_("The JSON in the request body is nested too deeply.")) from None
        except ValueError as exc:
            raise exceptions.ParseError(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from None
        _check_json(data, settings.PORTAL_MAX_JSON_DEPTH)
        return data


def _refuse_constant(name):
    raise ValueError(_("%(name)s is not a JSON number.") % {"name": name})


def _check_json(data, max_depth):
    """Walk the parsed body without recursion: depth and NUL characters in keys and strings."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ParseError(_("The request body contains a NUL character."))
        elif isinstance(value, (dict, list)):
            if depth > max_depth:
                raise exceptions.ParseError(
                    _("The JSON in the request body is nested deeper than %(depth)s levels.") % {"depth": max_depth}
                )
            if isinstance(value, dict):
                pending.extend((key, depth) for key in value)
                pending.extend((item, depth + 1) for item in value.values())
            else:
                pending.extend((item, depth + 1) for item in value)
