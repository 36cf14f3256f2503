"""Page forms. Field rules live on the models and in services, so the API and the pages agree."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import SharedRecordForm, TranslatedModelForm, expand_translated
from core.models import Agency

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

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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

    def clean_participating_agencies(self):
        agencies = self.cleaned_data.get("participating_agencies")
        if not self.instance._state.adding and agencies is not None:
            try:
                services.check_plan_agencies_change(self.instance, agencies)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return agencies


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


class TransitionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    evaluation_en = forms.CharField(
        label=_("Evaluation (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    evaluation_zh_hans = forms.CharField(
        label=_("Evaluation (中文)"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    evaluation_ru = forms.CharField(
        label=_("Evaluation (Русский)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.principal is not None:
            self.fields["plan"].queryset = ActionPlan.objects.visible_to(self.principal)


class NamesField(forms.CharField):
    """One name per line ⇄ a JSON list of names."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        if isinstance(value, str) and value.startswith("["):
            try:
                return "\n".join(json.loads(value))
            except ValueError:
                return value
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class PatrolForm(ServiceSaveMixin, StyledMixin, SharedRecordForm):
    save_service = services.save_patrol
    members = NamesField(label=_("Team members"), required=False, help_text=_("One name per line, besides the leader."))

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.principal is not None:
            self.fields["plan"].queryset = ActionPlan.objects.visible_to(self.principal)
            self.fields["operation"].queryset = JointOperation.objects.visible_to(self.principal)


class LegForm(ServiceSaveMixin, StyledMixin, forms.ModelForm):
    save_service = services.save_leg
    track = forms.JSONField(
        label=_("Track (GeoJSON LineString)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    gpx_file = forms.FileField(label=_("or a GPX file from the GPS unit"), required=False)

    class Meta:
        model = PatrolLeg
        fields = ["start", "end", "transport", "track", "gpx_file"]
        widgets = {"start": DATETIME, "end": DATETIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].required = False
        self.fields["end"].required = False

    def clean(self):
        cleaned = super().clean()
        gpx = cleaned.get("gpx_file")
        if gpx:
            try:
                track, first, last = services.parse_gpx(gpx)
            except ValidationError as exc:
                self.add_error("gpx_file", exc.messages)
                return cleaned
            gpx.seek(0)
            cleaned["track"] = track
            self.instance.track = track
            cleaned["start"] = cleaned.get("start") or first
            cleaned["end"] = cleaned.get("end") or last
            self.instance.start, self.instance.end = cleaned["start"], cleaned["end"]
        elif not cleaned.get("track") and not self.errors.get("track"):
            self.add_error("track", _("Give a GeoJSON LineString track or a GPX file."))
        for name in ("start", "end"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("This field is required."))
        return cleaned


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


class IncidentForm(StyledMixin, SharedRecordForm):
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
        widgets = {"occurred_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.principal is not None:
            self.fields["patrol"].queryset = Patrol.objects.visible_to(self.principal)
        if (
            not self.instance._state.adding
            and self.principal
            and not services.can_see_suspects(self.principal, self.instance)
        ):
            del self.fields["suspects"]


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
        if self.principal is not None:
            self.fields["incident"].queryset = Incident.objects.visible_to(self.principal)
        if not self.instance._state.adding:
            self.fields["recipients"].initial = list(self.instance.receipts.values_list("agency_id", flat=True))

    def clean(self):
        cleaned = super().clean()
        recipients = cleaned.get("recipients") or []
        if cleaned.get("sensitivity") == "restricted":
            listed = set(cleaned.get("shared_with") or [])
            if not listed and recipients:
                cleaned["shared_with"] = list(recipients)
                self.errors.pop("shared_with", None)
            elif any(r not in listed for r in recipients):
                self.add_error("recipients", _("Recipients must be among the listed agencies."))
        return cleaned

    def save(self, commit=True):
        alert = super().save(commit=commit)
        if commit:
            services.set_recipients(alert, self.cleaned_data["recipients"])
        return alert


class LinkForm(forms.Form):
    other = forms.UUIDField(label=_("Id of the related case"), widget=forms.TextInput(attrs={"class": "form-control"}))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=255, widget=forms.TextInput(attrs={"class": "form-control"})
    )


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
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned
