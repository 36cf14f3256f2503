"""The monitoring app's record pages on core.pages: surveys, deployments, transects, individuals,
protocols, research projects, data requests and match proposals.

What is special stays in partials and small view subclasses: points shown as the viewer may see
them (services.deployment_location), the derived fields kept after each save (AfterSaveMixin),
the survey report read from the registered figures, the workflows' buttons and history.
"""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.pages import Column, RecordCreateView, RecordDetailView, RecordListView, RecordPages, RecordUpdateView
from core.personal_data import hidden_personal_fields
from core.views_documents import attachment_context
from core.views_workflow import WorkflowDetailMixin

from . import filters, forms, services
from .models import (
    CatalogueEvent,
    DataRequest,
    Deployment,
    Individual,
    MatchProposal,
    Observation,
    Protocol,
    ResearchProject,
    SnowTrackTransect,
    Survey,
)
from .services.locations import annotate_area_shown, deployment_view, media_gallery, visible_area_id
from .views.base import AfterSaveMixin, fmt_point


def _viewer_point(record):
    return fmt_point(getattr(record, "view_latitude", None), getattr(record, "view_longitude", None))


def _viewer_area(record):
    # annotated by DeploymentListView: the area only where it says no more than the viewer's cell
    return record.protected_area if getattr(record, "view_area_shown", False) else None


class WorkflowDetailView(WorkflowDetailMixin, RecordDetailView):
    """The workflow's buttons (bound to the revision shown) and history: core/_workflow.html."""


class LocatedListView(RecordListView):
    """Lists order and filter on the point as the viewer may see it (annotated in SQL)."""

    location_prefix = ""

    def base_queryset(self):
        return services.annotate_view_location(super().base_queryset(), self.principal, self.location_prefix)


# --- surveys --------------------------------------------------------------------------------------


class SurveyPages(RecordPages):
    model = Survey
    prefix = "survey"
    filterset_class = filters.SurveyFilterSet
    columns = [
        Column("name", link=True),
        "kind",
        "method",
        Column("start_date", label=_("Start")),
        Column("end_date", label=_("End")),
        Column("owner_agency.code", label=_("Owner")),
    ]
    ordering_fields = ("start_date", "end_date", "kind", "method")
    form_class = forms.SurveyForm
    detail_template = "monitoring/survey_detail.html"
    select_related_fields = ("owner_agency", "protocol_version__protocol")
    prefetch_related_fields = ("participating_agencies",)

    def detail_context(self, record, principal):
        report = services.joint_survey_report(principal, record)
        return {"report": report, "effort": report["effort"]}


# --- deployments ----------------------------------------------------------------------------------


class DeploymentListView(LocatedListView):
    def base_queryset(self):
        return annotate_area_shown(super().base_queryset(), self.principal)


class DeploymentDetailView(RecordDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record, principal = self.object, self.principal
        view = deployment_view(principal, record)
        context["point"] = view.point
        context["deployment_view"] = view
        context["area"] = record.protected_area if view.protected_area_id else None
        # The generic field list would show what may carry the point: the template shows the view.
        context["record_fields"] = []
        from .views.deployments import deployments_geojson

        context["map_geojson"] = deployments_geojson(principal, [record])
        observations = Observation.objects.visible_to(principal).filter(deployment=record)
        context["observation_count"] = observations.count()
        context["species_counts"] = (
            observations.exclude(species=None)
            .values("species__scientific_name")
            .order_by("species__scientific_name")
            .annotate(n=Count("pk"))
        )
        context["chart"] = services.detections_chart(observations.filter(observation_type="animal"))
        context["media_items"], context["media_more"] = media_gallery(principal, deployment=record)
        return context


class DeploymentSaveMixin(AfterSaveMixin):
    def after_save(self, form):
        services.deployment_saved(self.object)


class DeploymentCreateView(DeploymentSaveMixin, RecordCreateView):
    pass


class DeploymentUpdateView(DeploymentSaveMixin, RecordUpdateView):
    pass


class DeploymentPages(RecordPages):
    model = Deployment
    prefix = "deployment"
    filterset_class = filters.DeploymentFilterSet
    columns = [
        Column("deployment_id", link=True),
        Column("location", label=_("Location"), value=_viewer_point, sort="view_latitude"),
        Column("start", label=_("Start"), value=lambda d: d.start.date()),
        Column("end", label=_("End"), value=lambda d: d.end.date()),
        "feature_type",
        Column("protected_area", label=_("Protected area"), value=_viewer_area, sort=""),
        Column("owner_agency.code", label=_("Owner")),
    ]
    ordering_fields = ("start", "end", "deployment_id", "view_latitude", "view_longitude")
    form_class = forms.DeploymentForm
    detail_template = "monitoring/deployment_detail.html"
    select_related_fields = ("owner_agency", "feature_type", "protected_area", "survey")
    list_view = DeploymentListView
    detail_view = DeploymentDetailView
    create_view = DeploymentCreateView
    edit_view = DeploymentUpdateView


class ObservationDetailView(RecordDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["point"] = services.deployment_location(self.principal, self.object.deployment)
        context["record_fields"] = []  # the template shows what the viewer may see
        context["media_items"], context["media_more"] = media_gallery(self.principal, observation=self.object)
        return context


class ObservationListView(LocatedListView):
    location_prefix = "deployment__"


class ObservationPages(RecordPages):
    """Observations come from imports and the API; the pages list and show them."""

    model = Observation
    prefix = "observation"
    filterset_class = filters.ObservationFilterSet
    columns = [
        Column("observation_id", link=True),
        Column("event_start", label=_("Event start")),
        Column("observation_type", label=_("Type")),
        Column("species", value=lambda o: o.species or o.scientific_name or "—"),
        "count",
        Column("individual.catalogue_code", label=_("Individual")),
        Column("deployment.deployment_id", label=_("Deployment")),
        Column("location", label=_("Location"), value=_viewer_point, sort="view_latitude"),
    ]
    ordering_fields = ("event_start", "view_latitude", "view_longitude")
    actions = ("list", "detail")
    detail_template = "monitoring/observation_detail.html"
    select_related_fields = ("owner_agency", "deployment", "species", "individual", "media")
    list_view = ObservationListView
    detail_view = ObservationDetailView


# --- snow-track transects -------------------------------------------------------------------------


class TransectDetailView(RecordDetailView):
    def get_context_data(self, **kwargs):
        from core import geojson

        context = super().get_context_data(**kwargs)
        route, centre = services.transect_location(self.principal, self.object)
        context["record_fields"] = []  # the template shows what the viewer may see
        context["area"] = (
            self.object.protected_area if visible_area_id(self.principal, self.object) is not None else None
        )
        # The route as recorded when the viewer may see it, else the generalized centre.
        context["centre"] = centre
        context["show_observers"] = "observers" not in hidden_personal_fields(self.object, self.principal)
        context["route_geojson"] = geojson.records_collection(
            [self.object], lambda transect: route or centre, lambda transect: {"name": transect.name}
        )
        return context


class TransectSaveMixin(AfterSaveMixin):
    def after_save(self, form):
        services.replace_transect_tracks(self.object, form.cleaned_data["tracks"])


class TransectCreateView(TransectSaveMixin, RecordCreateView):
    pass


class TransectUpdateView(TransectSaveMixin, RecordUpdateView):
    pass


class TransectPages(RecordPages):
    model = SnowTrackTransect
    prefix = "transect"
    filterset_class = filters.SnowTrackTransectFilterSet
    columns = [Column("name", link=True), "date", "length_km", Column("owner_agency.code", label=_("Owner"))]
    form_class = forms.TransectForm
    detail_template = "monitoring/transect_detail.html"
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("tracks__species",)
    detail_view = TransectDetailView
    create_view = TransectCreateView
    edit_view = TransectUpdateView


# --- the individual catalogue and match proposals -------------------------------------------------


def _agency_ids(individual):
    return ", ".join(f"{a.agency.code}: {a.local_id}" for a in individual.aliases.all())


class IndividualDetailView(RecordDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record, principal = self.object, self.principal
        detections = (
            Observation.objects.visible_to(principal)
            .filter(individual=record)
            .select_related("deployment", "deployment__owner_agency", "owner_agency")
            .order_by("event_start")
        )
        owners = services.precise_owner_ids(principal)
        sides = {"CN": [], "RU": []}
        for observation in detections[:2000]:
            point = services.deployment_location(principal, observation.deployment, owners)
            sides.setdefault(observation.deployment.owner_agency.country, []).append((observation, point))
        context["china"], context["russia"] = sides["CN"], sides["RU"]
        context["chart"] = services.detections_chart(detections)
        context["history"] = (
            (CatalogueEvent.objects.filter(source=record) | CatalogueEvent.objects.filter(target=record))
            .select_related("source", "target", "actor")
            .order_by("created_at")
        )
        context["candidates"] = (
            Individual.objects.visible_to(principal)
            .filter(species=record.species, status="active")
            .exclude(pk=record.pk)
        )
        context["can_propose"] = principal.can_write
        return context


class IndividualPages(RecordPages):
    model = Individual
    prefix = "individual"
    filterset_class = filters.IndividualFilterSet
    columns = [
        Column("catalogue_code", link=True),
        Column("species.common_name", label=_("Species")),
        "sex",
        "first_detected",
        Column("aliases", label=_("Agency IDs"), value=_agency_ids),
        "status",
    ]
    ordering_fields = ("catalogue_code", "first_detected", "status")
    fields = forms.INDIVIDUAL_FIELDS
    detail_template = "monitoring/individual_detail.html"
    select_related_fields = ("owner_agency", "species", "merged_into")
    prefetch_related_fields = ("aliases__agency",)
    detail_view = IndividualDetailView


class MatchPages(RecordPages):
    """Proposals are made from an individual's page; confirm and reject are workflow steps."""

    model = MatchProposal
    prefix = "match"
    path = "matches/"
    filterset_class = filters.MatchProposalFilterSet
    columns = [
        Column("individual", label=_("Our individual"), link=True),
        Column("other", label=_("Their individual")),
        Column("owner_agency.code", label=_("Proposed by")),
        "status",
    ]
    actions = ("list", "detail")
    detail_template = "monitoring/match_detail.html"
    select_related_fields = ("individual", "other", "owner_agency", "reviewed_by")
    detail_view = WorkflowDetailView


# --- protocols ------------------------------------------------------------------------------------


class ProtocolPages(RecordPages):
    model = Protocol
    prefix = "protocol"
    filterset_class = filters.ProtocolFilterSet
    columns = [Column("key", link=True), "title", "method"]
    fields = forms.PROTOCOL_FIELDS
    detail_template = "monitoring/protocol_detail.html"
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("versions__adopted_by",)

    def detail_context(self, record, principal):
        # Each version's documents, downloaded only through core's access-checked view.
        versions = list(record.versions.all())
        for version in versions:
            version.files = attachment_context(version, principal)
        return {"versions": versions}


# --- research projects and data requests ----------------------------------------------------------


class ProjectPages(RecordPages):
    model = ResearchProject
    prefix = "project"
    path = "research/"
    filterset_class = filters.ResearchProjectFilterSet
    columns = [
        Column("title", link=True),
        Column("start_date", label=_("Start")),
        Column("end_date", label=_("End")),
        Column("owner_agency.code", label=_("Owner")),
    ]
    fields = forms.PROJECT_FIELDS
    detail_template = "monitoring/project_detail.html"
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("agencies", "publications", "datasets_used")


class RequestPages(RecordPages):
    """A request is made through services.submit_data_request (monitoring.views.research); its
    decisions are workflow steps."""

    model = DataRequest
    prefix = "request"
    path = "requests/"
    filterset_class = filters.DataRequestFilterSet
    columns = [
        Column("__str__", label=_("Request"), link=True),
        Column("owner_agency.code", label=_("From")),
        "status",
        "needed_until",
    ]
    ordering_fields = ("needed_until", "status")
    actions = ("list", "detail")
    detail_template = "monitoring/request_detail.html"
    select_related_fields = ("owner_agency", "requested_from", "requester", "decided_by", "grant")
    detail_view = WorkflowDetailView


PAGES = (
    SurveyPages(),
    DeploymentPages(),
    ObservationPages(),
    TransectPages(),
    IndividualPages(),
    MatchPages(),
    ProtocolPages(),
    ProjectPages(),
    RequestPages(),
)
