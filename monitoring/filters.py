"""One FilterSet per model, shared by the API and the staff pages.

Bounding boxes and coordinate ordering work on `view_latitude` / `view_longitude`, the point as
the viewer may see it (annotated in SQL by services.annotate_view_location), never on the
stored point: a viewer cannot narrow a generalized record down beyond its grid cell.
"""

import math

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from core.filters import SharedRecordFilterSet
from core.models import Agency, Species
from reserves.models import ProtectedArea

from .models import (
    DataRequest,
    DataRequestStatus,
    Deployment,
    FeatureType,
    Individual,
    IndividualStatus,
    MatchProposal,
    MatchStatus,
    Media,
    Observation,
    ObservationLevel,
    Protocol,
    ResearchProject,
    SnowTrackTransect,
    Survey,
    SurveyKind,
    SurveyMethod,
)


class BBoxField(forms.CharField):
    """west,south,east,north in degrees: four finite numbers, a real box on the globe."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        message = _("Give the box as west,south,east,north in degrees.")
        try:
            box = [float(part) for part in value.split(",")]
        except ValueError:
            raise forms.ValidationError(message, code="bbox") from None
        if len(box) != 4 or not all(math.isfinite(v) for v in box):
            raise forms.ValidationError(message, code="bbox")
        west, south, east, north = box
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise forms.ValidationError(
                _(
                    "The box must lie within longitude −180…180 and latitude −90…90, west before east and south before north."
                ),
                code="bbox_range",
            )
        return box


class BBoxFilter(django_filters.CharFilter):
    """bbox=west,south,east,north on the viewer's (possibly generalized) coordinates.

    The value is checked by its form field, so a bad box is a 400 on the API and a form error on
    the page (the list then ignores it), never a server error.
    """

    field_class = BBoxField

    def filter(self, qs, value):
        if not value:
            return qs
        west, south, east, north = value
        return qs.filter(
            view_longitude__gte=west, view_longitude__lte=east, view_latitude__gte=south, view_latitude__lte=north
        )


class VisibleFilterSet(SharedRecordFilterSet):
    """Choice filters over shared records (surveys, protected areas) offer only what the viewer
    may see: a filter list must not name another agency's owner-only survey."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from core.access import principal_for, visible_choices

        if self.request is None:
            return
        principal = principal_for(self.request)
        for name, field in self.form.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                field.queryset = visible_choices(queryset, principal)
                # the filter's own queryset validates the value: the same narrowing
                self.filters[name].queryset = field.queryset


def _species():
    return Species.objects.all()


def _principal(filterset):
    from core.access import Principal, principal_for

    return principal_for(filterset.request) if filterset.request is not None else Principal.anonymous()


class WithheldSearchMixin:
    """`q` over `search_fields`, and over `precise_search_fields` only among the records whose
    points the viewer sees exactly: a search must not be an oracle for a location id or a file
    name that spells the place (issue 9)."""

    precise_search_fields = ()
    location_prefix = ""

    def filter_search(self, queryset, name, value):
        from core.translated import multilingual_q

        from .services.locations import precise_owner_ids

        value = value.strip()
        if not value:
            return queryset
        condition = multilingual_q(queryset.model, self.search_fields, value)
        if self.precise_search_fields:
            owners = precise_owner_ids(_principal(self))
            precise = multilingual_q(queryset.model, self.precise_search_fields, value)
            if owners is not None:
                precise &= Q(**{f"{self.location_prefix}owner_agency_id__in": owners})
            condition |= precise
        return queryset.filter(condition)


class AreaFilter(django_filters.ModelChoiceFilter):
    """protected_area=<id> as the viewer may know it: a record whose point the viewer sees
    generalized matches only when its area covers the whole grid cell, so that tiny areas cannot
    locate it (services.locations.area_visible_q)."""

    def __init__(self, *args, prefix="", **kwargs):
        self.prefix = prefix
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        from .services.locations import filter_by_area

        if value in EMPTY_VALUES:
            return qs
        # The area is the deployment's (an observation's through its deployment).
        return filter_by_area(qs, _principal(self.parent), value, prefix=self.prefix, model=Deployment)


class DeploymentFilterSet(WithheldSearchMixin, VisibleFilterSet):
    search_fields = ("deployment_id", "camera_id")
    precise_search_fields = ("location_id",)
    survey = django_filters.ModelChoiceFilter(queryset=Survey.objects.all(), label=_("Survey"))
    protected_area = AreaFilter(queryset=ProtectedArea.objects.all(), label=_("Protected area"))
    feature_type = django_filters.ModelChoiceFilter(
        queryset=FeatureType.objects.all(), to_field_name="key", label=_("Feature type")
    )
    active_on_or_after = django_filters.DateFilter(field_name="end", lookup_expr="date__gte", label=_("Active from"))
    active_on_or_before = django_filters.DateFilter(
        field_name="start", lookup_expr="date__lte", label=_("Active until")
    )
    bbox = BBoxFilter(label=_("Box (west,south,east,north)"))

    class Meta:
        model = Deployment
        fields = ["survey", "protected_area", "feature_type"]


class MediaFilterSet(WithheldSearchMixin, VisibleFilterSet):
    search_fields = ("media_id",)
    precise_search_fields = ("file_name",)
    location_prefix = "deployment__"
    deployment = django_filters.UUIDFilter(field_name="deployment_id", label=_("Deployment"))
    timestamp_after = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte", label=_("From"))
    timestamp_before = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lte", label=_("Until"))

    class Meta:
        model = Media
        fields = ["deployment"]


class ObservationFilterSet(VisibleFilterSet):
    search_fields = ("observation_id", "scientific_name", "individual_local_id")
    species = django_filters.ModelChoiceFilter(queryset=_species(), label=_("Species"))
    deployment = django_filters.UUIDFilter(field_name="deployment_id", label=_("Deployment"))
    survey = django_filters.ModelChoiceFilter(
        field_name="deployment__survey", queryset=Survey.objects.all(), label=_("Survey")
    )
    individual = django_filters.UUIDFilter(field_name="individual_id", label=_("Individual"))
    observation_type = django_filters.CharFilter(label=_("Observation type"))
    observation_level = django_filters.ChoiceFilter(choices=ObservationLevel.choices, label=_("Observation level"))
    start = django_filters.DateFilter(field_name="event_start", lookup_expr="gte", label=_("From"))
    end = django_filters.DateFilter(field_name="event_start", lookup_expr="lte", label=_("Until"))
    protected_area = AreaFilter(
        field_name="deployment__protected_area",
        prefix="deployment__",
        queryset=ProtectedArea.objects.all(),
        label=_("Protected area"),
    )
    bbox = BBoxFilter(label=_("Box (west,south,east,north)"))

    class Meta:
        model = Observation
        fields = ["species", "observation_type", "observation_level"]


class SurveyFilterSet(VisibleFilterSet):
    search_fields = ("name", "description")
    kind = django_filters.ChoiceFilter(choices=SurveyKind.choices, label=_("Kind"))
    method = django_filters.ChoiceFilter(choices=SurveyMethod.choices, label=_("Method"))
    participant = django_filters.ModelChoiceFilter(
        field_name="participating_agencies", to_field_name="code", queryset=Agency.objects.all(), label=_("Participant")
    )
    started_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label=_("Starts from"))

    class Meta:
        model = Survey
        fields = ["kind", "method"]


class ProtocolFilterSet(VisibleFilterSet):
    search_fields = ("key", "title")
    method = django_filters.ChoiceFilter(choices=SurveyMethod.choices, label=_("Method"))

    class Meta:
        model = Protocol
        fields = ["method"]


class SnowTrackTransectFilterSet(VisibleFilterSet):
    search_fields = ("name", "observers")
    survey = django_filters.ModelChoiceFilter(queryset=Survey.objects.all(), label=_("Survey"))
    species = django_filters.ModelChoiceFilter(
        field_name="tracks__species", queryset=_species(), label=_("Species"), distinct=True
    )
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Until"))

    class Meta:
        model = SnowTrackTransect
        fields = ["survey"]


class IndividualFilterSet(VisibleFilterSet):
    search_fields = ("catalogue_code", "name", "aliases__local_id")
    species = django_filters.ModelChoiceFilter(queryset=Species.objects.filter(is_target=True), label=_("Species"))
    status = django_filters.ChoiceFilter(choices=IndividualStatus.choices, label=_("Status"))
    sex = django_filters.ChoiceFilter(
        choices=[("female", _("Female")), ("male", _("Male")), ("unknown", _("Unknown"))], label=_("Sex")
    )
    agency_id = django_filters.CharFilter(field_name="aliases__local_id", label=_("Agency ID"), distinct=True)

    def filter_search(self, queryset, name, value):
        return super().filter_search(queryset, name, value).distinct()

    class Meta:
        model = Individual
        fields = ["species", "status", "sex"]


class MatchProposalFilterSet(VisibleFilterSet):
    status = django_filters.ChoiceFilter(choices=MatchStatus.choices, label=_("Status"))

    class Meta:
        model = MatchProposal
        fields = ["status"]


class ResearchProjectFilterSet(VisibleFilterSet):
    search_fields = ("title", "summary", "researchers")
    agency = django_filters.ModelChoiceFilter(
        field_name="agencies", to_field_name="code", queryset=Agency.objects.all(), label=_("Agency")
    )

    class Meta:
        model = ResearchProject
        fields = []


class DataRequestFilterSet(VisibleFilterSet):
    status = django_filters.ChoiceFilter(choices=DataRequestStatus.choices, label=_("Status"))
    requested_from = django_filters.ModelChoiceFilter(
        to_field_name="code", queryset=Agency.objects.all(), label=_("Agency asked")
    )

    class Meta:
        model = DataRequest
        fields = ["status", "requested_from"]
