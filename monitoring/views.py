"""Staff pages. Lists use the API's FilterSets; every point shown is the viewer's (generalized) one."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.access import principal_for
from core.forms import style_form
from core.models import Agency, Species
from core.views_base import PortalCreateView, PortalDetailView, PortalListView, PortalUpdateView

from . import filters, services
from .camtrap.importer import PackageInvalid, format_error, import_package
from .models import (
    CatalogueEvent,
    Crosswalk,
    DataRequest,
    Deployment,
    Individual,
    MatchProposal,
    Observation,
    Protocol,
    ResearchProject,
    SnowTrackTransect,
    Survey,
    location_dataset_choices,
)


def _fmt_point(lat, lon):
    if lat is None or lon is None:
        return "—"
    return f"{lat:.6f}, {lon:.6f}".rstrip("0")


class TableListView(PortalListView):
    """A list page drawn from `columns`: [(label, accessor(obj) -> text)]."""

    template_name = "monitoring/list.html"
    columns = ()
    title = ""
    create_url_name = None
    ordering_choices = ()

    def get_queryset(self):
        queryset = super().get_queryset()
        order = self.request.GET.get("order")
        if order and order.lstrip("-") in dict(self.ordering_choices):
            queryset = queryset.order_by(order, "pk")
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["headers"] = [label for label, _accessor in self.columns]
        context["rows"] = [
            (obj.get_absolute_url(), [accessor(obj) for _label, accessor in self.columns])
            for obj in context["object_list"]
        ]
        context["create_url"] = (
            reverse(self.create_url_name) if self.create_url_name and self.principal.can_write else None
        )
        context["ordering_choices"] = self.ordering_choices
        return context


class LocationListMixin:
    location_prefix = ""

    def base_queryset(self):
        return services.annotate_view_location(super().base_queryset(), self.principal, self.location_prefix)


# --- surveys ------------------------------------------------------------------------------------

SURVEY_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "name",
    "description",
    "kind",
    "method",
    "participating_agencies",
    "protocol_version",
    "protected_area",
    "start_date",
    "end_date",
]


class SurveyListView(TableListView):
    model = Survey
    filterset_class = filters.SurveyFilterSet
    title = gettext_lazy("Surveys")
    create_url_name = "monitoring:survey-create"
    select_related_fields = ("owner_agency",)
    columns = (
        (gettext_lazy("Name"), lambda o: o.name),
        (gettext_lazy("Kind"), lambda o: o.get_kind_display()),
        (gettext_lazy("Method"), lambda o: o.get_method_display()),
        (gettext_lazy("Start"), lambda o: o.start_date),
        (gettext_lazy("End"), lambda o: o.end_date or "—"),
        (gettext_lazy("Owner"), lambda o: o.owner_agency.code),
    )


class SurveyDetailView(PortalDetailView):
    model = Survey
    template_name = "monitoring/survey_detail.html"
    select_related_fields = ("owner_agency", "protocol_version__protocol")
    prefetch_related_fields = ("participating_agencies",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = services.joint_survey_report(self.principal, self.object)
        return context


class SurveyCreateView(PortalCreateView):
    model = Survey
    fields = SURVEY_FIELDS
    template_name = "core/record_form.html"


class SurveyUpdateView(PortalUpdateView):
    model = Survey
    fields = SURVEY_FIELDS
    template_name = "core/record_form.html"


# --- deployments and observations ---------------------------------------------------------------

DEPLOYMENT_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
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


class DeploymentListView(LocationListMixin, TableListView):
    model = Deployment
    filterset_class = filters.DeploymentFilterSet
    title = gettext_lazy("Camera-trap deployments")
    create_url_name = "monitoring:deployment-create"
    select_related_fields = ("owner_agency", "feature_type", "protected_area")
    ordering_choices = (
        ("start", gettext_lazy("Start")),
        ("view_latitude", gettext_lazy("Latitude")),
        ("view_longitude", gettext_lazy("Longitude")),
    )
    columns = (
        (gettext_lazy("Deployment"), lambda o: o.deployment_id),
        (gettext_lazy("Location"), lambda o: _fmt_point(o.view_latitude, o.view_longitude)),
        (gettext_lazy("Start"), lambda o: o.start.date()),
        (gettext_lazy("End"), lambda o: o.end.date()),
        (gettext_lazy("Feature type"), lambda o: o.feature_type or "—"),
        (gettext_lazy("Protected area"), lambda o: o.protected_area or "—"),
        (gettext_lazy("Owner"), lambda o: o.owner_agency.code),
    )


class DeploymentDetailView(PortalDetailView):
    model = Deployment
    template_name = "monitoring/deployment_detail.html"
    select_related_fields = ("owner_agency", "feature_type", "protected_area", "survey")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        point = services.deployment_location(self.principal, self.object)
        context["point"] = point
        context["map_geojson"] = deployments_geojson(self.principal, [self.object])
        observations = Observation.objects.visible_to(self.principal).filter(deployment=self.object)
        context["observation_count"] = observations.count()
        context["species_counts"] = (
            observations.exclude(species=None)
            .values("species__scientific_name")
            .order_by("species__scientific_name")
            .annotate(n=Count("pk"))
        )
        context["chart"] = services.svg_bar_chart(
            services.detections_by_month(observations.filter(observation_type="animal")), _("Detections per month")
        )
        return context


class DeploymentCreateView(PortalCreateView):
    model = Deployment
    fields = DEPLOYMENT_FIELDS
    template_name = "core/record_form.html"


class DeploymentUpdateView(PortalUpdateView):
    model = Deployment
    fields = DEPLOYMENT_FIELDS
    template_name = "core/record_form.html"


def deployments_geojson(principal, deployments):
    """GeoJSON points as `principal` may see them; generalized ones say so."""
    owners = services.precise_owner_ids(principal)
    features = []
    for deployment in deployments:
        point = services.deployment_location(principal, deployment, owners)
        if point is None:
            continue
        note = ""
        if point.generalized:
            note = _("Location generalized to a %(grid)s° grid (sensitive species).") % {"grid": point.grid_degrees}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(point.longitude, 6), round(point.latitude, 6)]},
                "properties": {
                    "name": deployment.deployment_id,
                    "url": deployment.get_absolute_url(),
                    "generalized": point.generalized,
                    "uncertainty_m": point.uncertainty_m,
                    "note": note,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@login_required
def deployment_map(request):
    principal = principal_for(request)
    queryset = Deployment.objects.visible_to(principal).select_related("owner_agency")
    queryset = services.annotate_view_location(queryset, principal)
    filterset = filters.DeploymentFilterSet(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and filterset.is_valid():
        queryset = filterset.qs
    from reserves.services import protected_areas_geojson

    return render(
        request,
        "monitoring/deployment_map.html",
        {
            "filter": filterset,
            "deployments_geojson": deployments_geojson(principal, queryset[:5000]),
            "areas_geojson": protected_areas_geojson(principal),
        },
    )


class ObservationListView(LocationListMixin, TableListView):
    model = Observation
    filterset_class = filters.ObservationFilterSet
    location_prefix = "deployment__"
    title = gettext_lazy("Camera-trap observations")
    select_related_fields = ("owner_agency", "deployment", "species", "individual")
    ordering_choices = (
        ("event_start", gettext_lazy("Event start")),
        ("view_latitude", gettext_lazy("Latitude")),
        ("view_longitude", gettext_lazy("Longitude")),
    )
    columns = (
        (gettext_lazy("Observation"), lambda o: o.observation_id),
        (gettext_lazy("Event start"), lambda o: o.event_start.strftime("%Y-%m-%d %H:%M")),
        (gettext_lazy("Type"), lambda o: o.observation_type),
        (gettext_lazy("Species"), lambda o: o.species or o.scientific_name or "—"),
        (gettext_lazy("Count"), lambda o: o.count or "—"),
        (gettext_lazy("Individual"), lambda o: o.individual.catalogue_code if o.individual_id else "—"),
        (gettext_lazy("Deployment"), lambda o: o.deployment.deployment_id),
        (gettext_lazy("Location"), lambda o: _fmt_point(o.view_latitude, o.view_longitude)),
    )


class ObservationDetailView(PortalDetailView):
    model = Observation
    template_name = "monitoring/observation_detail.html"
    select_related_fields = ("owner_agency", "deployment", "species", "individual", "media")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["point"] = services.deployment_location(self.principal, self.object.deployment)
        return context


# --- transects ------------------------------------------------------------------------------------

TRANSECT_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "survey",
    "name",
    "date",
    "route",
    "snow_age_days",
    "observers",
]


class TransectListView(TableListView):
    model = SnowTrackTransect
    filterset_class = filters.SnowTrackTransectFilterSet
    title = gettext_lazy("Snow-track transects")
    create_url_name = "monitoring:transect-create"
    select_related_fields = ("owner_agency",)
    columns = (
        (gettext_lazy("Name"), lambda o: o.name),
        (gettext_lazy("Date"), lambda o: o.date),
        (gettext_lazy("Length (km)"), lambda o: o.length_km),
        (gettext_lazy("Owner"), lambda o: o.owner_agency.code),
    )


class TransectDetailView(PortalDetailView):
    model = SnowTrackTransect
    template_name = "monitoring/transect_detail.html"
    prefetch_related_fields = ("tracks__species",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        route, centre = services.transect_location(self.principal, self.object)
        features = []
        if route:
            features.append({"type": "Feature", "geometry": route, "properties": {"name": self.object.name}})
        elif centre:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [centre.longitude, centre.latitude]},
                    "properties": {"name": self.object.name, "generalized": True},
                }
            )
        context["centre"] = centre
        context["route_geojson"] = {"type": "FeatureCollection", "features": features}
        return context


class TrackFormMixin:
    """The transect form carries tracks per species as 'species=count' lines."""

    def get_form_class(self):
        base = super().get_form_class()

        class TransectForm(base):
            tracks_text = forms.CharField(
                label=_("Tracks per species"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("One line per species: scientific name = number of tracks."),
            )

            def clean_tracks_text(self):
                parsed = []
                for line in self.cleaned_data["tracks_text"].splitlines():
                    if not line.strip():
                        continue
                    name, _sep, number = line.partition("=")
                    species = Species.objects.filter(scientific_name=name.strip()).first()
                    if species is None or not number.strip().isdigit():
                        raise ValidationError(_("Cannot read “%(line)s”.") % {"line": line})
                    parsed.append((species, int(number)))
                return parsed

        return TransectForm

    def get_initial(self):
        initial = super().get_initial()
        if getattr(self, "object", None) is not None and self.object.pk:
            initial["tracks_text"] = "\n".join(
                f"{t.species.scientific_name} = {t.tracks}" for t in self.object.tracks.all()
            )
        return initial

    def form_valid(self, form):
        response = super().form_valid(form)
        from .models import TransectTrack

        self.object.tracks.all().delete()
        for species, number in form.cleaned_data["tracks_text"]:
            TransectTrack.objects.create(transect=self.object, species=species, tracks=number)
        self.object.location_category = self.object.compute_location_category()
        self.object.save()
        return response


class TransectCreateView(TrackFormMixin, PortalCreateView):
    model = SnowTrackTransect
    fields = TRANSECT_FIELDS
    template_name = "core/record_form.html"


class TransectUpdateView(TrackFormMixin, PortalUpdateView):
    model = SnowTrackTransect
    fields = TRANSECT_FIELDS
    template_name = "core/record_form.html"


# --- individual catalogue -------------------------------------------------------------------------

INDIVIDUAL_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "species",
    "catalogue_code",
    "name",
    "sex",
    "first_detected",
    "notes",
]


class IndividualListView(TableListView):
    model = Individual
    filterset_class = filters.IndividualFilterSet
    title = gettext_lazy("Individual catalogue")
    create_url_name = "monitoring:individual-create"
    select_related_fields = ("owner_agency", "species")
    prefetch_related_fields = ("aliases__agency",)
    columns = (
        (gettext_lazy("Code"), lambda o: o.catalogue_code),
        (gettext_lazy("Species"), lambda o: o.species.common_name),
        (gettext_lazy("Sex"), lambda o: o.get_sex_display()),
        (gettext_lazy("First detected"), lambda o: o.first_detected or "—"),
        (gettext_lazy("Agency IDs"), lambda o: ", ".join(f"{a.agency.code}: {a.local_id}" for a in o.aliases.all())),
        (gettext_lazy("Status"), lambda o: o.get_status_display()),
    )


class IndividualDetailView(PortalDetailView):
    model = Individual
    template_name = "monitoring/individual_detail.html"
    select_related_fields = ("species", "owner_agency", "merged_into")
    prefetch_related_fields = ("aliases__agency",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        detections = (
            Observation.objects.visible_to(self.principal)
            .filter(individual=self.object)
            .select_related("deployment", "deployment__owner_agency", "owner_agency")
            .order_by("event_start")
        )
        owners = services.precise_owner_ids(self.principal)
        sides = {"CN": [], "RU": [], "INT": []}
        for observation in detections[:2000]:
            point = services.deployment_location(self.principal, observation.deployment, owners)
            sides.setdefault(observation.deployment.owner_agency.country, []).append((observation, point))
        context["china"], context["russia"] = sides["CN"], sides["RU"]
        context["chart"] = services.svg_bar_chart(services.detections_by_month(detections), _("Detections per month"))
        context["history"] = (
            (CatalogueEvent.objects.filter(source=self.object) | CatalogueEvent.objects.filter(target=self.object))
            .select_related("source", "target", "actor")
            .order_by("created_at")
        )
        context["candidates"] = (
            Individual.objects.visible_to(self.principal)
            .filter(species=self.object.species, status="active")
            .exclude(pk=self.object.pk)
        )
        context["can_propose"] = self.principal.can_write
        return context


class IndividualCreateView(PortalCreateView):
    model = Individual
    fields = INDIVIDUAL_FIELDS
    template_name = "core/record_form.html"


class IndividualUpdateView(PortalUpdateView):
    model = Individual
    fields = INDIVIDUAL_FIELDS
    template_name = "core/record_form.html"


@login_required
@require_POST
def propose_match(request, pk):
    principal = principal_for(request)
    visible = Individual.objects.visible_to(principal)
    individual = get_object_or_404(visible, pk=pk)
    other = get_object_or_404(visible, pk=request.POST.get("other"))
    try:
        proposal = services.propose_match(principal, individual, other, request.POST.get("evidence", ""))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(individual.get_absolute_url())
    messages.success(request, _("Match proposed; an expert of the other country will review it."))
    return HttpResponseRedirect(proposal.get_absolute_url())


class MatchListView(TableListView):
    model = MatchProposal
    filterset_class = filters.MatchProposalFilterSet
    title = gettext_lazy("Match proposals")
    select_related_fields = ("individual", "other", "owner_agency")
    columns = (
        (gettext_lazy("Our individual"), lambda o: o.individual),
        (gettext_lazy("Their individual"), lambda o: o.other),
        (gettext_lazy("Proposed by"), lambda o: o.owner_agency.code),
        (gettext_lazy("Status"), lambda o: o.get_status_display()),
    )


class MatchDetailView(PortalDetailView):
    model = MatchProposal
    template_name = "monitoring/match_detail.html"
    select_related_fields = ("individual", "other", "owner_agency", "reviewed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_review"] = self.object.status == "proposed" and services.can_review_match(
            self.principal, self.object
        )
        return context


@login_required
@require_POST
def review_match(request, pk):
    principal = principal_for(request)
    proposal = get_object_or_404(MatchProposal.objects.visible_to(principal), pk=pk)
    confirm = request.POST.get("decision") == "confirm"
    return _post_decision(request, proposal, lambda note: services.review_match(principal, proposal, confirm, note))


def _post_decision(request, record, decide):
    """Run a reviewer's decision sent from a page; a refused decision becomes an error message."""
    try:
        decide(request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return HttpResponseRedirect(record.get_absolute_url())


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    species = forms.ModelChoiceField(
        label=gettext_lazy("Species"), queryset=Species.objects.filter(is_target=True), required=False
    )


@login_required
def cross_border_report(request):
    principal = principal_for(request)
    form = style_form(PeriodForm(request.GET or None))
    start, end, species = datetime.date(1900, 1, 1), datetime.date.today(), None
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        species = form.cleaned_data["species"]
    report = services.cross_border_table(principal, start, end, species=species)
    return render(request, "monitoring/cross_border_report.html", {"form": form, "report": report})


# --- protocols ------------------------------------------------------------------------------------

PROTOCOL_FIELDS = ["owner_agency", "sensitivity", "shared_with", "key", "method", "title"]


class ProtocolListView(TableListView):
    model = Protocol
    filterset_class = filters.ProtocolFilterSet
    title = gettext_lazy("Survey protocols")
    create_url_name = "monitoring:protocol-create"
    select_related_fields = ("owner_agency",)
    columns = (
        (gettext_lazy("Key"), lambda o: o.key),
        (gettext_lazy("Title"), lambda o: o.title),
        (gettext_lazy("Method"), lambda o: o.get_method_display()),
    )


class ProtocolDetailView(PortalDetailView):
    model = Protocol
    template_name = "monitoring/protocol_detail.html"
    prefetch_related_fields = ("versions__adopted_by",)


class ProtocolVersionForm(forms.ModelForm):
    """A new version of a protocol: trilingual title and summary, document, dates, adopting agencies."""

    class Meta:
        from .models import ProtocolVersion

        model = ProtocolVersion
        fields = [
            "version",
            "title_zh_hans",
            "title_en",
            "title_ru",
            "summary_zh_hans",
            "summary_en",
            "summary_ru",
            "document",
            "effective_from",
            "effective_until",
            "adopted_by",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_until": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(c) for c in ("title_zh_hans", "title_en", "title_ru")):
            self.add_error("title_en", _("Give this text in at least one language."))
        return cleaned


@login_required
def protocol_version_create(request, pk):
    from core.access import can_edit

    principal = principal_for(request)
    protocol = get_object_or_404(Protocol.objects.visible_to(principal), pk=pk)
    if not can_edit(principal, protocol):
        raise PermissionDenied(_("Only the owning agency may change this record."))
    form = ProtocolVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        version = form.save(commit=False)
        version.protocol = protocol
        version.save()
        form.save_m2m()
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(protocol.get_absolute_url())
    return render(request, "core/record_form.html", {"form": form, "object": None})


class ProtocolCreateView(PortalCreateView):
    model = Protocol
    fields = PROTOCOL_FIELDS
    template_name = "core/record_form.html"


class ProtocolUpdateView(PortalUpdateView):
    model = Protocol
    fields = PROTOCOL_FIELDS
    template_name = "core/record_form.html"


# --- data sharing: Camtrap DP import page ---------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Camtrap DP package (zip)"))
    survey = forms.ModelChoiceField(label=gettext_lazy("Survey"), queryset=Survey.objects.none(), required=False)


@login_required
def camtrap_import(request):
    principal = principal_for(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    form.fields["survey"].queryset = Survey.objects.editable_by(principal)
    errors = []
    if request.method == "POST":
        if not principal.can_write or principal.agency is None:
            raise PermissionDenied(_("Your account is read-only."))
        if form.is_valid():
            try:
                run = import_package(
                    form.cleaned_data["file"], principal.agency, principal=principal, survey=form.cleaned_data["survey"]
                )
            except PackageInvalid as exc:
                errors = [format_error(e) for e in exc.errors]
            else:
                messages.success(
                    request,
                    _("Imported %(d)s deployments, %(m)s media and %(o)s observations.")
                    % {"d": run.deployments, "m": run.media, "o": run.observations},
                )
                return HttpResponseRedirect(reverse("monitoring:deployment-list"))
    from .models import ImportRun

    recent = ImportRun.objects.visible_to(principal).select_related("owner_agency").order_by("-created_at")[:20]
    crosswalk = Crosswalk.objects.filter(agency_id=principal.agency_id).order_by("vocabulary", "local_code")
    return render(
        request,
        "monitoring/camtrap_import.html",
        {
            "form": form,
            "errors": errors,
            "recent": recent,
            "crosswalk": crosswalk,
            "crosswalk_form": style_form(CrosswalkForm()) if principal.can_write and principal.agency else None,
        },
    )


# --- research -------------------------------------------------------------------------------------

PROJECT_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "title",
    "summary",
    "agencies",
    "researchers",
    "start_date",
    "end_date",
    "datasets_used",
]


class ProjectListView(TableListView):
    model = ResearchProject
    filterset_class = filters.ResearchProjectFilterSet
    title = gettext_lazy("Research projects")
    create_url_name = "monitoring:project-create"
    select_related_fields = ("owner_agency",)
    columns = (
        (gettext_lazy("Title"), lambda o: o.title),
        (gettext_lazy("Start"), lambda o: o.start_date),
        (gettext_lazy("End"), lambda o: o.end_date or "—"),
        (gettext_lazy("Owner"), lambda o: o.owner_agency.code),
    )


class ProjectDetailView(PortalDetailView):
    model = ResearchProject
    template_name = "monitoring/project_detail.html"
    prefetch_related_fields = ("agencies", "publications", "datasets_used")


class ProjectCreateView(PortalCreateView):
    model = ResearchProject
    fields = PROJECT_FIELDS
    template_name = "core/record_form.html"


class ProjectUpdateView(PortalUpdateView):
    model = ResearchProject
    fields = PROJECT_FIELDS
    template_name = "core/record_form.html"


class RequestListView(TableListView):
    model = DataRequest
    filterset_class = filters.DataRequestFilterSet
    title = gettext_lazy("Data requests")
    create_url_name = "monitoring:request-create"
    select_related_fields = ("owner_agency", "requested_from")
    columns = (
        (gettext_lazy("Request"), lambda o: str(o)),
        (gettext_lazy("From"), lambda o: o.owner_agency.code),
        (gettext_lazy("Status"), lambda o: o.get_status_display()),
        (gettext_lazy("Needed until"), lambda o: o.needed_until),
    )


class RequestDetailView(PortalDetailView):
    model = DataRequest
    template_name = "monitoring/request_detail.html"
    select_related_fields = ("owner_agency", "requested_from", "requester", "decided_by", "grant")
    prefetch_related_fields = ("history__by",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_decide"] = self.object.status == "submitted" and services.can_decide(self.principal, self.object)
        return context


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


@login_required
def request_create(request):
    principal = principal_for(request)
    if not principal.can_write:
        raise PermissionDenied(_("Your account is read-only."))
    form = RequestForm(request.POST or None)
    form.fields["project"].queryset = ResearchProject.objects.visible_to(principal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.submit_data_request(
                principal,
                data["requested_from"],
                data["requested_dataset"],
                data["purpose"],
                data["needed_until"],
                data["project"],
            )
        except ValidationError as exc:
            form.add_error("requested_from", exc)
        else:
            messages.success(request, _("Request sent."))
            return HttpResponseRedirect(created.get_absolute_url())
    return render(request, "monitoring/request_form.html", {"form": form})


@login_required
@require_POST
def request_decide(request, pk):
    principal = principal_for(request)
    data_request = get_object_or_404(DataRequest.objects.visible_to(principal), pk=pk)
    approve = request.POST.get("decision") == "approve"
    return _post_decision(
        request, data_request, lambda note: services.decide_data_request(principal, data_request, approve, note)
    )


class CrosswalkForm(forms.ModelForm):
    class Meta:
        model = Crosswalk
        fields = ("vocabulary", "local_code", "shared_key")

    def clean(self):
        cleaned = super().clean()
        # The agency is not a form field, so the unique constraint has to be checked here.
        duplicate = Crosswalk.objects.filter(
            agency=self.instance.agency, vocabulary=cleaned.get("vocabulary"), local_code=cleaned.get("local_code")
        )
        if duplicate.exists():
            raise forms.ValidationError(_("Your agency already maps this local code."))
        return cleaned


@login_required
def crosswalk_edit(request):
    """An agency maps its own local codes to the shared keys (used by every import it makes)."""
    principal = principal_for(request)
    if request.method != "POST":
        return HttpResponseRedirect(reverse("monitoring:camtrap-import"))
    if not principal.can_write or principal.agency is None:
        raise PermissionDenied(_("Your account is read-only."))
    delete_id = request.POST.get("delete")
    if delete_id:
        Crosswalk.objects.filter(pk=delete_id, agency=principal.agency).delete()
        messages.success(request, _("The crosswalk entry was removed."))
        return HttpResponseRedirect(reverse("monitoring:camtrap-import"))
    form = style_form(CrosswalkForm(request.POST, instance=Crosswalk(agency=principal.agency)))
    if form.is_valid():
        form.save()
        messages.success(request, _("The crosswalk entry was added."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return HttpResponseRedirect(reverse("monitoring:camtrap-import"))
