"""Page forms. Field rules live on the models and in services, so the API and the pages agree."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.forms import SharedRecordForm, TranslatedModelForm, expand_translated, restrict_form_fields
from core.models import Agency
from core.personal_data import PersonalDataFormMixin
from core.validators import period_errors
from core.widgets import DateInput, DateTimeInput, ListInput, MapPicker, ReferenceChoiceField

from . import services
from .models import (
    Action,
    ActionPlan,
    Alert,
    Incident,
    IncidentType,
    JointOperation,
    Patrol,
    PatrolLeg,
    PlanActivity,
    PlanTarget,
    Waypoint,
)
from .models.patrols import TRACK_TYPES, leg_period_errors

DATETIME = DateTimeInput()
DATE = DateInput()


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput,)):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class StyledMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ServiceSaveMixin:
    """A model form that saves its instance through a service (the one write path).

    `save_service` is a function of the instance, e.g. services.save_patrol.
    """

    save_service = None

    def save(self, commit=True):
        instance = super().save(commit=False)
        if commit:
            type(self).save_service(instance)
            self.save_m2m()
        return instance


class PlanForm(StyledMixin, SharedRecordForm):
    class Meta:
        model = ActionPlan
        fields = expand_translated(
            ActionPlan,
            [
                "owner_agency",
                "sensitivity",
                "shared_with",
                "title",
                "objectives",
                "participating_agencies",
                "protected_areas",
                "area",
                "period_start",
                "period_end",
            ],
        )
        widgets = {"period_start": DATE, "period_end": DATE}


class PlanTargetForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = PlanTarget
        fields = ["metric", "value", "per"]


class PlanActivityForm(ServiceSaveMixin, StyledMixin, TranslatedModelForm):
    save_service = services.save_activity

    class Meta:
        model = PlanActivity
        fields = expand_translated(PlanActivity, ["title", "agency", "due_date", "status"])
        widgets = {"due_date": DATE}


class OperationForm(StyledMixin, SharedRecordForm):
    class Meta:
        model = JointOperation
        fields = expand_translated(
            JointOperation,
            [
                "owner_agency",
                "sensitivity",
                "shared_with",
                "plan",
                "kind",
                "title",
                "description",
                "agencies",
                "start",
                "end",
                "results",
            ],
        )
        widgets = {"start": DATETIME, "end": DATETIME}


class PatrolForm(ServiceSaveMixin, StyledMixin, SharedRecordForm):
    save_service = services.save_patrol

    class Meta:
        model = Patrol
        fields = expand_translated(
            Patrol,
            [
                "owner_agency",
                "sensitivity",
                "shared_with",
                "title",
                "leader",
                "members",
                "mandate",
                "transport",
                "start",
                "end",
                "protected_area",
                "plan",
                "operation",
                "objective",
                "comments",
            ],
        )
        widgets = {"start": DATETIME, "end": DATETIME}


class LegForm(StyledMixin, forms.ModelForm):
    """A leg drawn on the map, or the legs of a GPX file (services.read_gpx: one per track, its
    segments kept apart, cut where the unit was off overnight). Every leg of the file is saved."""

    track = forms.JSONField(label=_("Track"), required=False, widget=MapPicker(TRACK_TYPES))
    gpx_file = forms.FileField(label=_("or a GPX file from the GPS unit"), required=False)

    class Meta:
        model = PatrolLeg
        fields = ["start", "end", "transport", "track"]
        widgets = {"start": DATETIME, "end": DATETIME}

    def __init__(self, *args, principal=None, **kwargs):
        self.principal = principal
        super().__init__(*args, **kwargs)
        self.fields["start"].required = False
        self.fields["end"].required = False
        self.gpx_legs = []  # the legs after the first, read from the file
        self.gpx_reading = None

    def clean(self):
        cleaned = super().clean()
        gpx = cleaned.get("gpx_file")
        if gpx:
            self._clean_gpx(gpx, cleaned)
            return cleaned
        if not cleaned.get("track") and not self.errors.get("track"):
            self.add_error("track", _("Give a GeoJSON LineString track or a GPX file."))
        for name in ("start", "end"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("This field is required."))
        return cleaned

    def _clean_gpx(self, gpx, cleaned):
        try:
            reading = services.read_gpx(gpx)
            legs = services.legs_for(reading, cleaned.get("start"), cleaned.get("end"))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    self.add_error(name if name in self.fields else "gpx_file", errors)
            else:
                self.add_error("gpx_file", exc.messages)
            return
        gpx.seek(0)
        self.gpx_reading = reading
        patrol = self.instance.patrol if self.instance.patrol_id else None
        # Every leg of the file is checked against the patrol's period before any is saved.
        for leg in legs[1:]:
            for errors in leg_period_errors(patrol, leg.start, leg.end).values():
                self.add_error("gpx_file", f"{leg.label()}: {errors}")
        first = legs[0]
        cleaned["track"], cleaned["start"], cleaned["end"] = first.track, first.start, first.end
        self.instance.track, self.instance.start, self.instance.end = first.track, first.start, first.end
        self.gpx_legs = legs[1:]

    def save(self, commit=True):
        # The legs and their GPX file (an attachment, checked by content) in one write.
        leg = super().save(commit=False)
        if commit:
            gpx = self.cleaned_data.get("gpx_file")
            with transaction.atomic():
                services.save_leg_with_gpx(leg, gpx, self.principal)
                for extra in self.gpx_legs:
                    other = PatrolLeg(
                        patrol=leg.patrol, transport=leg.transport, track=extra.track, start=extra.start, end=extra.end
                    )
                    other.full_clean()
                    services.save_leg_with_gpx(other, gpx, self.principal)
        return leg


class WaypointForm(ServiceSaveMixin, StyledMixin, forms.ModelForm):
    save_service = services.save_waypoint
    actions = forms.MultipleChoiceField(
        label=_("Actions taken"), choices=Action.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Waypoint
        fields = ["time", "latitude", "longitude", "incident_type", "count", "removed", "actions", "notes"]
        widgets = {"time": DATETIME, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident_type"].queryset = IncidentType.objects.filter(is_active=True)
        self.fields["actions"].widget.attrs.pop("class", None)


class IncidentForm(PersonalDataFormMixin, StyledMixin, SharedRecordForm):
    class Meta:
        model = Incident
        fields = expand_translated(
            Incident,
            [
                "owner_agency",
                "sensitivity",
                "shared_with",
                "reference",
                "incident_type",
                "occurred_on",
                "place",
                "latitude",
                "longitude",
                "protected_area",
                "patrol",
                "species",
                "is_seizure",
                "commodity",
                "quantity",
                "unit",
                "estimated_value",
                "currency",
                "country_of_origin",
                "transit_countries",
                "country_of_destination",
                "point_of_seizure",
                "agencies_involved",
                "suspects_count",
                "arrests",
                "suspects",
                "status",
                "description",
            ],
        )
        widgets = {
            "occurred_on": DATE,
            "transit_countries": ListInput(),
            "suspects": ListInput(
                item_fields=[
                    ("name", _("Name")),
                    ("nationality", _("Nationality")),
                    ("year_of_birth", _("Year of birth")),
                    ("document", _("Document number")),
                    ("role", _("Role")),
                    ("note", _("Note")),
                ]
            ),
        }

    def hide_personal_fields(self):
        # A new incident has its UUID already: core's check (instance.pk) would take it for a
        # stored record of nobody's and hide the suspects from their author.
        if self.instance._state.adding:
            return
        super().hide_personal_fields()


class AlertForm(StyledMixin, SharedRecordForm):
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipient agencies"), queryset=Agency.objects.filter(is_active=True)
    )

    class Meta:
        model = Alert
        fields = expand_translated(
            Alert,
            [
                "owner_agency",
                "sensitivity",
                "shared_with",
                "title",
                "message",
                "urgency",
                "incident",
                "place",
                "valid_until",
            ],
        )
        widgets = {"valid_until": DATETIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sensitivity"].choices = [
            c for c in self.fields["sensitivity"].choices if c[0] in ("partners", "restricted")
        ]
        if not self.instance._state.adding:
            self.fields["recipients"].initial = list(self.instance.receipts.values_list("agency_id", flat=True))

    def clean(self):
        cleaned = super().clean()
        recipients = cleaned.get("recipients") or []
        listed = list(cleaned.get("shared_with") or [])
        if cleaned.get("sensitivity") == "restricted" and not listed and recipients:
            # A restricted alert is at least visible to its recipients.
            cleaned["shared_with"] = listed = list(recipients)
            self.errors.pop("shared_with", None)
        if "recipients" not in self.errors:
            try:
                services.check_recipients(cleaned.get("sensitivity"), listed, recipients)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned

    def save(self, commit=True):
        alert = super().save(commit=commit)
        if commit:
            actor = getattr(self.principal, "user", None)
            services.set_recipients(alert, self.cleaned_data["recipients"], actor=actor)
        return alert


class CaseChoiceField(ReferenceChoiceField):
    """A related case by its reference (LOTL-2026-0001) or, for a case without one, its id."""

    def __init__(self, **kwargs):
        super().__init__(
            Incident.objects.all(), reference_field="reference", lookup_url="antipoaching:incident-lookup", **kwargs
        )

    def to_python(self, value):
        text = value.strip() if isinstance(value, str) else value
        try:
            pk = uuid.UUID(str(text))
        except ValueError:
            return super().to_python(value)
        case = self.queryset.filter(pk=pk).first()
        if case is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text})
        return case


class LinkForm(forms.Form):
    other = CaseChoiceField(
        label=_("Related case"), help_text=_("Its case reference, e.g. LOTL-2026-0001 (or the case id).")
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=255, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, principal=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only visible cases: another agency's owner-only case is answered like a missing one.
        restrict_form_fields(self, principal)


class KpiFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    area = forms.ModelChoiceField(label=_("Protected area"), required=False, queryset=None)

    def __init__(self, *args, principal=None, **kwargs):
        super().__init__(*args, **kwargs)
        from reserves.models import ProtectedArea

        self.fields["area"].queryset = ProtectedArea.objects.visible_to(principal)
        _style(self)

    def clean(self):
        cleaned = super().clean()
        for name, message in period_errors(cleaned.get("start"), cleaned.get("end"), "end").items():
            self.add_error(name, message)
        return cleaned
