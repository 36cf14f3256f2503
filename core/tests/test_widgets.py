"""Widgets people can use: date pickers by default, list inputs, the map picker, references."""

import datetime
import json

import pytest
from django import forms

from core.forms import SharedRecordForm
from core.models import ExchangeVisit
from core.widgets import (
    DateInput,
    DateTimeInput,
    ListInput,
    MapPicker,
    ReferenceChoiceField,
    apply_portal_widgets,
    portal_widget_for,
)
from reserves.models import ProtectedArea


def test_default_widgets_for_model_fields():
    from core.models import Notification

    assert isinstance(portal_widget_for(ExchangeVisit._meta.get_field("start_date")), DateInput)
    assert isinstance(portal_widget_for(Notification._meta.get_field("created_at")), DateTimeInput)
    picker = portal_widget_for(ProtectedArea._meta.get_field("boundary"))
    assert isinstance(picker, MapPicker) and picker.geometry_types == ("Polygon", "MultiPolygon")
    assert portal_widget_for(ExchangeVisit._meta.get_field("title")) is None


def test_list_input_round_trip_of_text_numbers_and_objects():
    widget = ListInput()
    assert widget.format_value("[]") == "" and widget.format_value("null") == ""
    assert widget.format_value('["Ivan", "Li Wei"]') == "Ivan\nLi Wei"
    assert json.loads(widget.value_from_datadict({"m": "Ivan\n\n Li Wei \n"}, {}, "m")) == ["Ivan", "Li Wei"]
    assert json.loads(widget.value_from_datadict({"m": '["a", "b"]'}, {}, "m")) == ["a", "b"]
    numbers = ListInput(item_type="int")
    assert json.loads(numbers.value_from_datadict({"d": "7\n1"}, {}, "d")) == [7, 1]
    people = ListInput(item_fields=[("name", "Name"), ("role", "Role")])
    assert people.format_value([{"name": "Ivan", "role": "leader"}]) == "Ivan | leader"
    assert json.loads(people.value_from_datadict({"p": "Ivan | leader\nLi"}, {}, "p")) == [
        {"name": "Ivan", "role": "leader"},
        {"name": "Li", "role": ""},
    ]
    html = people.render("p", [{"name": "Ivan", "role": "leader"}], attrs={"id": "id_p"})
    assert "data-portal-list-input" in html and 'id="id_p-config"' in html and "[]" not in html
    assert "style=" not in html and "<script>" not in html


class _TeamForm(forms.Form):
    members = forms.JSONField(widget=ListInput(), required=False)


def test_list_input_in_a_form_gives_a_list_and_redisplays_rows():
    form = _TeamForm({"members": "Ivan\nOlga"})
    assert form.is_valid() and form.cleaned_data["members"] == ["Ivan", "Olga"]
    assert "Ivan\nOlga" in str(_TeamForm(initial={"members": ["Ivan", "Olga"]})["members"])
    assert _TeamForm({"members": ""}).is_valid()


class _AreaForm(SharedRecordForm):
    class Meta:
        model = ProtectedArea
        fields = ["owner_agency", "sensitivity", "name_en", "country", "boundary", "established"]


SQUARE = {"type": "Polygon", "coordinates": [[[130, 43], [131, 43], [131, 44], [130, 44], [130, 43]]]}


@pytest.mark.django_db
def test_map_picker_edits_geojson_with_a_textarea_fallback(cn_staff, cn_agency):
    from core.access import Principal

    principal = Principal.for_user(cn_staff)
    form = apply_portal_widgets(_AreaForm(principal=principal))
    html = str(form["boundary"])
    assert "data-portal-map-picker" in html and 'data-geometry-types="Polygon,MultiPolygon"' in html
    assert "<textarea" in html and "null" not in html
    assert "leaflet/draw/leaflet.draw.js" in str(form.media) and "core/widgets.js" in str(form.media)
    assert "http" not in str(form.media)
    data = {"owner_agency": cn_agency.pk, "sensitivity": "partners", "name_en": "Square", "country": "CN"}
    form = apply_portal_widgets(_AreaForm({**data, "boundary": json.dumps(SQUARE)}, principal=principal))
    assert form.is_valid(), form.errors
    area = form.save()
    assert area.boundary == SQUARE and area.area_km2 > 0
    edit = apply_portal_widgets(_AreaForm(instance=area, principal=principal))
    assert "Polygon" in str(edit["boundary"])
    form = apply_portal_widgets(_AreaForm({**data, "boundary": ""}, principal=principal))
    assert form.is_valid() and form.cleaned_data["boundary"] is None
    bad = apply_portal_widgets(
        _AreaForm({**data, "boundary": '{"type": "Point", "coordinates": [1, 2]}'}, principal=principal)
    )
    assert not bad.is_valid() and "boundary" in bad.errors


def test_date_pickers_applied_only_where_the_form_kept_the_default():
    class VisitForm(forms.ModelForm):
        class Meta:
            model = ExchangeVisit
            fields = ["start_date", "end_date"]
            widgets = {"end_date": forms.TextInput(attrs={"type": "text", "class": "mine"})}

    form = apply_portal_widgets(VisitForm(initial={"start_date": datetime.date(2026, 6, 10)}))
    html = str(form["start_date"])
    assert 'type="date"' in html and 'value="2026-06-10"' in html
    assert 'class="mine"' in str(form["end_date"]) and 'type="text"' in str(form["end_date"])
    bound = apply_portal_widgets(VisitForm({"start_date": "2026-06-10", "end_date": "2026-06-12"}))
    assert bound.is_valid() and bound.cleaned_data["start_date"] == datetime.date(2026, 6, 10)


def test_datetime_picker_format_is_parsed():
    class WhenForm(forms.Form):
        when = forms.DateTimeField(widget=DateTimeInput())

    form = WhenForm({"when": "2026-05-01T08:30"})
    assert form.is_valid(), form.errors
    assert 'type="datetime-local"' in str(WhenForm(initial={"when": datetime.datetime(2026, 5, 1, 8, 30)})["when"])


@pytest.mark.django_db
def test_reference_field_accepts_a_visible_reference_only(cn_staff, cn_agency, ru_agency):
    from core.access import Principal

    ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Hunchun", country="CN", wdpa_id=555001)
    ProtectedArea.objects.create(
        owner_agency=ru_agency, name_en="Secret", country="RU", wdpa_id=555002, sensitivity="owner"
    )

    class PickForm(forms.Form):
        area = ReferenceChoiceField(ProtectedArea.objects.all(), reference_field="wdpa_id", lookup_url="/lookup/")

        def __init__(self, *args, principal=None, **kwargs):
            self.principal = principal
            super().__init__(*args, **kwargs)
            apply_portal_widgets(self)

    principal = Principal.for_user(cn_staff)
    form = PickForm({"area": " 555001 "}, principal=principal)
    assert form.is_valid() and form.cleaned_data["area"].name_en == "Hunchun"
    hidden = PickForm({"area": "555002"}, principal=principal)
    assert not hidden.is_valid()
    missing = PickForm({"area": "999999"}, principal=principal)
    assert not missing.is_valid()
    # Another agency's owner-only record is answered exactly like one that does not exist.
    assert hidden.errors["area"][0].replace("555002", "X") == missing.errors["area"][0].replace("999999", "X")
    html = str(PickForm(initial={"area": ProtectedArea.objects.get(wdpa_id=555001)}, principal=principal)["area"])
    assert 'value="555001"' in html and 'list="id_area-options"' in html and 'data-lookup-url="/lookup/"' in html


def test_plain_forms_and_filters_get_date_pickers():
    from core.api.training import ExchangeVisitFilterSet

    class PeriodForm(forms.Form):
        start = forms.DateField()
        stamp = forms.DateTimeField()

    form = apply_portal_widgets(PeriodForm())
    assert 'type="date"' in str(form["start"]) and 'type="datetime-local"' in str(form["stamp"])
    filters = ExchangeVisitFilterSet({"after": "2026-01-01"}, queryset=ExchangeVisit.objects.none())
    apply_portal_widgets(filters.form)
    assert 'type="date" name="after"' in str(filters.form["after"])
    assert 'type="datetime-local"' in str(filters.form["updated_since"])
