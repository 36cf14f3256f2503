"""The monitoring app's forms (the pages build their model forms from these or from field lists)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.documents import AttachmentFormMixin
from core.forms import SharedRecordForm, TranslatedModelForm, expand_translated
from core.models import Agency, Species
from core.widgets import ListInput, MapPicker

from .models import (
    Crosswalk,
    Deployment,
    ProtocolVersion,
    ResearchProject,
    SnowTrackTransect,
    Survey,
    location_dataset_choices,
)
from .services.taxa import match_species

SHARED = ["owner_agency", "sensitivity", "shared_with"]

SURVEY_FIELDS = [
    *SHARED,
    "name",
    "description",
    "kind",
    "method",
    "participating_agencies",
    "protocol_version",
    "protected_area",
    "area",
    "start_date",
    "end_date",
]
DEPLOYMENT_FIELDS = [
    *SHARED,
    "survey",
    "deployment_id",
    "location_id",
    "location_name",
    "latitude",
    "longitude",
    "coordinate_uncertainty",
    "start",
    "end",
    "camera_id",
    "camera_model",
    "camera_height",
    "feature_type",
    "habitat",
    "deployment_comments",
]
TRANSECT_FIELDS = [*SHARED, "survey", "name", "date", "route", "snow_age_days", "observers"]
INDIVIDUAL_FIELDS = [*SHARED, "species", "catalogue_code", "name", "sex", "first_detected", "notes"]
PROTOCOL_FIELDS = [*SHARED, "key", "method", "title"]
PROJECT_FIELDS = [
    *SHARED,
    "title",
    "summary",
    "agencies",
    "researchers",
    "start_date",
    "end_date",
    "datasets_used",
]


class SurveyForm(SharedRecordForm):
    """The survey area is drawn on the map (a polygon); the model checks it."""

    class Meta:
        model = Survey
        fields = expand_translated(Survey, SURVEY_FIELDS)
        widgets = {"area": MapPicker(("Polygon", "MultiPolygon"))}


class DeploymentForm(SharedRecordForm):
    """The camera's point is picked on the map or typed as latitude and longitude."""

    point = forms.JSONField(
        label=gettext_lazy("Camera location"),
        required=False,
        widget=MapPicker(("Point",)),
        help_text=gettext_lazy("Click the map where the camera stands, or type the latitude and longitude below."),
    )

    class Meta:
        model = Deployment
        fields = DEPLOYMENT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude"):
            self.fields[name].required = False
        self.order_fields(["point"])  # the map first, the numbers as the fallback
        if self.instance.pk and not self.is_bound:
            self.initial["point"] = {
                "type": "Point",
                "coordinates": [self.instance.longitude, self.instance.latitude],
            }

    def clean(self):
        cleaned = super().clean()
        point = cleaned.get("point")
        if point:
            # The point is a shape the user drew: the model (validate_wgs84_point) checks the numbers.
            coordinates = point.get("coordinates") if isinstance(point, dict) else None
            if point.get("type") != "Point" or not isinstance(coordinates, list) or len(coordinates) < 2:
                self.add_error("point", _("Pick one point on the map."))
                return cleaned
            self.instance.longitude, self.instance.latitude = coordinates[0], coordinates[1]
            cleaned["longitude"], cleaned["latitude"] = coordinates[0], coordinates[1]
        return cleaned


class TransectForm(SharedRecordForm):
    """A transect drawn on the map (a line), with its tracks per species as rows."""

    tracks = forms.JSONField(
        label=gettext_lazy("Tracks per species"),
        required=False,
        widget=ListInput(
            item_fields=[
                ("species", gettext_lazy("Species (scientific name)")),
                ("tracks", gettext_lazy("Tracks crossed")),
            ]
        ),
        help_text=gettext_lazy("One row per species: its scientific name and the number of tracks crossed."),
    )

    class Meta:
        model = SnowTrackTransect
        fields = TRANSECT_FIELDS
        widgets = {"route": MapPicker(("LineString",))}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tracks"] = [
                {"species": t.species.scientific_name, "tracks": t.tracks} for t in self.instance.tracks.all()
            ]

    def clean_tracks(self):
        """[{"species": Species, "tracks": n}] for services.replace_transect_tracks."""
        parsed, seen = [], set()
        for row in self.cleaned_data.get("tracks") or []:
            if not isinstance(row, dict):
                raise ValidationError(_("Give each row as a species and a number of tracks."))
            name, number = str(row.get("species", "")).strip(), str(row.get("tracks", "")).strip()
            if not name and not number:
                continue
            match = match_species(name)  # the one careful matching of names (monitoring.services.taxa)
            if not match:
                raise ValidationError(
                    _("Unknown species “%(name)s”: %(problem)s. Ask an administrator to add it.")
                    % {"name": name, "problem": match.problem}
                )
            species = Species.objects.get(pk=match.pk)
            if not number.isdigit():
                raise ValidationError(_("Give the tracks of “%(name)s” as a whole number.") % {"name": name})
            if species.pk in seen:
                raise ValidationError(_("“%(name)s” is listed twice.") % {"name": species.scientific_name})
            seen.add(species.pk)
            parsed.append({"species": species, "tracks": int(number)})
        return parsed


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    species = forms.ModelChoiceField(
        label=gettext_lazy("Species"), queryset=Species.objects.filter(is_target=True), required=False
    )


class ProtocolVersionForm(AttachmentFormMixin, TranslatedModelForm):
    """A new version of a protocol: trilingual title and summary, dates, adopting agencies.

    The rules (period, one language at least) are the model's and the base's; the document is
    an attachment (core.documents), added by the view after the version is saved.
    """

    attachment_role = "document"
    attachment_field_name = "document"
    attachment_multiple = False

    class Meta:
        model = ProtocolVersion
        fields = [
            "version",
            "title_zh_hans",
            "title_en",
            "title_ru",
            "summary_zh_hans",
            "summary_en",
            "summary_ru",
            "effective_from",
            "effective_until",
            "adopted_by",
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Camtrap DP package (zip)"))
    survey = forms.ModelChoiceField(
        label=gettext_lazy("Survey"),
        queryset=Survey.objects.none(),
        required=False,
        help_text=gettext_lazy("Left empty, deployments already in a survey stay in it."),
    )
    confirm_outside_region = forms.BooleanField(
        label=gettext_lazy("The package holds points outside the portal's region, and they are right: import them"),
        required=False,
    )

    def clean_file(self):
        # The packed size can only be smaller than the unpacked one, which the importer checks.
        upload = self.cleaned_data["file"]
        if upload.size > int(settings.PORTAL_MAX_IMPORT_MB) * 1024 * 1024:
            raise ValidationError(
                _("The package is larger than %(mb)s MB; split it into smaller packages.")
                % {"mb": settings.PORTAL_MAX_IMPORT_MB}
            )
        return upload


class RequestForm(forms.Form):
    requested_from = forms.ModelChoiceField(
        label=gettext_lazy("Agency asked"), queryset=Agency.objects.filter(is_active=True)
    )
    requested_dataset = forms.ChoiceField(label=gettext_lazy("Dataset"), choices=location_dataset_choices)
    project = forms.ModelChoiceField(
        label=gettext_lazy("Research project"), queryset=ResearchProject.objects.none(), required=False
    )
    purpose = forms.CharField(label=gettext_lazy("Purpose"), widget=forms.Textarea(attrs={"rows": 4}))
    needed_until = forms.DateField(label=gettext_lazy("Needed until"), widget=forms.DateInput(attrs={"type": "date"}))


class CrosswalkForm(forms.ModelForm):
    class Meta:
        model = Crosswalk
        fields = ("vocabulary", "local_code", "shared_key")

    def _get_validation_exclusions(self):
        # The agency is set by the view, not shown: the model's unique constraint still counts it.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("agency")
        return exclusions
