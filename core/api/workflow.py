"""The workflow in the API: one action per record type and the shared status history.

Add `WorkflowViewSetMixin` to a SharedRecordViewSet whose model has a registered workflow:

    GET  /api/v1/<app>/<resource>/{id}/transitions/          what the caller may do now
    POST /api/v1/<app>/<resource>/{id}/transitions/{name}/   {"note": "…", "revision": 3}

and `StatusHistoryField()` to its serializer for `status_history`.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.workflow import StaleRevision, TransitionError, workflow_for

from .permissions import PortalAccessPermission

router = DefaultRouter()

RESERVED_KEYS = {"note", "revision"}


class TransitionRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "transition_refused"


class TransitionConflict(APIException):
    """The record changed since the caller read it (the revision it sent is stale)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_revision"


def raise_for(exc):
    """Map a TransitionError to its API answer (400, or 409 for a stale revision)."""
    text = exc.text if isinstance(exc, TransitionError) else " ".join(exc.messages)
    code = getattr(exc, "code", None) or "transition_refused"
    if isinstance(exc, StaleRevision):
        raise TransitionConflict(detail=text, code=code)
    raise TransitionRefused(detail=text, code=code)


class StatusChangeSerializer(serializers.Serializer):
    transition = serializers.CharField()
    label = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    is_approval = serializers.BooleanField()
    country = serializers.CharField()
    voided_at = serializers.DateTimeField(allow_null=True)
    revision = serializers.IntegerField(allow_null=True, help_text="The revision of the record the actor saw.")
    user = serializers.SerializerMethodField()
    agency = serializers.SerializerMethodField()
    note = serializers.CharField()
    changes = serializers.ListField(child=serializers.CharField(), help_text="Fields whose change caused this step.")
    at = serializers.DateTimeField()

    def get_label(self, obj) -> str:
        workflow = self.context.get("workflow")
        return str(workflow.transition_label(obj.transition)) if workflow else obj.transition

    def get_user(self, obj) -> str | None:
        return obj.user.get_username() if obj.user_id else None

    def get_agency(self, obj) -> str | None:
        return obj.agency.code if obj.agency_id else None


def prefetch_history(records):
    """Load the history of many records of one model in one query (for list answers)."""
    from core.models import StatusChange

    records = [r for r in records if r is not None]
    if not records:
        return records
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(type(records[0]))
    by_id = {}
    for step in (
        StatusChange.objects.filter(content_type=content_type, object_id__in=[str(r.pk) for r in records])
        .select_related("user", "agency")
        .order_by("at", "pk")
    ):
        by_id.setdefault(step.object_id, []).append(step)
    for record in records:
        record._workflow_history = by_id.get(str(record.pk), [])
    return records


def history_of(record):
    cached = getattr(record, "_workflow_history", None)
    if cached is not None:
        return cached
    workflow = workflow_for(record)
    steps = list(workflow.history(record)) if workflow else []
    record._workflow_history = steps
    return steps


class StatusHistoryField(serializers.Field):
    """Read-only `status_history`: the record's steps, oldest first (see StatusChangeSerializer)."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, record):
        context = {**self.context, "workflow": workflow_for(record)}
        return StatusChangeSerializer(history_of(record), many=True, context=context).data


try:
    from drf_spectacular.extensions import OpenApiSerializerFieldExtension

    class _StatusHistoryFieldSchema(OpenApiSerializerFieldExtension):
        target_class = StatusHistoryField

        def map_serializer_field(self, auto_schema, direction):
            component = auto_schema.resolve_serializer(StatusChangeSerializer, direction)
            return {"type": "array", "items": component.ref, "readOnly": True}

except ImportError:  # pragma: no cover
    pass


class WorkflowStepRequestSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why (shown in the history).")
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The record's revision you decided on (its ETag); a stale one is answered with 409.",
    )


class WorkflowStepSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    target = serializers.CharField()
    is_approval = serializers.BooleanField()
    note_required = serializers.BooleanField()
    params = serializers.ListField(child=serializers.CharField(), help_text="Extra body keys this step takes.")
    url = serializers.CharField()


class WorkflowStepListSerializer(serializers.Serializer):
    status = serializers.CharField()
    revision = serializers.IntegerField()
    transitions = WorkflowStepSerializer(many=True)


class WorkflowErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TransitionPermission(PortalAccessPermission):
    """Taking a step is not an edit: the transition's guards decide who may (other agencies'
    coordinators approve), so only the read-only check of the base applies."""

    def has_object_permission(self, request, view, obj):
        return True


def _params(transition, data):
    """The transition's extra inputs, validated by its form (the same rules as the page)."""
    if transition.form_class is None:
        return {}
    values = {k: v for k, v in data.items() if k not in RESERVED_KEYS} if hasattr(data, "items") else {}
    form = transition.form_class(data=values)
    if not form.is_valid():
        raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    return form.cleaned_data


def _revision_from_if_match(request):
    tag = (request.headers.get("If-Match") or "").strip().removeprefix("W/").strip('"')
    if "-" not in tag:
        return None
    tail = tag.rsplit("-", 1)[1]
    return int(tail) if tail.isdigit() else None


class WorkflowViewSetMixin:
    """Put before SharedRecordViewSet: `class PlanViewSet(WorkflowViewSetMixin, SharedRecordViewSet)`."""

    def get_workflow(self):
        return workflow_for(self.model)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            prefetch_history(page)
        return page

    def _transition_listing(self, record):
        workflow = self.get_workflow()
        base = self.request.build_absolute_uri(self.request.path)
        base = base if base.endswith("/") else base + "/"
        return {
            "status": workflow.status_of(record),
            "revision": record.revision,
            "transitions": [
                {
                    "name": t.name,
                    "label": str(t.label),
                    "target": t.target,
                    "is_approval": t.is_approval,
                    "note_required": t.note_required,
                    "params": list(t.form_class.base_fields) if t.form_class else [],
                    "url": f"{base}{t.name}/",
                }
                for t in workflow.available_transitions(record, self.principal)
            ],
        }

    @extend_schema(
        summary="Steps the caller may take now",
        request=None,
        responses={200: WorkflowStepListSerializer},
    )
    @action(detail=True, methods=["get"], url_path="transitions", permission_classes=[TransitionPermission])
    def transitions(self, request, pk=None):
        record = self.get_object()
        return Response(self._transition_listing(record))

    @extend_schema(
        summary="Take a workflow step",
        description=(
            "Takes the named step (see GET …/transitions/). Send the revision you decided on as "
            "`revision` (or If-Match): if the record changed since, the answer is 409 and nothing "
            "changes. A step the record's state or the caller's role does not allow is a 400 with the reason."
        ),
        parameters=[OpenApiParameter("transition", OpenApiTypes.STR, OpenApiParameter.PATH, description="Step name.")],
        request=WorkflowStepRequestSerializer,
        responses={
            400: OpenApiResponse(WorkflowErrorSerializer, description="The step is not possible (reason in detail)."),
            409: OpenApiResponse(WorkflowErrorSerializer, description="The record changed since the revision sent."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"transitions/(?P<transition>[A-Za-z0-9_-]+)",
        url_name="transition",
        permission_classes=[TransitionPermission],
    )
    def take_transition(self, request, pk=None, transition=None):
        record = self.get_object()
        workflow = self.get_workflow()
        body = WorkflowStepRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revision = body.validated_data.get("revision")
        if revision is None:
            revision = _revision_from_if_match(request)
        try:
            step = workflow.transition(transition)
            params = _params(step, request.data)
            workflow.perform(
                record, transition, self.principal, revision=revision, note=body.validated_data["note"], params=params
            )
        except DjangoValidationError as exc:
            raise_for(exc)
        record = self.get_queryset().get(pk=record.pk)
        response = Response(self.get_serializer(record).data)
        response["ETag"] = record.etag
        return response
