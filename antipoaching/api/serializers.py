import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.access import can_create_for, can_edit, principal_for
from core.api.fields import restrict_related_fields
from core.api.serializers import AgencyCodeField, PortalModelSerializer, SharedRecordSerializer, SpeciesNameField
from core.api.workflow import StatusHistoryField, history_of
from core.models import Sensitivity
from core.personal_data import PersonalDataSerializerMixin
from core.validators import validate_period
from core.workflow import approvals_in
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
    PlanStatus,
    PlanTarget,
    Waypoint,
)


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


# --- fields whose answer is withheld from some viewers -----------------------------------------


class CoordinateField(serializers.DecimalField):
    """A latitude or longitude: written as a decimal, answered as a number (exact or snapped to
    its grid), or null when the viewer may see no location."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else float(value)


class WithheldDateTimeField(serializers.DateTimeField):
    """A time that is null in the answer when the viewer may see only its date."""


class _ResponseNullableSchema(OpenApiSerializerFieldExtension):
    """The response schema of these fields is nullable (answers withhold them); requests keep the
    field's own rules (schemathesis: no valid request refused, no answer off the schema)."""

    target_class = CoordinateField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "number", "format": "double", "nullable": True}
        return auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)


class _WithheldTimeSchema(OpenApiSerializerFieldExtension):
    target_class = WithheldDateTimeField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema = {**schema, "nullable": True}
        return schema


class CoverageCellSerializer(serializers.Serializer):
    """One cell of a patrol's coverage: its centre on the withheld grid and the km patrolled in it."""

    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    grid_degrees = serializers.FloatField()
    km = serializers.FloatField()


# --- plans -------------------------------------------------------------------------------------


class PlanTargetSerializer(PortalModelSerializer):
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
    status_history = StatusHistoryField()

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
            "status_history",
        )
        read_only_fields = ("evaluation",)

    def get_is_joint(self, obj) -> bool:
        return services.is_joint(obj)

    def get_required_countries(self, obj) -> list[str]:
        return sorted(services.required_countries(obj))

    def get_approved_countries(self, obj) -> list[str]:
        steps = history_of(obj)
        return sorted({a.country for a in approvals_in(steps, PlanStatus.UNDER_REVIEW) if a.country})

    def validate_participating_agencies(self, agencies):
        if not agencies:
            raise serializers.ValidationError(_("List at least one participating agency."))
        return agencies

    def validate(self, attrs):
        attrs = super().validate(attrs)
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

    def update(self, instance, validated_data):
        targets = validated_data.pop("targets", None)
        activities = validated_data.pop("activities", None)
        # Approved content rewritten: back to review, approvals voided (core.workflow.watch).
        with services.editing_plan(instance, principal_for(self.context["request"])):
            plan = super().update(instance, validated_data)
            self._save_children(plan, targets, activities)
        return plan

    def _save_children(self, plan, targets, activities):
        if targets is not None:
            services.replace_targets(plan, targets)
        if activities is not None:
            services.replace_activities(plan, activities)


class JointOperationSerializer(SharedRecordSerializer):
    agencies = AgencyCodeField(many=True)
    plan = serializers.PrimaryKeyRelatedField(queryset=ActionPlan.objects.all(), required=False, allow_null=True)

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


# --- patrols ----------------------------------------------------------------------------------


class LegTimesMixin(serializers.Serializer):
    """A leg's start and end are its first and last fixes: for those who may not see the line,
    null, with the dates kept (services.shown_leg_times); so is the time the leg was created."""

    start_date = serializers.SerializerMethodField(help_text=_("The date of the leg's start (the agency's zone)."))
    end_date = serializers.SerializerMethodField(help_text=_("The date of the leg's end (the agency's zone)."))

    @extend_schema_field(OpenApiTypes.DATE)
    def get_start_date(self, obj):
        return None  # filled by _leg_times

    @extend_schema_field(OpenApiTypes.DATE)
    def get_end_date(self, obj):
        return None

    def _leg_times(self, data, instance):
        principal = principal_for(self.context["request"])
        start, end, first, last, withheld = services.shown_leg_times(
            principal, instance, _patrol_precise_ids(self.context)
        )
        data["start_date"], data["end_date"] = first.isoformat(), last.isoformat()
        if withheld:
            data["start"] = data["end"] = None
            if "created_at" in data:
                data["created_at"] = None
        return data


WITHHELD_TIME_HELP = _("Null in the answer for those who may not see the line: then only the dates are given.")


class PatrolLegSummarySerializer(LegTimesMixin, PortalModelSerializer):
    start = WithheldDateTimeField(read_only=True, help_text=WITHHELD_TIME_HELP)
    end = WithheldDateTimeField(read_only=True, help_text=WITHHELD_TIME_HELP)

    class Meta:
        model = PatrolLeg
        fields = ("id", "start", "end", "start_date", "end_date", "transport", "distance_km")

    def to_representation(self, instance):
        return self._leg_times(super().to_representation(instance), instance)


class PatrolSerializer(SharedRecordSerializer):
    protected_area = serializers.PrimaryKeyRelatedField(
        queryset=ProtectedArea.objects.all(), required=False, allow_null=True
    )
    plan = serializers.PrimaryKeyRelatedField(queryset=ActionPlan.objects.all(), required=False, allow_null=True)
    operation = serializers.PrimaryKeyRelatedField(
        queryset=JointOperation.objects.all(), required=False, allow_null=True
    )
    members = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    legs = PatrolLegSummarySerializer(many=True, read_only=True)
    coverage = serializers.SerializerMethodField(
        help_text=_(
            "For agencies that may not see this patrol's tracks: the km patrolled per cell of the "
            "withheld grid (summed over the legs). Null for those who see the tracks, and for the public."
        )
    )

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
            "coverage",
        )
        read_only_fields = ("team_size", "distance_km", "hours", "patrol_days", "person_days")

    @extend_schema_field(CoverageCellSerializer(many=True, allow_null=True))
    def get_coverage(self, obj):
        return services.patrol_coverage(self.principal, obj, _patrol_precise_ids(self.context))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # A small protected area would place the line more finely than the grid.
        precise = services.sees_track(self.principal, instance.owner_agency_id, _patrol_precise_ids(self.context))
        area_id = _area_rule(self.context).shown_id(instance.protected_area_id, precise)
        data["protected_area"] = str(area_id) if area_id is not None else None
        return data


def _area_rule(context):
    """services.AreaRule for the request, once (kept in the serializer context)."""
    if "_area_rule" not in context:
        context["_area_rule"] = services.AreaRule(principal_for(context["request"]))
    return context["_area_rule"]


def _patrol_precise_ids(context):
    """principal.precise_owner_ids(Patrol), once per request (kept in the serializer context)."""
    if "_patrol_precise_ids" not in context:
        context["_patrol_precise_ids"] = services.patrol_precise_ids(principal_for(context["request"]))
    return context["_patrol_precise_ids"]


class PatrolChildMixin:
    """Children of a patrol: the patrol must be visible, and editable for writes."""

    def validate_patrol(self, patrol):
        # The base has narrowed the choices to visible patrols; writing needs the edit right.
        principal = principal_for(self.context["request"])
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


class PatrolLegSerializer(LegTimesMixin, PatrolChildMixin, PortalModelSerializer):
    patrol = serializers.PrimaryKeyRelatedField(queryset=Patrol.objects.all())
    start = WithheldDateTimeField(required=False, help_text=WITHHELD_TIME_HELP)
    end = WithheldDateTimeField(required=False, help_text=WITHHELD_TIME_HELP)
    created_at = WithheldDateTimeField(read_only=True, help_text=WITHHELD_TIME_HELP)
    gpx_file = serializers.FileField(required=False, write_only=True)
    gpx_leg = serializers.IntegerField(
        required=False,
        write_only=True,
        min_value=1,
        help_text=_(
            "Which leg of the GPX file to save (1 = the first), when the file holds several: each track is "
            "a leg, and so is each recording more than PORTAL_GPX_LEG_GAP_HOURS after the one before."
        ),
    )
    distance_km = serializers.DecimalField(max_digits=10, decimal_places=3, read_only=True)
    coverage = serializers.SerializerMethodField(
        help_text=_(
            "For agencies that may not see the track (then `track` is null): the km patrolled per cell "
            "of the withheld grid. Null for those who see the track, and for the public."
        )
    )

    class Meta:
        model = PatrolLeg
        fields = (
            "id",
            "patrol",
            "start",
            "end",
            "start_date",
            "end_date",
            "transport",
            "track",
            "coverage",
            "gpx_file",
            "gpx_leg",
            "distance_km",
            "created_at",
        )
        read_only_fields = ("id", "created_at")

    @extend_schema_field(CoverageCellSerializer(many=True, allow_null=True))
    def get_coverage(self, obj):
        return None  # filled by to_representation with the track, by one rule

    def to_representation(self, instance):
        data = super().to_representation(instance)
        principal = principal_for(self.context["request"])
        data["track"], data["coverage"] = services.leg_track(principal, instance, _patrol_precise_ids(self.context))
        return self._leg_times(data, instance)

    def _save(self, leg):
        return services.save_leg_with_gpx(leg, getattr(self, "_gpx_file", None), principal_for(self.context["request"]))

    def create(self, validated_data):
        return self._save(PatrolLeg(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self._save(instance)

    def validate(self, attrs):
        # Not a field of the leg: the file is kept as its attachment (core.documents).
        gpx = attrs.pop("gpx_file", None)
        number = attrs.pop("gpx_leg", None)
        self._gpx_file = gpx
        if gpx is None:
            if number is not None:
                raise serializers.ValidationError({"gpx_leg": [_("Send a GPX file to choose a leg of.")]})
            self._require_times(attrs)
            attrs = super().validate(attrs)
        if gpx is not None:
            leg = self._gpx_leg(gpx, number, attrs)
            gpx.seek(0)
            attrs["track"], attrs["start"], attrs["end"] = leg.track, leg.start, leg.end
            # The times come from the file: the model's rules (the patrol's period) run with them.
            attrs = super().validate(attrs)
        elif self.instance is None and not attrs.get("track"):
            raise serializers.ValidationError({"track": [_("Give a GeoJSON LineString track or a GPX file.")]})
        return attrs

    def _gpx_leg(self, gpx, number, attrs):
        """The one leg of the file this request saves (services.read_gpx, services.legs_for)."""
        try:
            reading = services.read_gpx(gpx)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"gpx_file": exc.messages}) from exc
        if number is None and len(reading.legs) > 1:
            raise serializers.ValidationError({"gpx_file": [services.several_legs_message(reading)]})
        if number is not None and number > len(reading.legs):
            raise serializers.ValidationError(
                {"gpx_leg": [_("The GPX file holds %(count)s legs.") % {"count": len(reading.legs)}]}
            )
        chosen = services.GpxReading(legs=[reading.legs[(number or 1) - 1]])
        try:
            (leg,) = services.legs_for(chosen, attrs.get("start"), attrs.get("end"))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return leg

    def _require_times(self, attrs):
        # Optional in the request only because a GPX file can give them.
        if self.instance is None:
            missing = {n: [_("This field is required.")] for n in ("start", "end") if not attrs.get(n)}
            if missing:
                raise serializers.ValidationError(missing)


class PointMixin(serializers.Serializer):
    """Replaces exact coordinates by the grid cell when the viewer may not see them precisely."""

    generalized = serializers.SerializerMethodField(
        help_text=_("True when the location is given on a grid (or not at all) rather than exactly.")
    )
    grid_degrees = serializers.SerializerMethodField(
        help_text=_("The size in degrees of the grid the location is snapped to; null when exact or withheld.")
    )

    def get_generalized(self, obj) -> bool:
        return False  # filled by _apply with the point, by one rule

    def get_grid_degrees(self, obj) -> float | None:
        return None

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


class WaypointSerializer(PointMixin, PatrolChildMixin, PortalModelSerializer):
    patrol = serializers.PrimaryKeyRelatedField(queryset=Patrol.objects.all())
    incident_type = IncidentTypeCodeField()
    actions = serializers.ListField(child=serializers.ChoiceField(choices=Action.choices), required=False)
    time = WithheldDateTimeField(
        help_text=_("Null in the answer when the location is generalized: then only the date is given.")
    )
    latitude = CoordinateField()
    longitude = CoordinateField()
    date = serializers.SerializerMethodField(help_text=_("The date of the observation (the owning agency's zone)."))
    # Created in the field, a sign's record is as exact as its time.
    created_at = WithheldDateTimeField(
        read_only=True, help_text=_("Null in the answer when the location is generalized, like `time`.")
    )

    class Meta:
        model = Waypoint
        fields = (
            "id",
            "patrol",
            "time",
            "date",
            "latitude",
            "longitude",
            "generalized",
            "grid_degrees",
            "incident_type",
            "count",
            "removed",
            "actions",
            "notes",
            "created_at",
        )
        read_only_fields = ("id", "created_at")

    @extend_schema_field(OpenApiTypes.DATE)
    def get_date(self, obj):
        return None  # filled by to_representation

    def to_representation(self, instance):
        data = super().to_representation(instance)
        point = self._point(
            instance.patrol.owner_agency_id,
            instance.latitude,
            instance.longitude,
            instance.incident_type.sensitivity_category,
            Patrol,
        )
        # A generalized waypoint keeps its date only: its time of day would pick a vertex of the track.
        data["date"] = services.local_date(instance).isoformat()
        if services.time_withheld(point):
            data["time"] = data["created_at"] = None
        return self._apply(data, point)


# --- incidents --------------------------------------------------------------------------------


class IncidentSerializer(PersonalDataSerializerMixin, PointMixin, SharedRecordSerializer):
    incident_type = IncidentTypeCodeField()
    latitude = CoordinateField(required=False, allow_null=True)
    longitude = CoordinateField(required=False, allow_null=True)
    species = SpeciesNameField(required=False, allow_null=True)
    protected_area = serializers.PrimaryKeyRelatedField(
        queryset=ProtectedArea.objects.all(), required=False, allow_null=True
    )
    patrol = serializers.PrimaryKeyRelatedField(queryset=Patrol.objects.all(), required=False, allow_null=True)
    # A case reported from the field is created at the minute and place it was found.
    created_at = WithheldDateTimeField(
        read_only=True, help_text=_("Null in the answer when the location is generalized (the date is `occurred_on`).")
    )
    updated_at = WithheldDateTimeField(
        read_only=True, help_text=_("Null in the answer when the location is generalized (the date is `occurred_on`).")
    )
    agencies_involved = AgencyCodeField(many=True, required=False)
    transit_countries = serializers.ListField(child=serializers.CharField(max_length=2), required=False)
    suspects = serializers.ListField(child=serializers.DictField(), required=False)
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
            "generalized",
            "grid_degrees",
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

    def get_linked_cases(self, obj) -> list[str]:
        # Links are prefetched; only an incident that has links costs a (visibility) query.
        others = {link.to_incident_id for link in obj.links_out.all()}
        others |= {link.from_incident_id for link in obj.links_in.all()}
        if not others:
            return []
        visible = Incident.objects.visible_to(principal_for(self.context["request"])).filter(pk__in=others)
        return sorted(str(pk) for pk in visible.values_list("pk", flat=True))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        category = instance.sensitivity_category
        point = self._point(instance.owner_agency_id, instance.latitude, instance.longitude, category, Incident)
        # The protected area says where, too: for a generalized incident, only one no finer than the grid.
        ids = self.context["_precise_ids"][Incident]
        precise = category == 0 or ids is None or instance.owner_agency_id in ids
        area_id = _area_rule(self.context).shown_id(instance.protected_area_id, precise)
        data["protected_area"] = str(area_id) if area_id is not None else None
        if instance.latitude is None:
            data["generalized"], data["grid_degrees"] = False, None
            return data
        if services.time_withheld(point):
            data["created_at"] = data["updated_at"] = None
        return self._apply(data, point)


class CaseField(serializers.PrimaryKeyRelatedField):
    """A case by its id or by its reference (e.g. LOTL-2026-0001); the base narrows the choices
    to the visible cases, so an invisible case is answered like a missing one."""

    default_error_messages = {
        "does_not_exist": _("No case with the id or reference “{pk_value}” exists."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Incident.objects.all())
        kwargs.setdefault("help_text", _("The case's id or its reference, e.g. LOTL-2026-0001."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        queryset = self.get_queryset()
        text = str(data).strip()
        try:
            uuid.UUID(text)
        except ValueError:
            matches = list(queryset.filter(reference__iexact=text)[:2])
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise serializers.ValidationError(
                    _("Several cases carry the reference “%(value)s”: give the case id.") % {"value": text}
                ) from None
            self.fail("does_not_exist", pk_value=text)
        return super().to_internal_value(text)


class IncidentLinkSerializer(PortalModelSerializer):
    from_incident = CaseField()
    to_incident = CaseField()
    created_by_agency = AgencyCodeField(read_only=True)

    class Meta:
        model = IncidentLink
        fields = ("id", "from_incident", "to_incident", "note", "created_by_agency", "created_at")
        read_only_fields = ("id", "created_at")

    def create(self, validated_data):
        return services.link_incidents(
            principal_for(self.context["request"]),
            validated_data["from_incident"],
            validated_data["to_incident"],
            validated_data.get("note", ""),
        )


# --- alerts -----------------------------------------------------------------------------------


class ReceiptSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.code")
    opened_at = serializers.DateTimeField(allow_null=True)
    opened_by = serializers.SerializerMethodField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
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
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all(), required=False, allow_null=True)
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
        if self.instance is not None and not isinstance(self.instance, list):
            fields["recipients"].required = False
        return fields

    def get_unacknowledged_urgent(self, obj) -> bool:
        return obj.is_urgent and any(r.acknowledged_at is None for r in obj.receipts.all())

    def validate(self, attrs):
        sensitivity = attrs.get("sensitivity", getattr(self.instance, "sensitivity", Sensitivity.PARTNERS))
        recipients = attrs.get("recipients")
        # A restricted alert is at least visible to its recipients.
        if sensitivity == Sensitivity.RESTRICTED and recipients and not attrs.get("shared_with"):
            attrs["shared_with"] = list(recipients)
        attrs = super().validate(attrs)
        if recipients is not None:
            listed = attrs.get("shared_with")
            if listed is None and self.instance is not None:
                listed = list(self.instance.shared_with.all())
            services.check_recipients(sensitivity, listed, recipients)
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        recipients = validated_data.pop("recipients")
        alert = super().create(validated_data)
        services.set_recipients(alert, recipients, actor=self.principal.user)
        return alert

    @transaction.atomic
    def update(self, instance, validated_data):
        recipients = validated_data.pop("recipients", None)
        alert = super().update(instance, validated_data)
        if recipients is not None:
            services.set_recipients(alert, recipients, actor=self.principal.user)
        return alert


class KpiQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    group = serializers.CharField(required=False, default="country")
    country = serializers.ChoiceField(choices=["CN", "RU", "INT"], required=False)
    agency = AgencyCodeField(required=False)
    area = serializers.PrimaryKeyRelatedField(queryset=ProtectedArea.objects.all(), required=False)
    export = serializers.ChoiceField(choices=["csv", "xlsx"], required=False)

    def get_fields(self):
        # An area the caller may not see is answered as if it did not exist (no existence oracle).
        return restrict_related_fields(super().get_fields(), self.context.get("principal"))

    def validate_group(self, value):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        unknown = [p for p in parts if p not in services.GROUPS]
        if unknown or not parts:
            raise serializers.ValidationError(_("Group by country, agency, area and/or month."))
        return parts

    def validate(self, attrs):
        validate_period(attrs.get("start"), attrs.get("end"), "end")
        return attrs


def check_create_agency(principal, agency):
    return can_create_for(principal, agency)


class PlanEvaluationTargetSerializer(serializers.Serializer):
    """One target of a plan's evaluation (schema of GET …/plans/{id}/evaluation/)."""

    metric = serializers.CharField()
    per = serializers.CharField()
    value = serializers.FloatField()
    goal = serializers.FloatField()
    achieved = serializers.FloatField()
    by_country = serializers.DictField(child=serializers.FloatField(), help_text="Achieved, per country code.")
    percent = serializers.FloatField(allow_null=True, help_text="Achieved against the goal; null when the goal is 0.")


class PlanEvaluationSerializer(serializers.Serializer):
    plan = serializers.UUIDField()
    months = serializers.IntegerField()
    countries = serializers.ListField(child=serializers.CharField())
    targets = PlanEvaluationTargetSerializer(many=True)
