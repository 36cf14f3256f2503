"""API of notifications: the caller's own notifications (and urgent ones to acknowledge), the
caller's notification preference, and the obligations it may see.

The FilterSets here serve the API and the pages in core/views_notifications.py alike.
"""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import notify, reminders
from core.api.serializers import AgencyCodeField, PortalModelSerializer
from core.api.views import PrincipalMixin
from core.filters import PortalFilterSet
from core.models import (
    Agency,
    DatedObligation,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    ObligationStatus,
    ReminderKind,
)

KIND_CHOICES = ReminderKind.choices


# --- filters ------------------------------------------------------------------------------------
class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread"))
    kind = django_filters.ChoiceFilter(choices=KIND_CHOICES, label=_("Kind"))
    urgent = django_filters.BooleanFilter(method="filter_urgent", label=_("Urgent"))
    event = django_filters.CharFilter(label=_("Event"))

    class Meta:
        model = Notification
        fields = ["unread", "kind", "urgent", "event"]

    def filter_urgent(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(urgent=value)


class ObligationFilterSet(PortalFilterSet):
    search_fields = ("title",)
    agency = django_filters.ModelChoiceFilter(
        field_name="agency", to_field_name="code", queryset=Agency.objects.all(), label=_("Agency")
    )
    category = django_filters.CharFilter(label=_("Category"))
    status = django_filters.ChoiceFilter(choices=ObligationStatus.choices, label=_("Status"))
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due on or after"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due on or before"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = DatedObligation
        fields = ["agency", "category", "status"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = {"status": ObligationStatus.OPEN, "due_at__lte": timezone.now()}
        return queryset.filter(**condition) if value else queryset.exclude(**condition)


# --- serializers --------------------------------------------------------------------------------
class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)
    # Plain strings in the schema: the choice sets are documented on the models (and "kind" /
    # "status" enums of other apps would collide in the OpenAPI component names).
    kind = serializers.CharField(read_only=True, help_text="before_due, overdue, escalation, digest, urgent or empty")
    event = serializers.CharField(read_only=True, help_text="What happened, for example monitoring.match_proposed")
    urgent = serializers.SerializerMethodField()
    email_status = serializers.CharField(read_only=True, help_text="none, pending, sent, failed or digest")
    language = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = (
            "id",
            "kind",
            "event",
            "urgent",
            "subject",
            "body",
            "url",
            "language",
            "created_at",
            "read_at",
            "is_read",
            "email_status",
        )
        read_only_fields = fields

    def get_urgent(self, obj) -> bool:
        return obj.urgent


class NotificationPreferenceSerializer(serializers.ModelSerializer):
    """How the caller wants email; every notification shows in the portal whatever this says."""

    email_delivery = serializers.ChoiceField(
        choices=NotificationDelivery.choices,
        help_text="immediate, daily or none",
        error_messages={"invalid_choice": _("“{input}” is not a choice. Choose immediate, daily or none.")},
    )
    email_delivery_label = serializers.SerializerMethodField()
    choices = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    urgent_always_emailed = serializers.SerializerMethodField()

    class Meta:
        model = NotificationPreference
        fields = (
            "email_delivery",
            "email_delivery_label",
            "choices",
            "email",
            "last_digest_at",
            "urgent_always_emailed",
        )
        read_only_fields = ("last_digest_at",)

    def get_email_delivery_label(self, obj) -> str:
        return str(NotificationDelivery(obj.email_delivery).label)

    def get_choices(self, obj) -> list[dict]:
        return [{"value": value, "label": str(label)} for value, label in NotificationDelivery.choices]

    def get_email(self, obj) -> str:
        return obj.user.email

    def get_urgent_always_emailed(self, obj) -> bool:
        return True

    def update(self, instance, validated_data):
        if "email_delivery" in validated_data:
            return notify.set_email_delivery(instance.user, validated_data["email_delivery"])
        return instance


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False, help_text=_("Empty: all"))


class ObligationSerializer(PortalModelSerializer):
    agency = AgencyCodeField(read_only=True)
    is_overdue = serializers.SerializerMethodField()
    source_type = serializers.CharField(source="category", read_only=True)
    status = serializers.CharField(read_only=True, help_text="open, fulfilled or cancelled")

    class Meta:
        model = DatedObligation
        fields = (
            "id",
            "source_type",
            "object_id",
            "agency",
            "title",
            "due_date",
            "due_at",
            "timezone",
            "lead_days",
            "escalate_after_days",
            "status",
            "fulfilled_at",
            "is_overdue",
        )
        read_only_fields = fields

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.now())


class PersonalAccountOnly(BasePermission):
    """An inbox belongs to a person: a logged-in user, not an agency's API key."""

    message = _("Notifications belong to a user account; an agency API key has none.")

    def has_permission(self, request, view):
        from core.access import principal_for

        return principal_for(request).user is not None


# --- views --------------------------------------------------------------------------------------
class NotificationViewSet(PrincipalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications (session users only: an agency key has no inbox)."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    permission_classes = [PersonalAccountOnly]
    ordering_fields = ("created_at",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Notification.objects.none()
        return Notification.objects.filter(recipient_id=self.principal.user.pk)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response["X-Unread-Count"] = str(reminders.unread_count(self.principal.user))
        return response

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        reminders.mark_read(request.user, [notification.pk])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=MarkReadSerializer,
        responses=inline_serializer(
            "NotificationsMarkedRead", {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()}
        ),
    )
    @action(detail=False, methods=["post"], url_path="read-all", serializer_class=MarkReadSerializer)
    def read_all(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = reminders.mark_read(request.user, serializer.validated_data.get("ids"))
        return Response({"marked": changed, "unread": reminders.unread_count(request.user)}, status=status.HTTP_200_OK)

    # The documented shapes are what these return: an object and a plain (unpaginated) list.
    @extend_schema(
        filters=False,
        responses=inline_serializer("NotificationUnreadCount", {"unread": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None, filter_backends=[])
    def unread_count(self, request):
        return Response({"unread": reminders.unread_count(request.user)})

    @extend_schema(filters=False, responses=NotificationSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def urgent(self, request):
        """The caller's urgent notifications not yet acknowledged (what the dashboard shows)."""
        queryset = notify.urgent_unread_for(request.user)
        return Response(self.get_serializer(queryset[:100], many=True).data)

    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge one notification (for an urgent one: it leaves the dashboard)."""
        notification = self.get_object()
        reminders.mark_read(request.user, [notification.pk])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)


class NotificationPreferenceViewSet(PrincipalMixin, viewsets.GenericViewSet):
    """The caller's own notification preference: GET and PATCH /notification-preferences/me/."""

    serializer_class = NotificationPreferenceSerializer
    permission_classes = [PersonalAccountOnly]
    queryset = NotificationPreference.objects.none()
    pagination_class = None
    filter_backends = ()

    @action(detail=False, methods=["get", "patch"])
    def me(self, request):
        user = self.principal.user
        preference = notify.preference_for(user)
        if request.method == "GET":
            return Response(self.get_serializer(preference).data)
        serializer = self.get_serializer(preference, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(self.get_serializer(notify.preference_for(user)).data)


class ObligationViewSet(PrincipalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every dated obligation (rounds, plan activities, action items) the caller's agency must meet;
    the secretariat sees all agencies'."""

    serializer_class = ObligationSerializer
    filterset_class = ObligationFilterSet
    ordering_fields = ("due_at", "created_at")

    def get_queryset(self):
        return reminders.obligations_visible_to(self.principal).select_related("agency")


router = DefaultRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register("obligations", ObligationViewSet, basename="obligation")
router.register("notification-preferences", NotificationPreferenceViewSet, basename="notification-preference")
