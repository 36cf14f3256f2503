"""How the generic pages show a value: columns, labels from verbose_name, readable cells."""

import datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def _resolve_field(model, dotted):
    """The model field at the end of "a.b.c" (None for properties or methods)."""
    field = None
    for part in dotted.split("."):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


def field_label(model, dotted):
    field = _resolve_field(model, dotted) if model is not None else None
    if field is not None and hasattr(field, "verbose_name"):
        return capfirst(field.verbose_name)
    return capfirst(dotted.rsplit(".", 1)[-1].replace("_", " "))


class Column:
    """A list column: `name` is a field, a dotted path ("owner_agency.code") or a method/property.

    label: the header (default: the field's translated verbose_name); link: the cell links to the
    record's detail page; sort: the ordering key ("" to forbid sorting; default: the field itself
    when it is a concrete column); value: callable(record) for a computed cell.
    """

    def __init__(self, name, label=None, *, link=False, sort=None, value=None):
        self.name = name
        self.label = label
        self.link = link
        self.sort = sort
        self.value = value

    def linked(self):
        return Column(self.name, self.label, link=True, sort=self.sort, value=self.value)

    def header(self, model):
        return {"label": self.label or (field_label(model, self.name) if model else self.name), "name": self.name}

    def sort_key(self, model):
        if self.sort is not None:
            return self.sort
        field = _resolve_field(model, self.name)
        if field is None or field.many_to_many or field.one_to_many or isinstance(field, models.JSONField):
            return ""
        return self.name.replace(".", "__")


def display_value(record, dotted):
    """A readable value: choice labels, names of related records, Yes/No, lists joined."""
    value = record
    parts = dotted.split(".")
    for index, part in enumerate(parts):
        if value is None:
            return None
        last = index == len(parts) - 1
        display = getattr(value, f"get_{part}_display", None)
        if last and callable(display):
            return display()
        field = None
        try:
            field = value._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            pass
        if field is not None and field.many_to_many:
            return ", ".join(str(item) for item in getattr(value, part).all())
        value = getattr(value, part, None)
        if callable(value) and not isinstance(value, models.Model):
            value = value()
    return readable(value)


def readable(value):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, dict) for v in value):
            return "; ".join(", ".join(str(x) for x in v.values() if x not in (None, "")) for v in value)
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict) and "type" in value and "coordinates" in value:
        return _("%(type)s geometry") % {"type": value["type"]}
    if isinstance(value, (datetime.date, datetime.datetime)) or value is None:
        return value
    if isinstance(value, models.Model):
        return value
    return value


def cell(record, column, url):
    value = column.value(record) if column.value else display_value(record, column.name)
    return {"value": value, "url": url, "name": column.name}
