import json

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SharedRecordForm, expand_translated
from core.widgets import MapPicker

from .models import AREA_FIELDS, BOUNDARY_TYPES, ProtectedArea

MAX_GEOJSON_BYTES = 5 * 1024 * 1024


def geometry_from_geojson_file(uploaded):
    """The geometry of an uploaded .geojson file: a geometry, a Feature or a one-feature collection.

    Only the reading is done here; whether the shape is acceptable is the model's rule.
    """
    raw = uploaded.read(MAX_GEOJSON_BYTES + 1)
    if len(raw) > MAX_GEOJSON_BYTES:
        raise forms.ValidationError(_("The GeoJSON file is larger than 5 MB."))
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise forms.ValidationError(_("The file is not GeoJSON (JSON text in UTF-8).")) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise forms.ValidationError(
                _("The file holds %(count)d features; give one feature with the boundary.") % {"count": len(features)}
            )
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict):
        raise forms.ValidationError(_("The file holds no GeoJSON geometry."))
    return data


class ProtectedAreaForm(SharedRecordForm):
    boundary_file = forms.FileField(
        label=_("Or upload the boundary as GeoJSON"),
        required=False,
        help_text=_("A .geojson file with one Polygon or MultiPolygon; it replaces the drawn boundary."),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json,application/json"}),
    )

    class Meta:
        model = ProtectedArea
        fields = expand_translated(ProtectedArea, ["owner_agency", "sensitivity", "shared_with", *AREA_FIELDS])
        widgets = {"boundary": MapPicker(BOUNDARY_TYPES)}

    def clean_boundary_file(self):
        uploaded = self.cleaned_data.get("boundary_file")
        if uploaded:
            # The upload wins over the drawing (this field is cleaned after "boundary").
            self.cleaned_data["boundary"] = geometry_from_geojson_file(uploaded)
        return uploaded
