from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import can_edit, principal_for
from core.api.permissions import PortalAccessPermission, SecretariatOrAdminWrite
from core.api.views import PrincipalMixin, SharedRecordViewSet
from core.api.workflow import WorkflowViewSetMixin
from core.exports import FORMATS, export_response

from .. import services
from ..filters import (
    ActionPlanFilterSet,
    AlertFilterSet,
    IncidentFilterSet,
    IncidentTypeFilterSet,
    JointOperationFilterSet,
    PatrolFilterSet,
    WaypointFilterSet,
)
from ..models import (
    ActionPlan,
    Alert,
    Incident,
    IncidentLink,
    IncidentType,
    JointOperation,
    Patrol,
    PatrolLeg,
    Waypoint,
)
from ..services import export_rows
from .serializers import (
    ActionPlanSerializer,
    AlertSerializer,
    IncidentLinkSerializer,
    IncidentSerializer,
    IncidentTypeSerializer,
    JointOperationSerializer,
    KpiQuerySerializer,
    PatrolLegSerializer,
    PatrolSerializer,
    PlanEvaluationSerializer,
    WaypointSerializer,
)


class TimeSafeOrdering(OrderingFilter):
    """Ordering for lists that hold records whose times are withheld from the viewer.

    A cursor carries the ordering value of its page's last row (base64, readable): ordered by
    created_at, it would hand over the exact time of a generalized waypoint, incident or leg, one
    row per page. When the list holds any row the viewer sees generalized (`view.precise_q()`),
    the time fields are dropped from the ordering and the rows are ordered by their id (uuid4:
    random, it carries nothing).
    """

    TIME_FIELDS = {"created_at", "updated_at", "time", "start", "end"}

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not view.times_withheld_in(queryset):
            return ordering
        kept = [term for term in ordering or () if term.lstrip("-") not in self.TIME_FIELDS]
        return kept + ["id"] if kept else ["id"]


class TimeSafeOrderingMixin:
    """For viewsets whose rows may be generalized: `precise_q(principal)` names the rows the
    principal sees exactly; the others keep their times out of the cursor (TimeSafeOrdering)."""

    filter_backends = [DjangoFilterBackend, TimeSafeOrdering]

    def precise_q(self):
        raise NotImplementedError

    def times_withheld_in(self, queryset):
        if self.principal.is_superuser:
            return False
        if "_times_withheld" not in self.__dict__:
            self._times_withheld = queryset.exclude(self.precise_q()).exists()
        return self._times_withheld


def _raise_drf(exc):
    if isinstance(exc, DjangoPermissionDenied):
        raise PermissionDenied(str(exc)) from exc
    messages = exc.message_dict if hasattr(exc, "message_dict") else {"detail": exc.messages}
    raise serializers.ValidationError(messages) from exc


def _export(headers, rows, label, fmt):
    if fmt not in FORMATS:
        raise serializers.ValidationError({"as": [_("Choose csv or xlsx.")]})
    return export_response(headers, rows, label, fmt)


class IncidentTypeViewSet(viewsets.ModelViewSet):
    """The shared incident and observation vocabulary: everyone reads, the secretariat edits."""

    serializer_class = IncidentTypeSerializer
    filterset_class = IncidentTypeFilterSet
    permission_classes = [SecretariatOrAdminWrite]
    lookup_field = "code"
    ordering_fields = ("order", "code")
    ordering = ("order", "code")

    def get_queryset(self):
        return IncidentType.objects.select_related("species")


class ActionPlanViewSet(WorkflowViewSetMixin, SharedRecordViewSet):
    """Plans; their workflow steps are GET/POST …/{id}/transitions/[{name}/] (core.workflow)."""

    model = ActionPlan
    serializer_class = ActionPlanSerializer
    filterset_class = ActionPlanFilterSet
    prefetch_related_fields = (
        "participating_agencies",
        "protected_areas",
        "targets",
        "activities__agency",
    )
    ordering_fields = ("created_at", "updated_at", "period_start")

    def perform_destroy(self, instance):
        services.delete_plan(instance)

    @extend_schema(responses=PlanEvaluationSerializer)
    @action(detail=True, methods=["get"])
    def evaluation(self, request, pk=None):
        """Targets against achievement, per country (the plan's agencies and period)."""
        plan = self.get_object()
        result = services.plan_evaluation(plan, self.principal)
        return Response(
            {
                "plan": str(plan.pk),
                "months": result["months"],
                "countries": result["countries"],
                "targets": [
                    {
                        "metric": row["target"].metric,
                        "per": row["target"].per,
                        "value": row["target"].value,
                        "goal": row["goal"],
                        "achieved": row["achieved"],
                        "by_country": row["by_country"],
                        "percent": row["percent"],
                    }
                    for row in result["rows"]
                ],
            }
        )


class JointOperationViewSet(SharedRecordViewSet):
    model = JointOperation
    serializer_class = JointOperationSerializer
    filterset_class = JointOperationFilterSet
    select_related_fields = ("plan",)
    prefetch_related_fields = ("agencies",)
    ordering_fields = ("created_at", "updated_at", "start")


class PatrolViewSet(SharedRecordViewSet):
    model = Patrol
    serializer_class = PatrolSerializer
    filterset_class = PatrolFilterSet
    select_related_fields = ("protected_area", "plan", "operation")
    prefetch_related_fields = ("legs",)
    ordering_fields = ("created_at", "updated_at", "start", "distance_km")

    # The effort follows the patrol's own fields; written without a second revision bump.
    def perform_create(self, serializer):
        super().perform_create(serializer)
        services.refresh_effort(serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        services.refresh_effort(serializer.instance)

    def perform_destroy(self, instance):
        services.delete_patrol(instance)

    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request):
        """CSV (default) or XLSX (?as=xlsx) patrol summaries with their effort."""
        queryset = self.filter_queryset(self.get_queryset())
        headers, rows = export_rows.patrol_rows(self.principal, queryset)
        return _export(headers, rows, "patrols", request.query_params.get("as", "csv"))


class PatrolChildViewSet(TimeSafeOrderingMixin, PrincipalMixin, viewsets.ModelViewSet):
    """Legs and waypoints: listed through the visible patrols, written by the patrol's agency."""

    model = None
    ordering_fields = ("created_at",)
    ordering = ("-created_at",)

    def get_queryset(self):
        visible = Patrol.objects.visible_to(self.principal).values("pk")
        return self.model.objects.filter(patrol__in=visible).select_related("patrol__owner_agency")

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in permissions.SAFE_METHODS and not can_edit(self.principal, obj.patrol):
            raise PermissionDenied(_("Only the patrol's agency may change it."))

    # The serializers save through services.save_child: the patrol's effort is refreshed
    # without touching its revision, so its ETag stays valid for the patrol's own writers.
    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        services.delete_child(instance)


class PatrolLegViewSet(PatrolChildViewSet):
    model = PatrolLeg
    serializer_class = PatrolLegSerializer

    def precise_q(self):
        ids = services.patrol_precise_ids(self.principal)
        return Q() if ids is None else Q(patrol__owner_agency_id__in=ids)

    def get_queryset(self):
        queryset = super().get_queryset()
        patrol = self.request.query_params.get("patrol")
        return queryset.filter(patrol_id=patrol) if patrol else queryset


class WaypointViewSet(PatrolChildViewSet):
    model = Waypoint
    serializer_class = WaypointSerializer
    filterset_class = WaypointFilterSet
    # Not orderable by the time: a cursor carries the ordering value of its page's last row, and
    # would hand over the time of day of a generalized waypoint (filter by ?after= / ?before=).
    ordering_fields = ("created_at",)

    def get_queryset(self):
        return super().get_queryset().select_related("incident_type__species")

    def precise_q(self):
        return services.waypoint_precise_q(self.principal)

    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request):
        """CSV (default) or XLSX (?as=xlsx); others' tiger and leopard points snapped to their grid."""
        queryset = self.filter_queryset(self.get_queryset())
        headers, rows = export_rows.waypoint_rows(self.principal, queryset)
        return _export(headers, rows, "waypoints", request.query_params.get("as", "csv"))


class IncidentViewSet(TimeSafeOrderingMixin, SharedRecordViewSet):
    model = Incident
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    select_related_fields = ("incident_type__species", "species", "protected_area", "patrol")
    prefetch_related_fields = ("agencies_involved", "links_out", "links_in")
    ordering_fields = ("created_at", "updated_at", "occurred_on")

    def precise_q(self):
        return services.incident_precise_q(self.principal)

    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request):
        """CSV (default) or XLSX (?as=xlsx) of the filtered incidents the caller may see."""
        queryset = self.filter_queryset(self.get_queryset())
        headers, rows = export_rows.incident_rows(self.principal, queryset)
        return _export(headers, rows, "incidents", request.query_params.get("as", "csv"))


class IncidentLinkViewSet(
    PrincipalMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Links between related cases; a link is listed only when both cases are visible."""

    serializer_class = IncidentLinkSerializer
    ordering_fields = ("created_at",)
    ordering = ("-created_at",)

    def get_queryset(self):
        visible = Incident.objects.visible_to(self.principal).values("pk")
        return IncidentLink.objects.filter(from_incident__in=visible, to_incident__in=visible).select_related(
            "created_by_agency"
        )

    def perform_destroy(self, instance):
        if not self.principal.is_superuser and instance.created_by_agency_id != self.principal.agency_id:
            raise PermissionDenied(_("Only the agency that linked the cases may unlink them."))
        instance.delete()


class AlertViewSet(SharedRecordViewSet):
    model = Alert
    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    select_related_fields = ("incident",)
    prefetch_related_fields = ("receipts__agency", "receipts__opened_by", "receipts__acknowledged_by")
    ordering_fields = ("created_at", "updated_at", "urgency")

    def retrieve(self, request, *args, **kwargs):
        alert = self.get_object()
        services.mark_opened(alert, self.principal)
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def acknowledge(self, request, pk=None):
        """A recipient agency confirms it received the alert (read-only accounts may too)."""
        alert = self.get_object()
        try:
            services.acknowledge_alert(alert, self.principal)
        except DjangoPermissionDenied as exc:
            _raise_drf(exc)
        alert = self.get_queryset().get(pk=alert.pk)
        return Response(self.get_serializer(alert).data, status=status.HTTP_200_OK)


class KpiView(PrincipalMixin, APIView):
    """KPI table per country / agency / area / month, from the records the caller may see.

    `?export=csv` or `?export=xlsx` downloads the same table.
    """

    permission_classes = [PortalAccessPermission]

    @extend_schema(parameters=[KpiQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        query = KpiQuerySerializer(data=request.query_params, context={"principal": principal_for(request)})
        query.is_valid(raise_exception=True)
        params = query.validated_data
        table = services.compute_kpis(
            principal_for(request),
            start=params.get("start"),
            end=params.get("end"),
            agencies=[params["agency"]] if params.get("agency") else None,
            country=params.get("country"),
            areas=[params["area"]] if params.get("area") else None,
            group=params["group"],
        )
        if params.get("export"):
            return export_response(table.headers(), table.flat_rows(), "kpis", params["export"])
        codes = {t.pk: t.code for t in table.types}
        rows = []
        for row in table.rows:
            rows.append(
                {
                    "key": {
                        k: (v.isoformat() if hasattr(v, "isoformat") else (str(v) if v is not None else None))
                        for k, v in row["key"].items()
                    },
                    "patrols": row["patrols"],
                    "distance_km": float(row["distance_km"]),
                    "hours": float(row["hours"]),
                    "patrol_days": row["patrol_days"],
                    "person_days": row["person_days"],
                    "removed": row["removed"],
                    "incidents": row["incidents"],
                    "arrests": row["arrests"],
                    "seizures": row["seizures"],
                    "incidents_by_type": {codes[k]: v for k, v in row["incidents_by_type"].items()},
                    "encounter_rates": {codes[k]: v for k, v in row["rates"].items() if v["count"]},
                }
            )
        return Response({"group": list(table.group), "rows": rows})


class UrgentPendingView(PrincipalMixin, APIView):
    """How many of the caller's urgent alerts still wait for an acknowledgement."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        pending = services.unacknowledged_urgent_alerts(self.principal)
        return Response({"count": pending.count(), "alerts": [str(pk) for pk in pending.values_list("pk", flat=True)]})
