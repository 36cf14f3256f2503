"""Audit context and writing: who acted (user or key), for which agency, in which request."""

import contextvars
import datetime
import decimal
import uuid
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db.models.fields.files import FieldFile
from django.utils import translation

from .models.audit import ObjectChange
from .models.base import AUDITED_READ_SENSITIVITIES
from .personal_data import ERASED_MARKER, PERSONAL_DATA_MARKER, personal_attnames, personal_fields

_actor = contextvars.ContextVar("portal_audit_actor", default=None)
_request_id = contextvars.ContextVar("portal_request_id", default=None)


def set_request_id(value):
    return _request_id.set(value)


def reset_request_id(token):
    _request_id.reset(token)


def current_request_id():
    return _request_id.get()


def set_actor(principal):
    return _actor.set(principal)


def reset_actor(token):
    _actor.reset(token)


def current_actor():
    return _actor.get()


@contextmanager
def acting_as(principal, request_id=None):
    """Attribute changes made inside the block (commands, tasks) to `principal`."""
    actor_token = _actor.set(principal)
    rid_token = _request_id.set(request_id or uuid.uuid4())
    try:
        yield
    finally:
        _actor.reset(actor_token)
        _request_id.reset(rid_token)


def _jsonable(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, (bytes, memoryview)):
        return None
    return value


def snapshot(instance):
    """The concrete field values of `instance`, JSON-ready.

    The untranslated column of a modeltranslation field only mirrors one language column, so it is
    left out; the per-language columns carry the change.
    """
    from .translated import translated_fields

    mirrored = translated_fields(type(instance))
    return {
        field.attname: _jsonable(getattr(instance, field.attname, None))
        for field in instance._meta.concrete_fields
        if field.name not in mirrored
    }


def _personal_strings(instance, names):
    """The text pieces of the personal values of `instance` (to keep them out of its log name)."""
    found = []

    def walk(value):
        if isinstance(value, str):
            if len(value.strip()) >= 3:
                found.append(value.strip())
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    for name in names:
        walk(getattr(instance, name, None))
    return found


def _mask(document, attnames):
    # The log keeps that a personal field changed, never the value (core.personal_data).
    if not isinstance(document, dict) or not attnames:
        return document
    return {
        key: (PERSONAL_DATA_MARKER if key in attnames and value not in (None, ERASED_MARKER) else value)
        for key, value in document.items()
    }


def log_name(instance):
    """The record's name as the log stores it: without any personal value it may contain."""
    text = str(instance)[:255]
    names = personal_fields(instance)
    if names and any(piece in text for piece in _personal_strings(instance, names)):
        with translation.override(None):  # stored: in the source language, not the reader's
            return f"{type(instance)._meta.verbose_name} {instance.pk}"[:255]
    return text


def write_entry(instance, action, before=None, after=None, changed=None):
    principal = current_actor()
    user = getattr(principal, "user", None) if principal else None
    attnames = personal_attnames(instance)
    before, after = _mask(before, attnames), _mask(after, attnames)
    ObjectChange.objects.create(
        user=user if getattr(user, "pk", None) else None,
        api_key=getattr(principal, "api_key", None) if principal else None,
        agency=getattr(principal, "agency", None) if principal else None,
        request_id=current_request_id(),
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=log_name(instance),
        before=before,
        after=after,
        changed_fields=changed or [],
    )


def record_read(instance, principal=None, detail=None, sensitivity=None):
    """Write a read entry when a restricted or owner-only record is opened.

    `detail` says what was read of it (a downloaded attachment: {"attachment": id}); `sensitivity`
    overrides the record's own (a child record read under its parent's sensitivity).
    """
    level = sensitivity if sensitivity is not None else getattr(instance, "sensitivity", None)
    if level not in AUDITED_READ_SENSITIVITIES:
        return
    if principal is not None:
        token = _actor.set(principal)
        try:
            write_entry(instance, ObjectChange.Action.READ, after=detail)
        finally:
            _actor.reset(token)
    else:
        write_entry(instance, ObjectChange.Action.READ, after=detail)
