import django_filters
from django.utils.translation import gettext_lazy as _

from core.access import principal_for
from core.filters import PortalFilterSet, SharedRecordFilterSet
from core.models import Agency, Species

from . import services
from .models import (
    ActionPlan,
    Alert,
    Commodity,
    Incident,
    IncidentCategory,
    IncidentStatus,
    IncidentType,
    JointOperation,
    Mandate,
    OperationKind,
    Patrol,
    PlanStatus,
    Transport,
    Urgency,
    Waypoint,
)


class IncidentTypeFilterSet(PortalFilterSet):
    search_fields = ("code", "name")
    category = django_filters.ChoiceFilter(choices=IncidentCategory.choices, label=_("Category"))

    class Meta:
        model = IncidentType
        fields = ["category", "is_active", "removable"]


class ActionPlanFilterSet(SharedRecordFilterSet):
    search_fields = ("title", "objectives")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("Status"))
    participating_agency = django_filters.ModelChoiceFilter(
        field_name="participating_agencies",
        to_field_name="code",
        queryset=Agency.objects.all(),
        label=_("Participating agency"),
    )
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("In force on"))

    class Meta:
        model = ActionPlan
        fields = ["status"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)


class JointOperationFilterSet(SharedRecordFilterSet):
    search_fields = ("title", "description")
    kind = django_filters.ChoiceFilter(choices=OperationKind.choices, label=_("Kind"))
    plan = django_filters.UUIDFilter(field_name="plan_id", label=_("Plan"))

    class Meta:
        model = JointOperation
        fields = ["kind"]


class PatrolFilterSet(SharedRecordFilterSet):
    search_fields = ("title", "leader", "objective")
    mandate = django_filters.ChoiceFilter(choices=Mandate.choices, label=_("Mandate"))
    transport = django_filters.ChoiceFilter(choices=Transport.choices, label=_("Transport"))
    start_after = django_filters.DateFilter(field_name="start", lookup_expr="date__gte", label=_("Started on or after"))
    start_before = django_filters.DateFilter(
        field_name="start", lookup_expr="date__lte", label=_("Started on or before")
    )
    protected_area = django_filters.UUIDFilter(method="filter_protected_area", label=_("Protected area"))
    plan = django_filters.UUIDFilter(field_name="plan_id", label=_("Plan"))

    class Meta:
        model = Patrol
        fields = ["mandate", "transport"]

    def filter_protected_area(self, queryset, name, value):
        # Only the patrols that show this area to the caller (services.AreaRule): no oracle.
        principal = principal_for(self.request)
        return queryset.filter(services.AreaRule(principal).filter_q(value, services.patrol_precise_q(principal)))


class WaypointFilterSet(PortalFilterSet):
    search_fields = ("notes",)
    patrol = django_filters.UUIDFilter(field_name="patrol_id", label=_("Patrol"))
    incident_type = django_filters.ModelChoiceFilter(
        to_field_name="code", queryset=IncidentType.objects.all(), label=_("Observation")
    )
    category = django_filters.ChoiceFilter(
        field_name="incident_type__category", choices=IncidentCategory.choices, label=_("Category")
    )
    owner_agency = django_filters.CharFilter(field_name="patrol__owner_agency__code", label=_("Owning agency"))
    after = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("On or after"))
    before = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("On or before"))

    class Meta:
        model = Waypoint
        fields = []


class IncidentFilterSet(SharedRecordFilterSet):
    # Suspects are deliberately not searchable: personal data must not leak through a filter.
    search_fields = ("reference", "place", "description")
    incident_type = django_filters.ModelChoiceFilter(
        to_field_name="code", queryset=IncidentType.objects.all(), label=_("Incident type")
    )
    category = django_filters.ChoiceFilter(
        field_name="incident_type__category", choices=IncidentCategory.choices, label=_("Category")
    )
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices, label=_("Status"))
    commodity = django_filters.ChoiceFilter(choices=Commodity.choices, label=_("Commodity"))
    species = django_filters.ModelChoiceFilter(
        to_field_name="scientific_name", queryset=Species.objects.all(), label=_("Species")
    )
    occurred_after = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte", label=_("On or after"))
    occurred_before = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte", label=_("On or before"))
    protected_area = django_filters.UUIDFilter(method="filter_protected_area", label=_("Protected area"))

    class Meta:
        model = Incident
        fields = ["is_seizure", "status"]

    def filter_protected_area(self, queryset, name, value):
        # Only the incidents that show this area to the caller (services.AreaRule): no oracle.
        principal = principal_for(self.request)
        return queryset.filter(services.AreaRule(principal).filter_q(value, services.incident_precise_q(principal)))


class AlertFilterSet(SharedRecordFilterSet):
    search_fields = ("title", "message", "place")
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label=_("Urgency"))
    recipient = django_filters.ModelChoiceFilter(
        field_name="receipts__agency", to_field_name="code", queryset=Agency.objects.all(), label=_("Recipient")
    )
    unacknowledged = django_filters.BooleanFilter(method="filter_unacknowledged", label=_("Not acknowledged by all"))

    class Meta:
        model = Alert
        fields = ["urgency"]

    def filter_unacknowledged(self, queryset, name, value):
        condition = {"receipts__acknowledged_at__isnull": True}
        return (queryset.filter(**condition) if value else queryset.exclude(**condition)).distinct()
