"""API of the shared training and exchange-visit records (merged into /api/v1/ at the root)."""

import django_filters
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.access import can_edit
from core.api.documents import FileUploadSerializerMixin
from core.figures import PeriodError
from core.filters import PortalFilterSet, SharedRecordFilterSet
from core.models import (
    CERTIFICATE_ROLE,
    COURSE_FIELDS,
    VISIT_FIELDS,
    Agency,
    ExchangeTopic,
    ExchangeVisit,
    ExchangeVisitMember,
    TrainingCourse,
    TrainingParticipant,
    TrainingTopic,
    trained_staff_rows,
)
from core.personal_data import PersonalDataSerializerMixin, searchable_fields

from .documents import AttachmentSerializer
from .serializers import AgencyCodeField, PortalModelSerializer, SharedRecordSerializer
from .views import PrincipalMixin, SharedRecordViewSet

# --- filters (one definition for the API and the pages) ----------------------------------------


class TrainingCourseFilterSet(SharedRecordFilterSet):
    search_fields = ("title", "description", "place", "trainers")
    topic = django_filters.ChoiceFilter(choices=TrainingTopic.choices, label=_("Topic"))
    after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label=_("On or after"))
    before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label=_("On or before"))
    participant_agency = django_filters.ModelChoiceFilter(
        field_name="participants__agency",
        to_field_name="code",
        queryset=Agency.objects.all(),
        label=_("Participant agency"),
        distinct=True,
    )

    class Meta:
        model = TrainingCourse
        fields = ["topic"]


class TrainingParticipantFilterSet(PortalFilterSet):
    # Names and certificate numbers are personal data: never searched.
    search_fields = searchable_fields(TrainingParticipant, ("name", "position", "certificate_number"))
    course = django_filters.UUIDFilter(field_name="course_id", label=_("Course"))
    agency = django_filters.ModelChoiceFilter(to_field_name="code", queryset=Agency.objects.all(), label=_("Agency"))
    topic = django_filters.ChoiceFilter(field_name="course__topic", choices=TrainingTopic.choices, label=_("Topic"))

    class Meta:
        model = TrainingParticipant
        fields = ["completed"]


class ExchangeVisitFilterSet(SharedRecordFilterSet):
    search_fields = ("title", "purpose", "programme", "report", "lessons_learned")
    topic = django_filters.ChoiceFilter(choices=ExchangeTopic.choices, label=_("Topic"))
    delegation_agency = django_filters.ModelChoiceFilter(
        to_field_name="code", queryset=Agency.objects.all(), label=_("Delegation agency")
    )
    host_agency = django_filters.ModelChoiceFilter(
        to_field_name="code", queryset=Agency.objects.all(), label=_("Host agency")
    )
    after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label=_("On or after"))
    before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label=_("On or before"))

    class Meta:
        model = ExchangeVisit
        fields = ["topic"]


# --- serializers -----------------------------------------------------------------------------


class TrainingCourseSerializer(SharedRecordSerializer):
    participant_count = serializers.SerializerMethodField()

    class Meta:
        model = TrainingCourse
        fields = (*SharedRecordSerializer.shared_fields, *COURSE_FIELDS, "participant_count")

    def get_participant_count(self, obj) -> int:
        return len(obj.participants.all())


class TrainingParticipantSerializer(FileUploadSerializerMixin, PersonalDataSerializerMixin, PortalModelSerializer):
    # Narrowed to the courses the caller may see by the base; adding people needs the right to
    # edit the course (the model's link rule). Names and certificate numbers are personal data:
    # blank for agencies that see the course but did not organise it.
    course = serializers.PrimaryKeyRelatedField(queryset=TrainingCourse.objects.all())
    agency = AgencyCodeField()
    certificate_file = serializers.FileField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_("A scan of the certificate (PDF, PNG or JPEG; checked by content)."),
    )
    certificate_files = serializers.SerializerMethodField()
    upload_field, upload_role = "certificate_file", CERTIFICATE_ROLE

    class Meta:
        model = TrainingParticipant
        fields = (
            "id",
            "course",
            "name",
            "agency",
            "position",
            "completed",
            "certificate_number",
            "certificate_issued",
            "certificate_file",
            "certificate_files",
            "created_at",
        )
        read_only_fields = ("id", "created_at")

    def validate_course(self, course):
        if self.instance is not None and course.pk != self.instance.course_id:
            raise serializers.ValidationError(_("A participant cannot be moved to another course."))
        return course

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_certificate_files(self, obj):
        return self.uploaded_files(obj)


class ExchangeVisitMemberSerializer(PortalModelSerializer):
    agency = AgencyCodeField()

    class Meta:
        model = ExchangeVisitMember
        fields = ("name", "agency", "position", "is_leader")


class ExchangeVisitSerializer(SharedRecordSerializer):
    delegation_agency = AgencyCodeField()
    host_agency = AgencyCodeField()
    members = ExchangeVisitMemberSerializer(many=True, required=False)
    # Narrowed by the base to the protected areas the caller may see.
    protected_areas = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ExchangeVisit.protected_areas.field.related_model.objects.all()
    )

    class Meta:
        model = ExchangeVisit
        fields = (*SharedRecordSerializer.shared_fields, *VISIT_FIELDS, "members")

    @transaction.atomic
    def create(self, validated_data):
        members = validated_data.pop("members", None)
        visit = super().create(validated_data)
        self._members(visit, members)
        return visit

    @transaction.atomic
    def update(self, instance, validated_data):
        members = validated_data.pop("members", None)
        visit = super().update(instance, validated_data)
        self._members(visit, members)
        return visit

    @staticmethod
    def _members(visit, members):
        if members is None:
            return
        visit.members.all().delete()
        for member in members:
            ExchangeVisitMember.objects.create(visit=visit, **member)


class TrainedStaffSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency_code")
    country = serializers.CharField()
    topic = serializers.CharField()
    topic_label = serializers.SerializerMethodField()
    people = serializers.IntegerField()

    def get_topic_label(self, row) -> str:
        return str(TrainingTopic(row["topic"]).label)


# --- views -----------------------------------------------------------------------------------


class TrainingCourseViewSet(SharedRecordViewSet):
    model = TrainingCourse
    serializer_class = TrainingCourseSerializer
    filterset_class = TrainingCourseFilterSet
    prefetch_related_fields = ("participants",)
    ordering_fields = ("created_at", "updated_at", "start_date")


class TrainingParticipantViewSet(PrincipalMixin, viewsets.ModelViewSet):
    serializer_class = TrainingParticipantSerializer
    filterset_class = TrainingParticipantFilterSet
    ordering_fields = ("created_at", "name")
    ordering = ("-created_at",)

    def get_queryset(self):
        return TrainingParticipant.objects.visible_to(self.principal).select_related("agency", "course")

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in permissions.SAFE_METHODS and not can_edit(self.principal, obj.course):
            raise PermissionDenied(_("Only the organising agency may change the participants."))


class ExchangeVisitViewSet(SharedRecordViewSet):
    model = ExchangeVisit
    serializer_class = ExchangeVisitSerializer
    filterset_class = ExchangeVisitFilterSet
    select_related_fields = ("delegation_agency", "host_agency")
    prefetch_related_fields = ("members__agency", "protected_areas")
    ordering_fields = ("created_at", "updated_at", "start_date")


class TrainedStaffViewSet(PrincipalMixin, viewsets.ViewSet):
    """Per agency, the number of people trained on each topic (completed courses the caller may see)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("agency", str, description="Agency code"),
            OpenApiParameter("start", str, description="Courses starting on or after (YYYY-MM-DD)"),
            OpenApiParameter("end", str, description="Courses starting on or before (YYYY-MM-DD)"),
        ],
        responses=TrainedStaffSerializer(many=True),
    )
    def list(self, request):
        params = _TrainedStaffQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            rows = trained_staff_rows(
                self.principal,
                agency=params.validated_data.get("agency"),
                start=params.validated_data.get("start"),
                end=params.validated_data.get("end"),
            )
        except PeriodError as exc:
            raise serializers.ValidationError({"end": [str(exc)]}) from exc
        return Response(TrainedStaffSerializer(rows, many=True).data)


class _TrainedStaffQuery(serializers.Serializer):
    agency = AgencyCodeField(required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


router = DefaultRouter()
router.register("training/courses", TrainingCourseViewSet, basename="training-course")
router.register("training/participants", TrainingParticipantViewSet, basename="training-participant")
router.register("training/trained-staff", TrainedStaffViewSet, basename="training-trained-staff")
router.register("exchange-visits", ExchangeVisitViewSet, basename="exchange-visit")
