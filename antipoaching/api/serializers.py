from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.access import can_create_for, can_edit, principal_for
from core.api.serializers import AgencyCodeField, PortalModelSerializer, SharedRecordSerializer
from core.models import Sensitivity, Species
from core.translated import language_codes
from reserves.models import ProtectedArea

from .. import services
from ..models import (
    Action,
    ActionPlan,
    Alert,
    Incident,
    IncidentLink,
    IncidentType,
    JointOperation,
    Patrol,
    PatrolLeg,
    PlanActivity,
    PlanTarget,
    Waypoint,
    validate_area_polygon,
)


def _django_errors(exc):
    if hasattr(exc, "message_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError(exc.messages)


class SpeciesNameField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "scientific_name")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Species.objects.all())
        super().__init__(**kwargs)


class IncidentTypeCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", IncidentType.objects.all())
        super().__init__(**kwargs)


class IncidentTypeSerializer(PortalModelSerializer):
    species = SpeciesNameField(required=False, allow_null=True)
    sensitivity_category = serializers.IntegerField(read_only=True)

    class Meta:
        model = IncidentType
        fields = (
            "id",
            "code",
            "name",
            "category",
            "removable",
            "species",
            "sensitivity_category",
            "is_active",
            "order",
        )


# --- plans -------------------------------------------------------------------------------------


class PlanTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanTarget
        fields = ("metric", "value", "per")


class PlanActivitySerializer(PortalModelSerializer):
    # Writable so that a plan's list of activities can be sent back with the ids it was read
    # with: a listed activity is updated in place and keeps its reminders.
    id = serializers.IntegerField(
        required=False, help_text=_("The id of an existing activity of this plan; leave out for a new one.")
    )
    agency = AgencyCodeField()

    class Meta:
        model = PlanActivity
        fields = ("id", "title", "agency", "due_date", "status")

    def validate(self, attrs):
        # The id names the row to update (checked against the plan in ActionPlanSerializer); it
        # is not a value of a new row, so the model's validation must not see it.
        pk = attrs.pop("id", None)
        attrs = super().validate(attrs)
        if pk is not None:
            attrs["id"] = pk
        return attrs


class TransitionSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    is_approval = serializers.BooleanField()
    country = serializers.CharField()
    user = serializers.SerializerMethodField()
    agency = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    note = serializers.CharField()

    def get_user(self, obj) -> str | None:
        return obj.user.get_username() if obj.user_id else None

    def get_agency(self, obj) -> str | None:
        return obj.agency.code if obj.agency_id else None


class ActionPlanSerializer(SharedRecordSerializer):
    participating_agencies = AgencyCodeField(many=True)
    protected_areas = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ProtectedArea.objects.all()
    )
    status = serializers.CharField(read_only=True)
    is_joint = serializers.SerializerMethodField()
    required_countries = serializers.SerializerMethodField()
    approved_countries = serializers.SerializerMethodField()
    targets = PlanTargetSerializer(many=True, required=False)
    activities = PlanActivitySerializer(many=True, required=False)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = ActionPlan
        fields = SharedRecordSerializer.shared_fields + (
            "title",
            "objectives",
            "participating_agencies",
            "protected_areas",
            "area",
            "period_start",
            "period_end",
            "status",
            "is_joint",
            "required_countries",
            "approved_countries",
            "targets",
            "activities",
            "evaluation",
            "transitions",
        )
        read_only_fields = ("evaluation",)

    def get_is_joint(self, obj) -> bool:
        return services.is_joint(obj)

    def get_required_countries(self, obj) -> list[str]:
        return sorted(services.required_countries(obj))

    def get_approved_countries(self, obj) -> list[str]:
        return sorted(services.approved_countries(obj))

    def validate_area(self, value):
        try:
            validate_area_polygon(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def validate_participating_agencies(self, agencies):
        if not agencies:
            raise serializers.ValidationError(_("List at least one participating agency."))
        try:
            services.check_plan_agencies_change(self.instance, agencies)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return agencies

    def validate(self, attrs):
        attrs = super().validate(attrs)
        start = attrs.get("period_start", getattr(self.instance, "period_start", None))
        end = attrs.get("period_end", getattr(self.instance, "period_end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"period_end": [_("The end date is before the start date.")]})
        activities = attrs.get("activities")
        if activities is not None:
            ids = [a["id"] for a in activities if a.get("id") is not None]
            if len(ids) != len(set(ids)):
                raise serializers.ValidationError({"activities": [_("An activity is listed twice.")]})
            if services.activity_ids_unknown(self.instance, activities):
                raise serializers.ValidationError({"activities": [_("This plan has no activity with this id.")]})
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        targets = validated_data.pop("targets", None)
        activities = validated_data.pop("activities", None)
        plan = super().create(validated_data)
        self._save_children(plan, targets, activities)
        return plan

    @transaction.atomic
    def update(self, instance, validated_data):
        targets = validated_data.pop("targets", None)
        activities = validated_data.pop("activities", None)
        plan = super().update(instance, validated_data)
        self._save_children(plan, targets, activities)
        return plan

    def _save_children(self, plan, targets, activities):
        if targets is not None:
            services.replace_targets(plan, targets)
        if activities is not None:
            services.replace_activities(plan, activities)


class TransitionRequestSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evaluation = serializers.JSONField(
        required=False, help_text=_('The written evaluation: {"zh-hans": …, "en": …, "ru": …} or a string.')
    )

    def validate_evaluation(self, value):
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, dict) and all(
            code in language_codes() and isinstance(text, str) for code, text in value.items()
        ):
            return value
        raise serializers.ValidationError(_("Expected an object with the keys zh-hans, en and ru, or a string."))


class JointOperationSerializer(SharedRecordSerializer):
    agencies = AgencyCodeField(many=True)
    plan = serializers.PrimaryKeyRelatedField(queryset=ActionPlan.objects.none(), required=False, allow_null=True)

    class Meta:
        model = JointOperation
        fields = SharedRecordSerializer.shared_fields + (
            "plan",
            "kind",
            "title",
            "description",
            "agencies",
            "start",
            "end",
            "results",
        )

    def get_fields(self):
        fields = super().get_fields()
        fields["plan"].queryset = ActionPlan.objects.visible_to(principal_for(self.context["request"]))
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]})
        return attrs


# --- patrols ----------------------------------------------------------------------------------


class PatrolLegSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = PatrolLeg
        fields = ("id", "start", "end", "transport", "distance_km")


class PatrolSerializer(SharedRecordSerializer):
    protected_area = serializers.PrimaryKeyRelatedField(
        queryset=ProtectedArea.objects.all(), required=False, allow_null=True
    )
    plan = serializers.PrimaryKeyRelatedField(queryset=ActionPlan.objects.none(), required=False, allow_null=True)
    operation = serializers.PrimaryKeyRelatedField(
        queryset=JointOperation.objects.none(), required=False, allow_null=True
    )
    members = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    legs = PatrolLegSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Patrol
        fields = SharedRecordSerializer.shared_fields + (
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
            "team_size",
            "distance_km",
            "hours",
            "patrol_days",
            "person_days",
            "legs",
        )
        read_only_fields = ("team_size", "distance_km", "hours", "patrol_days", "person_days")

    def get_fields(self):
        fields = super().get_fields()
        principal = principal_for(self.context["request"])
        fields["plan"].queryset = ActionPlan.objects.visible_to(principal)
        fields["operation"].queryset = JointOperation.objects.visible_to(principal)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]})
        return attrs


class PatrolChildMixin:
    """Children of a patrol: the patrol must be visible, and editable for writes."""

    def validate_patrol(self, patrol):
        principal = principal_for(self.context["request"])
        if not Patrol.objects.visible_to(principal).filter(pk=patrol.pk).exists():
            raise serializers.ValidationError(_("Unknown patrol."))
        if not can_edit(principal, patrol):
            raise serializers.ValidationError(_("Only the patrol's agency may change it."))
        if self.instance is not None and patrol.pk != self.instance.patrol_id:
            raise serializers.ValidationError(_("A record cannot be moved to another patrol."))
        return patrol

    # Writes go through the service, which keeps the patrol's effort (services.save_child).
    def create(self, validated_data):
        return services.save_child(self.Meta.model(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.save_child(instance)


class PatrolLegSerializer(PatrolChildMixin, serializers.ModelSerializer):
    patrol = serializers.PrimaryKeyRelatedField(queryset=Patrol.objects.all())
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    gpx_file = serializers.FileField(required=False, write_only=True)
    distance_km = serializers.DecimalField(max_digits=10, decimal_places=3, read_only=True)

    class Meta:
        model = PatrolLeg
        fields = ("id", "patrol", "start", "end", "transport", "track", "gpx_file", "distance_km", "created_at")
        read_only_fields = ("id", "created_at")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        gpx = attrs.get("gpx_file")
        if gpx is not None:
            try:
                track, first, last = services.parse_gpx(gpx)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"gpx_file": exc.messages}) from exc
            gpx.seek(0)
            attrs["track"] = track
            attrs.setdefault("start", first)
            attrs.setdefault("end", last)
        elif "track" in attrs and attrs["track"] is not None:
            try:
                services.leg_distance_km(attrs["track"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"track": exc.messages}) from exc
        if self.instance is None and not attrs.get("track") and gpx is None:
            raise serializers.ValidationError({"track": [_("Give a GeoJSON LineString track or a GPX file.")]})
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        errors = {}
        if start is None:
            errors["start"] = [_("This field is required.")]
        if end is None:
            errors["end"] = [_("This field is required.")]
        if start and end and end < start:
            errors["end"] = [_("The end is before the start.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class PointMixin:
    """Replaces exact coordinates by the grid cell when the viewer may not see them precisely."""

    def _point(self, owner_id, latitude, longitude, category, model):
        request = self.context["request"]
        principal = principal_for(request)
        cache = self.context.setdefault("_precise_ids", {})
        if model not in cache:
            cache[model] = principal.precise_owner_ids(model)
        return services.point_for(principal, owner_id, latitude, longitude, category, cache[model])

    @staticmethod
    def _apply(data, point):
        if point is None:
            data["latitude"] = data["longitude"] = None
            data["generalized"], data["grid_degrees"] = True, None
        else:
            data["latitude"], data["longitude"] = point.latitude, point.longitude
            data["generalized"], data["grid_degrees"] = point.generalized, point.grid_degrees
        return data


class WaypointSerializer(PointMixin, PatrolChildMixin, serializers.ModelSerializer):
    patrol = serializers.PrimaryKeyRelatedField(queryset=Patrol.objects.all())
    incident_type = IncidentTypeCodeField()
    actions = serializers.ListField(child=serializers.ChoiceField(choices=Action.choices), required=False)
    count = serializers.IntegerField(min_value=0, required=False, default=1)
    removed = serializers.IntegerField(min_value=0, required=False, default=0)

    class Meta:
        model = Waypoint
        fields = (
            "id",
            "patrol",
            "time",
            "latitude",
            "longitude",
            "incident_type",
            "count",
            "removed",
            "actions",
            "notes",
            "created_at",
        )
        read_only_fields = ("id", "created_at")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        names = ("latitude", "longitude", "count", "removed", "actions")
        values = {n: getattr(self.instance, n) for n in names} if self.instance else {}
        values.update({n: attrs[n] for n in names if n in attrs})
        try:
            Waypoint(**values).clean()
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        point = self._point(
            instance.patrol.owner_agency_id,
            instance.latitude,
            instance.longitude,
            instance.incident_type.sensitivity_category,
            Patrol,
        )
        return self._apply(data, point)


# --- incidents --------------------------------------------------------------------------------


class IncidentSerializer(PointMixin, SharedRecordSerializer):
    incident_type = IncidentTypeCodeField()
    species = SpeciesNameField(required=False, allow_null=True)
    protected_area = serializers.PrimaryKeyRelatedField(
        queryset=ProtectedArea.objects.all(), required=False, allow_null=True
    )
    patrol = serializers.PrimaryKeyRelatedField(queryset=Patrol.objects.none(), required=False, allow_null=True)
    agencies_involved = AgencyCodeField(many=True, required=False)
    transit_countries = serializers.ListField(child=serializers.CharField(max_length=2), required=False)
    suspects = serializers.ListField(child=serializers.DictField(), required=False)
    suspects_count = serializers.IntegerField(min_value=0, required=False, default=0)
    arrests = serializers.IntegerField(min_value=0, required=False, default=0)
    linked_cases = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = SharedRecordSerializer.shared_fields + (
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
            "linked_cases",
        )

    def get_fields(self):
        fields = super().get_fields()
        fields["patrol"].queryset = Patrol.objects.visible_to(principal_for(self.context["request"]))
        return fields

    def get_linked_cases(self, obj) -> list[str]:
        # Links are prefetched; only an incident that has links costs a (visibility) query.
        others = {link.to_incident_id for link in obj.links_out.all()}
        others |= {link.from_incident_id for link in obj.links_in.all()}
        if not others:
            return []
        visible = Incident.objects.visible_to(principal_for(self.context["request"])).filter(pk__in=others)
        return sorted(str(pk) for pk in visible.values_list("pk", flat=True))

    def validate(self, attrs):
        attrs = super().validate(attrs)
        probe = Incident()
        if self.instance is not None:
            for f in Incident._meta.concrete_fields:
                setattr(probe, f.attname, getattr(self.instance, f.attname))
        for name, value in attrs.items():
            if name not in ("shared_with", "agencies_involved"):
                setattr(probe, name, value)
        errors = services.incident_errors(probe)
        if errors:
            raise serializers.ValidationError({k: [str(v)] for k, v in errors.items()})
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        principal = principal_for(self.context["request"])
        if not services.can_see_suspects(principal, instance):
            data.pop("suspects", None)
        point = self._point(
            instance.owner_agency_id, instance.latitude, instance.longitude, instance.sensitivity_category, Incident
        )
        if instance.latitude is None:
            data["generalized"], data["grid_degrees"] = False, None
            return data
        return self._apply(data, point)


class IncidentLinkSerializer(serializers.ModelSerializer):
    from_incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.none())
    to_incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.none())
    created_by_agency = AgencyCodeField(read_only=True)

    class Meta:
        model = IncidentLink
        fields = ("id", "from_incident", "to_incident", "note", "created_by_agency", "created_at")
        read_only_fields = ("id", "created_at")

    def get_fields(self):
        fields = super().get_fields()
        visible = Incident.objects.visible_to(principal_for(self.context["request"]))
        fields["from_incident"].queryset = visible
        fields["to_incident"].queryset = visible
        return fields

    def create(self, validated_data):
        try:
            return services.link_incidents(
                principal_for(self.context["request"]),
                validated_data["from_incident"],
                validated_data["to_incident"],
                validated_data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc


# --- alerts -----------------------------------------------------------------------------------


class ReceiptSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.code")
    opened_at = serializers.DateTimeField()
    opened_by = serializers.SerializerMethodField()
    acknowledged_at = serializers.DateTimeField()
    acknowledged_by = serializers.SerializerMethodField()

    def get_opened_by(self, obj) -> str | None:
        return obj.opened_by.get_username() if obj.opened_by_id else None

    def get_acknowledged_by(self, obj) -> str | None:
        if obj.acknowledged_by_id:
            return obj.acknowledged_by.get_username()
        return f"api-key:{obj.acknowledged_via_key}" if obj.acknowledged_via_key else None


class AlertSerializer(SharedRecordSerializer):
    recipients = AgencyCodeField(many=True, write_only=True)
    receipts = ReceiptSerializer(many=True, read_only=True)
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.none(), required=False, allow_null=True)
    unacknowledged_urgent = serializers.SerializerMethodField(
        help_text=_("True while an urgent or high-urgency alert has a recipient that has not acknowledged it.")
    )

    class Meta:
        model = Alert
        fields = SharedRecordSerializer.shared_fields + (
            "title",
            "message",
            "urgency",
            "recipients",
            "receipts",
            "incident",
            "place",
            "valid_until",
            "unacknowledged_urgent",
        )

    def get_fields(self):
        fields = super().get_fields()
        fields["incident"].queryset = Incident.objects.visible_to(principal_for(self.context["request"]))
        if self.instance is not None and not isinstance(self.instance, list):
            fields["recipients"].required = False
        return fields

    def get_unacknowledged_urgent(self, obj) -> bool:
        return obj.is_urgent and any(r.acknowledged_at is None for r in obj.receipts.all())

    def validate_sensitivity(self, value):
        if value not in (Sensitivity.PARTNERS, Sensitivity.RESTRICTED):
            raise serializers.ValidationError(_("An alert goes to partners or is restricted to listed agencies."))
        return value

    def validate(self, attrs):
        sensitivity = attrs.get("sensitivity", getattr(self.instance, "sensitivity", Sensitivity.PARTNERS))
        recipients = attrs.get("recipients")
        if recipients is not None and not recipients:
            raise serializers.ValidationError({"recipients": [_("Name at least one recipient agency.")]})
        # A restricted alert is at least visible to its recipients.
        if sensitivity == Sensitivity.RESTRICTED and recipients and not attrs.get("shared_with"):
            attrs["shared_with"] = list(recipients)
        attrs = super().validate(attrs)
        if sensitivity == Sensitivity.RESTRICTED and recipients:
            listed = {
                a.pk for a in attrs.get("shared_with") or (self.instance.shared_with.all() if self.instance else [])
            }
            missing = [a.code for a in recipients if a.pk not in listed]
            if missing:
                raise serializers.ValidationError(
                    {
                        "recipients": [
                            _("Recipients must be among the listed agencies: %(codes)s.")
                            % {"codes": ", ".join(missing)}
                        ]
                    }
                )
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        recipients = validated_data.pop("recipients")
        alert = super().create(validated_data)
        services.set_recipients(alert, recipients)
        return alert

    @transaction.atomic
    def update(self, instance, validated_data):
        recipients = validated_data.pop("recipients", None)
        alert = super().update(instance, validated_data)
        if recipients is not None:
            services.set_recipients(alert, recipients)
        return alert


class KpiQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    group = serializers.CharField(required=False, default="country")
    country = serializers.ChoiceField(choices=["CN", "RU", "INT"], required=False)
    agency = AgencyCodeField(required=False)
    area = serializers.PrimaryKeyRelatedField(queryset=ProtectedArea.objects.all(), required=False)
    export = serializers.ChoiceField(choices=["csv", "xlsx"], required=False)

    def validate_group(self, value):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        unknown = [p for p in parts if p not in services.GROUPS]
        if unknown or not parts:
            raise serializers.ValidationError(_("Group by country, agency, area and/or month."))
        return parts

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end date is before the start date.")]})
        return attrs


def check_create_agency(principal, agency):
    return can_create_for(principal, agency)
