from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from core.access import principal_for
from core.admin import SharedRecordAdmin
from core.admin_workflow import StatusHistoryInline, workflow_actions
from core.workflow import content_changed, snapshot

from . import services, workflows  # noqa: F401  (the plan's workflow, before workflow_actions)
from .models import (
    ActionPlan,
    Alert,
    AlertReceipt,
    Incident,
    IncidentLink,
    IncidentType,
    JointOperation,
    Patrol,
    PatrolLeg,
    PlanActivity,
    PlanTarget,
    Waypoint,
)


class WritePathAdminMixin:
    """Saves and deletes through the app's services, as the pages and the API do.

    `save_service` / `delete_service`: functions of the instance for this admin's model;
    `child_services`: {inline model: (save, delete)} for the inline rows.
    """

    save_service = None
    delete_service = None
    child_services = {}

    def save_model(self, request, obj, form, change):
        if self.save_service is None:
            return super().save_model(request, obj, form, change)
        if not change and hasattr(obj, "created_by_id") and not obj.created_by_id:
            obj.created_by = request.user
        type(self).save_service(obj)

    def delete_model(self, request, obj):
        if self.delete_service is None:
            return super().delete_model(request, obj)
        type(self).delete_service(obj)

    def delete_queryset(self, request, queryset):
        # One by one, so that each row's side effects (obligations, effort) follow.
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        handlers = self.child_services.get(formset.model)
        if handlers is None:
            return super().save_formset(request, form, formset, change)
        save, delete = handlers
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete(obj)
        for obj in instances:
            save(obj)
        formset.save_m2m()


@admin.register(IncidentType)
class IncidentTypeAdmin(TabbedTranslationAdmin):
    list_display = ("code", "name", "category", "removable", "species", "is_active", "order")
    list_filter = ("category", "removable", "is_active")
    search_fields = ("code", "name_zh_hans", "name_en", "name_ru")
    list_editable = ("order", "is_active")


class PlanTargetInline(admin.TabularInline):
    model = PlanTarget
    extra = 0


class PlanActivityInline(TranslationTabularInline):
    model = PlanActivity
    extra = 0
    autocomplete_fields = ("agency",)


@admin.register(ActionPlan)
class ActionPlanAdmin(WritePathAdminMixin, SharedRecordAdmin):
    list_display = ("title", "owner_agency", "status", "period_start", "period_end")
    list_filter = ("status", "owner_agency", "sensitivity")
    search_fields = ("title_zh_hans", "title_en", "title_ru")
    filter_horizontal = ("shared_with", "participating_agencies", "protected_areas")
    readonly_fields = (*SharedRecordAdmin.readonly_fields, "status")
    inlines = (PlanTargetInline, PlanActivityInline, StatusHistoryInline)
    # The workflow goes through the same rules as the pages and the API (core.workflow.perform).
    actions = workflow_actions(ActionPlan)
    delete_service = services.delete_plan
    child_services = {PlanActivity: (services.save_activity, services.delete_activity)}

    # An edit here is watched like one on the page or the API: approved content rewritten
    # (fields, targets or activities) sends the plan back to review with its approvals voided.
    def save_model(self, request, obj, form, change):
        if change:
            request._plan_before = snapshot(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_plan_before", None)
        if before is not None:
            plan = form.instance
            content_changed(plan, services.plan_changes(plan, before), principal_for(request))
            services.sync_plan_obligations(plan)


class PlanChildAdminMixin:
    """A target or activity edited on its own admin page is watched as a change of its plan."""

    def save_model(self, request, obj, form, change):
        with services.editing_plan(obj.plan, principal_for(request)):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with services.editing_plan(obj.plan, principal_for(request)):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(PlanTarget)
class PlanTargetAdmin(PlanChildAdminMixin, admin.ModelAdmin):
    list_display = ("plan", "metric", "value", "per")


@admin.register(PlanActivity)
class PlanActivityAdmin(PlanChildAdminMixin, WritePathAdminMixin, TabbedTranslationAdmin):
    list_display = ("title", "plan", "agency", "due_date", "status")
    list_filter = ("status", "agency")
    save_service = services.save_activity
    delete_service = services.delete_activity


@admin.register(JointOperation)
class JointOperationAdmin(SharedRecordAdmin):
    list_display = ("title", "kind", "owner_agency", "plan", "start", "end")
    list_filter = ("kind", "owner_agency")
    filter_horizontal = ("shared_with", "agencies")
    search_fields = ("title_zh_hans", "title_en", "title_ru")


class PatrolLegInline(admin.TabularInline):
    model = PatrolLeg
    extra = 0
    fields = ("start", "end", "transport", "track", "distance_km")
    readonly_fields = ("distance_km",)


class WaypointInline(admin.TabularInline):
    model = Waypoint
    extra = 0
    fields = ("time", "latitude", "longitude", "incident_type", "count", "removed", "actions", "notes")


@admin.register(Patrol)
class PatrolAdmin(WritePathAdminMixin, SharedRecordAdmin):
    list_display = (
        "__str__",
        "owner_agency",
        "mandate",
        "transport",
        "start",
        "distance_km",
        "patrol_days",
        "person_days",
    )
    list_filter = ("owner_agency", "mandate", "transport", "sensitivity")
    search_fields = ("leader", "title_zh_hans", "title_en", "title_ru")
    date_hierarchy = "start"
    readonly_fields = (
        *SharedRecordAdmin.readonly_fields,
        "team_size",
        "distance_km",
        "hours",
        "patrol_days",
        "person_days",
    )
    inlines = (PatrolLegInline, WaypointInline)
    save_service = services.save_patrol
    delete_service = services.delete_patrol
    child_services = {
        PatrolLeg: (services.save_leg, services.delete_leg),
        Waypoint: (services.save_waypoint, services.delete_waypoint),
    }

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.refresh_effort(form.instance)


@admin.register(PatrolLeg)
class PatrolLegAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("patrol", "start", "end", "transport", "distance_km")
    readonly_fields = ("distance_km",)
    save_service = services.save_leg
    delete_service = services.delete_leg


@admin.register(Waypoint)
class WaypointAdmin(WritePathAdminMixin, admin.ModelAdmin):
    list_display = ("incident_type", "count", "removed", "time", "patrol")
    list_filter = ("incident_type",)
    save_service = services.save_waypoint
    delete_service = services.delete_waypoint


class IncidentLinkInline(admin.TabularInline):
    model = IncidentLink
    fk_name = "from_incident"
    extra = 0
    raw_id_fields = ("to_incident",)


@admin.register(Incident)
class IncidentAdmin(SharedRecordAdmin):
    list_display = ("__str__", "owner_agency", "incident_type", "is_seizure", "occurred_on", "sensitivity", "status")
    list_filter = ("incident_type", "is_seizure", "status", "owner_agency", "sensitivity")
    search_fields = ("reference", "place_zh_hans", "place_en", "place_ru")
    date_hierarchy = "occurred_on"
    filter_horizontal = ("shared_with", "agencies_involved")
    inlines = (IncidentLinkInline,)


@admin.register(IncidentLink)
class IncidentLinkAdmin(admin.ModelAdmin):
    list_display = ("from_incident", "to_incident", "created_by_agency", "created_at")
    raw_id_fields = ("from_incident", "to_incident")


class AlertReceiptInline(admin.TabularInline):
    model = AlertReceipt
    extra = 0
    readonly_fields = ("opened_at", "opened_by", "acknowledged_at", "acknowledged_by", "acknowledged_via_key")


@admin.register(Alert)
class AlertAdmin(SharedRecordAdmin):
    list_display = ("title", "owner_agency", "urgency", "sensitivity", "created_at")
    list_filter = ("urgency", "owner_agency", "sensitivity")
    search_fields = ("title_zh_hans", "title_en", "title_ru")
    inlines = (AlertReceiptInline,)


@admin.register(AlertReceipt)
class AlertReceiptAdmin(admin.ModelAdmin):
    list_display = ("alert", "agency", "opened_at", "acknowledged_at")
    list_filter = ("agency",)
