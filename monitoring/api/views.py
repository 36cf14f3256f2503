import datetime
import json
import tempfile

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import SecretariatOrAdminWrite
from core.api.views import PrincipalMixin, SharedRecordViewSet
from core.api.workflow import WorkflowViewSetMixin
from core.models import Agency, Species
from core.workflow import watch
from reserves.models import ProtectedArea

from .. import filters, services
from ..models import (
    CatalogueEvent,
    Crosswalk,
    DataRequest,
    Deployment,
    EffortUnit,
    FeatureType,
    Individual,
    MatchProposal,
    Media,
    Observation,
    ObservationType,
    Protocol,
    ProtocolVersion,
    ResearchProject,
    SnowTrackTransect,
    Survey,
)
from ..services.locations import (
    DEFAULT_THUMBNAIL_SIZE,
    THUMBNAIL_SIZES,
    MediaFileMissing,
    MediaFileWithheld,
    media_file_for,
    media_thumbnail_for,
)
from . import serializers as s


class LocationViewSetMixin:
    """Annotates the viewer's coordinates in SQL and hands the precise-owner set to the serializer."""

    location_prefix = ""

    def get_queryset(self):
        queryset = super().get_queryset()
        return services.annotate_view_location(queryset, self.principal, self.location_prefix)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["precise_owners"] = services.precise_owner_ids(self.principal)
        return context


class ObservationTypeViewSet(PrincipalMixin, viewsets.ModelViewSet):
    serializer_class = s.ObservationTypeSerializer
    permission_classes = [SecretariatOrAdminWrite]
    lookup_field = "key"
    ordering = ("key",)

    def get_queryset(self):
        return ObservationType.objects.all()


class FeatureTypeViewSet(ObservationTypeViewSet):
    serializer_class = s.FeatureTypeSerializer

    def get_queryset(self):
        return FeatureType.objects.all()


class EffortUnitViewSet(ObservationTypeViewSet):
    serializer_class = s.EffortUnitSerializer

    def get_queryset(self):
        return EffortUnit.objects.all()


class CrosswalkViewSet(PrincipalMixin, viewsets.ModelViewSet):
    """Each agency keeps its own crosswalk; everyone may read all of them."""

    serializer_class = s.CrosswalkSerializer
    ordering = ("agency__code", "vocabulary", "local_code")
    ordering_fields = ("local_code",)

    def get_queryset(self):
        queryset = Crosswalk.objects.select_related("agency")
        agency = self.request.query_params.get("agency")
        return queryset.filter(agency__code=agency) if agency else queryset

    def _check(self, agency):
        if not (self.principal.is_superuser or (self.principal.can_write and agency.pk == self.principal.agency_id)):
            raise PermissionDenied(_("Only the agency itself may change its crosswalk."))

    def perform_create(self, serializer):
        self._check(serializer.validated_data["agency"])
        serializer.save()

    def perform_update(self, serializer):
        self._check(serializer.instance.agency)
        self._check(serializer.validated_data.get("agency", serializer.instance.agency))
        serializer.save()

    def perform_destroy(self, instance):
        self._check(instance.agency)
        instance.delete()


class ProtocolViewSet(SharedRecordViewSet):
    model = Protocol
    serializer_class = s.ProtocolSerializer
    filterset_class = filters.ProtocolFilterSet
    prefetch_related_fields = ("versions__adopted_by",)


class ProtocolVersionViewSet(PrincipalMixin, viewsets.ModelViewSet):
    serializer_class = s.ProtocolVersionSerializer
    ordering = ("-effective_from",)

    def get_queryset(self):
        protocols = Protocol.objects.visible_to(self.principal)
        return (
            ProtocolVersion.objects.filter(protocol__in=protocols)
            .select_related("protocol")
            .prefetch_related("adopted_by")
        )

    def _check(self, protocol):
        from core.access import can_edit

        if not can_edit(self.principal, protocol):
            raise PermissionDenied(_("Only the owning agency may change this record."))

    def perform_create(self, serializer):
        self._check(serializer.validated_data["protocol"])
        serializer.save()

    def perform_update(self, serializer):
        self._check(serializer.instance.protocol)
        serializer.save()

    def perform_destroy(self, instance):
        self._check(instance.protocol)
        instance.delete()


class SurveyViewSet(SharedRecordViewSet):
    model = Survey
    serializer_class = s.SurveySerializer
    filterset_class = filters.SurveyFilterSet
    prefetch_related_fields = ("participating_agencies",)
    ordering_fields = ("created_at", "updated_at", "start_date")

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """Joint survey report: per side deployments, trap-nights, detections and rates, individuals."""
        survey = self.get_object()
        return Response(joint_report_json(services.joint_survey_report(self.principal, survey)))


def joint_report_json(report):
    return {
        "survey": str(report["survey"].pk),
        "name": report["survey"].name,
        "kind": report["survey"].kind,
        "sides": [
            {
                **{k: side[k] for k in ("country", "agencies", "deployments", "trap_nights", "individuals")},
                "species": [
                    {
                        "scientific_name": row["species"].scientific_name,
                        "detections": row["detections"],
                        "rate_per_100_trap_nights": row["rate_per_100"],
                    }
                    for row in side["species"]
                ],
            }
            for side in report["sides"]
        ],
        "individuals_total": report["individuals_total"],
        "individuals_both_sides": report["individuals_both_sides"],
    }


class DeploymentViewSet(LocationViewSetMixin, SharedRecordViewSet):
    model = Deployment
    serializer_class = s.DeploymentSerializer
    filterset_class = filters.DeploymentFilterSet
    select_related_fields = ("feature_type",)
    ordering_fields = ("created_at", "updated_at", "start", "deployment_id", "view_latitude", "view_longitude")

    def perform_create(self, serializer):
        super().perform_create(serializer)
        services.deployment_saved(serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        services.deployment_saved(serializer.instance)


class AnyMediaRenderer(BaseRenderer):
    """Lets a client that asks for the file's own type (Accept: image/jpeg) have it; errors stay JSON."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode()


FILE_RENDERERS = [JSONRenderer, AnyMediaRenderer]


class MediaViewSet(SharedRecordViewSet):
    model = Media
    serializer_class = s.MediaSerializer
    filterset_class = filters.MediaFilterSet
    select_related_fields = ("deployment",)
    ordering_fields = ("created_at", "updated_at", "timestamp")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["precise_owners"] = services.precise_owner_ids(self.principal)
        return context

    def _serve(self, make, *args, disposition="attachment"):
        media = self.get_object()
        try:
            data, content_type = make(self.principal, media, *args)
        except MediaFileMissing as exc:
            raise NotFound(str(exc)) from None
        except MediaFileWithheld as exc:
            raise PermissionDenied(str(exc)) from None
        return media_file_response(media, data, content_type, disposition)

    @extend_schema(
        responses={
            **{(200, t): OpenApiTypes.BINARY for t in ("image/jpeg", "image/png", "image/webp")},
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
        }
    )
    @action(detail=True, methods=["get"], url_path="file", url_name="file", renderer_classes=FILE_RENDERERS)
    def download(self, request, pk=None):
        """The stored file; without EXIF (or any metadata) for those who see its point generalized."""
        return self._serve(media_file_for)

    @extend_schema(
        parameters=[
            OpenApiParameter("size", int, description=_("Longest side in pixels."), enum=list(THUMBNAIL_SIZES))
        ],
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, **dict.fromkeys((400, 403, 404), OpenApiTypes.OBJECT)},
    )
    @action(detail=True, methods=["get"], url_path="thumbnail", url_name="thumbnail", renderer_classes=FILE_RENDERERS)
    def thumbnail(self, request, pk=None):
        """A small JPEG of the image, without any metadata, under the same rule as the file."""
        raw = request.query_params.get("size") or str(DEFAULT_THUMBNAIL_SIZE)
        if not raw.isdigit() or int(raw) not in THUMBNAIL_SIZES:
            sizes = ", ".join(str(v) for v in THUMBNAIL_SIZES)
            raise ValidationError({"size": [_("Give one of %(sizes)s.") % {"sizes": sizes}]})
        return self._serve(media_thumbnail_for, int(raw), disposition="inline")


def media_file_response(media, data, content_type, disposition="attachment"):
    from core.documents import FILE_TYPES
    from core.views_documents import DOWNLOAD_CSP

    extension = next((exts[0] for mime, exts in FILE_TYPES.values() if mime == content_type), "")
    response = HttpResponse(data, content_type=content_type)
    # A neutral name: the stored one may spell the place.
    response["Content-Disposition"] = f'{disposition}; filename="media-{media.pk}{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


class ObservationViewSet(LocationViewSetMixin, SharedRecordViewSet):
    model = Observation
    serializer_class = s.ObservationSerializer
    filterset_class = filters.ObservationFilterSet
    location_prefix = "deployment__"
    select_related_fields = ("deployment", "species", "individual")
    ordering_fields = ("created_at", "updated_at", "event_start", "view_latitude", "view_longitude")

    def perform_create(self, serializer):
        super().perform_create(serializer)
        services.observation_saved(serializer.instance)

    def perform_update(self, serializer):
        previous_deployment_id = serializer.instance.deployment_id
        super().perform_update(serializer)
        services.observation_saved(serializer.instance, previous_deployment_id)

    def perform_destroy(self, instance):
        deployment_id = instance.deployment_id
        super().perform_destroy(instance)
        services.observations_changed([deployment_id])


class SnowTrackTransectViewSet(SharedRecordViewSet):
    model = SnowTrackTransect
    serializer_class = s.SnowTrackTransectSerializer
    filterset_class = filters.SnowTrackTransectFilterSet
    prefetch_related_fields = ("tracks__species",)
    ordering_fields = ("created_at", "updated_at", "date")


class IndividualViewSet(SharedRecordViewSet):
    model = Individual
    serializer_class = s.IndividualSerializer
    filterset_class = filters.IndividualFilterSet
    select_related_fields = ("species",)
    prefetch_related_fields = ("aliases__agency",)
    ordering_fields = ("created_at", "updated_at", "catalogue_code", "first_detected")

    @extend_schema(responses=s.CatalogueEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        individual = self.get_object()
        events = CatalogueEvent.objects.filter(source=individual) | CatalogueEvent.objects.filter(target=individual)
        return Response(s.CatalogueEventSerializer(events.order_by("created_at"), many=True).data)

    @extend_schema(request=s.SplitSerializer)
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        individual = self.get_object()
        body = s.SplitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        aliases = body.validated_data["aliases"]
        try:
            new = services.split_individual(self.principal, individual, aliases, note=body.validated_data["note"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc))
        except DjangoValidationError as exc:
            raise ValidationError({"aliases": exc.messages})
        return Response(self.get_serializer(new).data, status=status.HTTP_201_CREATED)


class WorkflowEditMixin:
    """Edits of a record with a workflow: refused once it is decided (closed), in the edit's transaction."""

    def perform_update(self, serializer):
        with watch(serializer.instance, self.principal):
            super().perform_update(serializer)


class MatchProposalViewSet(WorkflowViewSetMixin, WorkflowEditMixin, SharedRecordViewSet):
    """Confirm or reject: POST …/{id}/transitions/confirm/ (or reject/) with the revision you saw."""

    model = MatchProposal
    serializer_class = s.MatchProposalSerializer
    filterset_class = filters.MatchProposalFilterSet
    select_related_fields = ("individual", "other", "reviewed_by", "owner_agency")

    def perform_create(self, serializer):
        super().perform_create(serializer)
        services.match_proposed(serializer.instance, self.principal)


class ResearchProjectViewSet(SharedRecordViewSet):
    model = ResearchProject
    serializer_class = s.ResearchProjectSerializer
    filterset_class = filters.ResearchProjectFilterSet
    prefetch_related_fields = ("agencies", "publications", "datasets_used")


class DataRequestViewSet(WorkflowViewSetMixin, WorkflowEditMixin, SharedRecordViewSet):
    """Approve, decline or withdraw: POST …/{id}/transitions/<name>/ with the revision you saw."""

    model = DataRequest
    serializer_class = s.DataRequestSerializer
    filterset_class = filters.DataRequestFilterSet
    select_related_fields = ("requested_from", "requester")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            created = services.submit_data_request(
                self.principal,
                data["requested_from"],
                data["requested_dataset"],
                data["purpose"],
                data["needed_until"],
                project=data.get("project"),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc))
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)


# --- data-sharing platform: Camtrap DP and Darwin Core -------------------------------------------


def export_filters(params):
    """Resolve ?agency=&survey=&start=&end=&species=&area= for the exports."""
    found = {}
    errors = {}
    if params.get("agency"):
        found["agency"] = Agency.objects.filter(code=params["agency"]).first() or errors.setdefault(
            "agency", [_("Unknown agency.")]
        )
    if params.get("survey"):
        try:
            found["survey"] = Survey.objects.filter(pk=params["survey"]).first()
        except DjangoValidationError:
            found["survey"] = None
        if found["survey"] is None:
            errors["survey"] = [_("Unknown survey.")]
    if params.get("species"):
        # The same careful matching as imports: spacing, case and underscores do not count.
        from ..services.taxa import match_species

        match = match_species(params["species"])
        found["species"] = Species.objects.filter(pk=match.pk).first() if match else None
        if found["species"] is None:
            errors["species"] = [_("Unknown species.")]
    if params.get("area"):
        try:
            found["area"] = ProtectedArea.objects.filter(pk=params["area"]).first()
        except DjangoValidationError:
            found["area"] = None
        if found["area"] is None:
            errors["area"] = [_("Unknown protected area.")]
    for key in ("start", "end"):
        if params.get(key):
            try:
                found[key] = datetime.date.fromisoformat(params[key])
            except ValueError:
                errors[key] = [_("Give a date as YYYY-MM-DD.")]
    if errors:
        raise ValidationError(errors)
    return found


EXPORT_PARAMETERS = [
    OpenApiParameter("agency", str, description="Owning agency's code."),
    OpenApiParameter("survey", str, description="Survey id."),
    OpenApiParameter("start", OpenApiTypes.DATE, description="From this day (YYYY-MM-DD)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Up to this day (YYYY-MM-DD)."),
    OpenApiParameter("species", str, description="Scientific name (spacing and case do not count)."),
    OpenApiParameter("area", str, description="Protected area id."),
]


class CamtrapExportView(PrincipalMixin, APIView):
    """GET a Camtrap DP 1.0.2 zip of what you may see, generalized for you.

    Filters: agency (code), survey (id), start, end (YYYY-MM-DD), species (scientific name), area (id).
    """

    @extend_schema(parameters=EXPORT_PARAMETERS, responses={(200, "application/zip"): bytes})
    def get(self, request):
        from ..camtrap.exporter import export_package

        found = export_filters(request.query_params)
        handle = tempfile.TemporaryFile()
        export_package(self.principal, handle, **found)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename="camtrap-dp.zip", content_type="application/zip")


class DwcaExportView(CamtrapExportView):
    """GET a Darwin Core Archive (occurrence core, meta.xml, eml.xml) of the observations you may see."""

    @extend_schema(parameters=EXPORT_PARAMETERS, responses={(200, "application/zip"): bytes})
    def get(self, request):
        from ..dwca.exporter import export_dwca

        found = export_filters(request.query_params)
        handle = tempfile.TemporaryFile()
        export_dwca(self.principal, handle, **found)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename="dwca.zip", content_type="application/zip")


class CrossBorderReportView(PrincipalMixin, APIView):
    """Individuals detected in China only, Russia only and in both (Vitkalova et al. 2018), with totals."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        found = export_filters(request.query_params)
        start = found.get("start") or datetime.date(1900, 1, 1)
        end = found.get("end") or datetime.date.today()
        report = services.cross_border_table(self.principal, start, end, species=found.get("species"))
        return Response(cross_border_json(report))


def cross_border_json(report):
    return {
        "start": report["start"].isoformat(),
        "end": report["end"].isoformat(),
        "rows": [
            {
                "scientific_name": row["species"].scientific_name,
                **{k: row[k] for k in ("china_only", "russia_only", "both", "total")},
                "individuals": row["individuals"],
            }
            for row in report["rows"]
        ],
        "totals": report["totals"],
    }
