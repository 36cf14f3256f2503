"""Form widgets people can use, and the defaults every portal form gets.

- DateInput / DateTimeInput: the browser's date and date-time pickers (HTML5 formats).
- ListInput: a JSON list edited as rows (one per line without JavaScript), of text, numbers or
  small objects (`item_fields`), instead of a raw textarea showing `[]` or `null`.
- MapPicker: a GeoJSON geometry drawn on the offline map (Leaflet.draw), with the GeoJSON
  textarea as the fallback for those without JavaScript.
- ReferenceChoiceField: a related record picked by its human reference ("LOTL-2026-0001"),
  typed or chosen from suggestions of a JSON endpoint that lists only visible records.

`portal_widget_for(db_field)` gives the default widget of a model field (or None);
`apply_portal_widgets(form)` applies the defaults to a built form (the page bases call it).
No asset comes from outside the portal.
"""

import json
import re

from django import forms
from django.core.exceptions import MultipleObjectsReturned, ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
_LEAFLET_CSS = ("leaflet/leaflet.css", "leaflet/draw/leaflet.draw.css")
_LEAFLET_JS = ("leaflet/leaflet.js", "leaflet/draw/leaflet.draw.js", "core/map.js")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """datetime-local sends "2026-05-01T08:30"; Django's DateTimeField parses it (ISO 8601)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ListInput(forms.Widget):
    """A JSON list as rows. item_fields: [(key, label), ...] for lists of small objects.

    Without JavaScript it is a textarea with one item per line (object fields separated by " | ").
    item_type "int" keeps numbers numbers (e.g. reminder lead days [7, 1]).
    """

    template_name = "core/widgets/list_input.html"
    SEPARATOR = " | "

    class Media:
        js = ("core/widgets.js",)

    def __init__(self, attrs=None, item_fields=None, item_type="text"):
        super().__init__(attrs)
        # Labels stay lazy: they are rendered in the reader's language, not the importer's.
        self.item_fields = list(item_fields or [])
        self.item_type = item_type

    def _items(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else []
            except ValueError:
                return None  # not JSON: the user's own text, shown as it was typed
        return value if isinstance(value, list) else []

    def format_value(self, value):
        items = self._items(value)
        if items is None:
            return value
        lines = []
        for item in items:
            if isinstance(item, dict):
                keys = [k for k, _label in self.item_fields] or list(item)
                lines.append(self.SEPARATOR.join(str(item.get(k, "") or "") for k in keys))
            else:
                lines.append(str(item))
        return "\n".join(lines)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        items = self._items(value)
        fields = self.item_fields
        if not fields and items and all(isinstance(i, dict) for i in items):
            keys = []
            for item in items:
                keys += [k for k in item if k not in keys]
            fields = [(k, k.replace("_", " ")) for k in keys]
            self.item_fields = fields
            context["widget"]["value"] = self.format_value(value)
        context["widget"]["config"] = {
            "fields": [{"key": k, "label": str(label)} for k, label in fields],
            "type": self.item_type,
            "separator": self.SEPARATOR,
            "add": str(_("Add a row")),
            "remove": str(_("Remove")),
        }
        context["widget"]["rows"] = max(3, len(items or []) + 1)
        context["widget"]["config_id"] = f"{attrs.get('id') or name}-config" if attrs else f"{name}-config"
        return context

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        if text is None:
            return None
        text = str(text)
        if text.lstrip().startswith("["):
            try:
                if isinstance(json.loads(text), list):
                    return text  # JSON pasted or posted by a script: taken as it is
            except ValueError:
                pass
        items = []
        for line in text.splitlines():
            if not line.strip():
                continue
            if self.item_fields:
                parts = [p.strip() for p in line.split(self.SEPARATOR.strip())]
                item = {key: (parts[i] if i < len(parts) else "") for i, (key, _label) in enumerate(self.item_fields)}
                items.append(item)
            elif self.item_type == "int":
                line = line.strip()
                items.append(int(line) if re.fullmatch(r"-?\d+", line) else line)
            else:
                items.append(line.strip())
        return json.dumps(items)  # the form's JSONField parses it and the model validates it


class MapPicker(forms.Textarea):
    """Draw a point, line or polygon; the value is a GeoJSON geometry (or empty)."""

    template_name = "core/widgets/map_picker.html"

    def __init__(self, geometry_types=("Point",), attrs=None):
        super().__init__(attrs)
        self.geometry_types = tuple(geometry_types)

    @property
    def media(self):
        return forms.Media(css={"all": _LEAFLET_CSS}, js=(*_LEAFLET_JS, "core/widgets.js"))

    def format_value(self, value):
        if value in (None, "", "null"):
            return ""
        if not isinstance(value, str):
            value = json.dumps(value)
        return value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        from django.conf import settings

        context["widget"]["geometry_types"] = ",".join(self.geometry_types)
        context["widget"]["tile_url"] = getattr(settings, "PORTAL_TILE_URL", "")
        context["widget"]["tile_attribution"] = getattr(settings, "PORTAL_TILE_ATTRIBUTION", "")
        return context


class ReferenceInput(forms.TextInput):
    """A text box with a datalist of suggestions fetched from `lookup_url` as the user types."""

    template_name = "core/widgets/reference_input.html"

    class Media:
        js = ("core/widgets.js",)

    def __init__(self, lookup_url=None, attrs=None):
        super().__init__(attrs)
        self.lookup_url = lookup_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = self.lookup_url
        if url and ":" in url and "/" not in url:
            try:
                url = reverse(url)
            except NoReverseMatch:
                url = ""
        context["widget"]["lookup_url"] = url or ""
        context["widget"]["attrs"].setdefault("autocomplete", "off")
        return context


class ReferenceChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that takes the record's human reference instead of its id.

    reference_field: the unique field people quote (e.g. "case_reference"); lookup_url: the url
    name of a RecordPages lookup (e.g. "antipoaching:incident-lookup"). The form base narrows the
    queryset to what its principal may see (`restrict_to`), so a reference another agency cannot
    see is answered like one that does not exist.
    """

    default_error_messages = {
        "invalid_choice": _("No record with the reference “%(value)s” exists or you may see it."),
    }

    def __init__(self, queryset, *, reference_field, lookup_url=None, **kwargs):
        kwargs.setdefault("widget", ReferenceInput(lookup_url=lookup_url))
        super().__init__(queryset, to_field_name=reference_field, **kwargs)
        self.reference_field = reference_field

    def restrict_to(self, principal):
        manager = self.queryset.model.objects
        if hasattr(manager, "visible_to"):
            self.queryset = self.queryset.filter(pk__in=manager.visible_to(principal).values("pk"))

    def prepare_value(self, value):
        if isinstance(value, models.Model):
            return getattr(value, self.reference_field)
        if value not in self.empty_values and not isinstance(value, str):
            obj = self.queryset.model._default_manager.filter(pk=value).first()
            return getattr(obj, self.reference_field) if obj else value
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        try:
            return super().to_python(value)
        except MultipleObjectsReturned:
            raise ValidationError(
                _("Several records carry the reference “%(value)s”: pick the record from the list."),
                code="ambiguous",
                params={"value": value},
            ) from None
        except ValidationError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


# --- defaults for every portal form -------------------------------------------------------------

_geometry_fields: dict[tuple[str, str], tuple[str, ...]] = {}


def register_geometry_field(model, field_name, geometry_types):
    """Declare that a JSONField holds a GeoJSON geometry of these types (when its help text
    does not say "GeoJSON <Type> ...")."""
    _geometry_fields[(model._meta.label_lower, field_name)] = tuple(geometry_types)


def geometry_types_for(db_field):
    model = getattr(db_field, "model", None)
    if model is not None and (model._meta.label_lower, db_field.name) in _geometry_fields:
        return _geometry_fields[(model._meta.label_lower, db_field.name)]
    if not isinstance(db_field, models.JSONField) or not db_field.help_text:
        return None
    with translation.override("en"):
        text = str(db_field.help_text)
    if "GeoJSON" not in text:
        return None
    found = [t for t in GEOMETRY_TYPES if re.search(rf"\b{t}\b", text)]
    return tuple(found) or None


def portal_widget_for(db_field):
    """The portal's default widget for a model field, or None to keep Django's."""
    if isinstance(db_field, models.DateTimeField):
        return DateTimeInput()
    if isinstance(db_field, models.DateField):
        return DateInput()
    if isinstance(db_field, models.JSONField):
        types = geometry_types_for(db_field)
        if types:
            return MapPicker(types)
        if db_field.default is list or _default_is_list(db_field):
            default = db_field.get_default() or []
            is_int = bool(default) and all(isinstance(v, int) for v in default)
            return ListInput(item_type="int" if is_int else "text")
    return None


def _default_is_list(db_field):
    if not db_field.has_default():
        return False
    try:
        return isinstance(db_field.get_default(), list)
    except Exception:
        return False


def _django_default(db_field):
    """The widget class Django's formfield() would give; only that one is replaced."""
    if isinstance(db_field, models.DateTimeField):
        return forms.DateTimeInput
    if isinstance(db_field, models.DateField):
        return forms.DateInput
    if isinstance(db_field, models.JSONField):
        return forms.Textarea
    return None


def _plain_date_picker(field):
    """Date pickers on forms without a model (filters, report periods)."""
    if isinstance(field, forms.DateTimeField) and type(field.widget) is forms.DateTimeInput:
        field.widget = DateTimeInput(attrs=field.widget.attrs)
    elif isinstance(field, forms.DateField) and type(field.widget) is forms.DateInput:
        field.widget = DateInput(attrs=field.widget.attrs)


def apply_portal_widgets(form):
    """Give a ModelForm's fields the portal's widgets where the form kept Django's default.

    A widget the form chose itself (another class, or a date input with a type) is left alone.
    ReferenceChoiceFields are narrowed to the form's principal.
    """
    model = getattr(getattr(form, "_meta", None), "model", None)
    principal = getattr(form, "principal", None)
    for name, field in form.fields.items():
        if isinstance(field, ReferenceChoiceField) and principal is not None:
            field.restrict_to(principal)
        if model is None:
            _plain_date_picker(field)
            continue
        try:
            db_field = model._meta.get_field(name)
        except Exception:
            continue
        widget = field.widget
        if type(widget) is not _django_default(db_field) or getattr(widget, "input_type", "") in (
            "date",
            "datetime-local",
        ):
            continue  # the form chose its own widget
        if isinstance(db_field, models.JSONField) and type(field) is not forms.JSONField:
            continue  # a form field of the form's own (e.g. names one per line) parses its input
        replacement = portal_widget_for(db_field)
        if replacement is None:
            continue
        replacement.attrs.update({k: v for k, v in widget.attrs.items() if k not in ("cols", "rows")})
        replacement.is_required = widget.is_required
        field.widget = replacement
        if isinstance(replacement, (DateInput, DateTimeInput)) and isinstance(field, forms.DateTimeField):
            field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", *field.input_formats]
    return form
