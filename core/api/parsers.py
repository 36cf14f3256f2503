"""The API's parsers: JSON for every write (DEFAULT_PARSER_CLASSES), multipart/form-data only for
the writes that carry a file (core.api.views.PrincipalMixin.get_parsers asks `parsers_for`).

DRF reads DEFAULT_PARSER_CLASSES when rest_framework.views is imported, so this module imports
nothing that imports DRF's views (core.api.views does).
"""

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, serializers


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


class PortalMultiPartParser(parsers.MultiPartParser):
    """multipart/form-data, for the writes that carry a file (see parsers_for)."""


def _file_field(field):
    child = getattr(field, "child", None)
    return isinstance(field, serializers.FileField) or isinstance(child, serializers.FileField)


_TAKES_FILES = {}


def takes_files(serializer_class):
    """True when the serializer has a writable file field (declared, or a model FileField listed in
    Meta.fields): its writes are uploads, sent as multipart/form-data."""
    if serializer_class is None:
        return False
    if serializer_class not in _TAKES_FILES:
        declared = [f for f in getattr(serializer_class, "_declared_fields", {}).values() if not f.read_only]
        found = any(_file_field(f) for f in declared)
        meta = getattr(serializer_class, "Meta", None)
        model, names = getattr(meta, "model", None), getattr(meta, "fields", None)
        if not found and model is not None and isinstance(names, (list, tuple)):
            read_only = set(getattr(meta, "read_only_fields", ()) or ())
            for name in names:
                if name in read_only or name in getattr(serializer_class, "_declared_fields", {}):
                    continue
                try:
                    model_field = model._meta.get_field(name)
                except Exception:  # noqa: BLE001 - not a model field (a property, a method field)
                    continue
                if isinstance(model_field, models.FileField) and model_field.editable:
                    found = True
                    break
        _TAKES_FILES[serializer_class] = found
    return _TAKES_FILES[serializer_class]


def parsers_for(instances, uploads):
    """The parsers a view reads with: JSON for every write; multipart/form-data where a file is
    uploaded (`uploads`, or a view that lists a multipart parser itself). Form encoding
    (application/x-www-form-urlencoded) is never read: it cannot carry a file, and the portal's
    pages are Django views, not the API."""
    kept = [p for p in instances if not isinstance(p, parsers.FormParser)]
    if uploads and not any(isinstance(p, parsers.MultiPartParser) for p in kept):
        kept.append(PortalMultiPartParser())
    return kept
