"""Admin of the shared status history (core.workflow), and the admin side of every workflow."""

from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied, ValidationError

from core.access import principal_for
from core.models import StatusChange
from core.workflow import workflow_for


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "content_type", "object_id", "transition", "from_status", "to_status", "user", "agency")
    list_filter = ("content_type", "transition", "is_approval")
    search_fields = ("object_id", "note")
    readonly_fields = [f.name for f in StatusChange._meta.fields]

    def has_add_permission(self, request):
        return False  # the history is written by perform(), never by hand

    def has_change_permission(self, request, obj=None):
        return False


class StatusHistoryInline(GenericTabularInline):
    """Add to a ModelAdmin's `inlines` to show a record's status history (read-only)."""

    model = StatusChange
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = (
        "at",
        "transition",
        "from_status",
        "to_status",
        "is_approval",
        "country",
        "voided_at",
        "user",
        "agency",
        "note",
        "changes",
    )
    readonly_fields = fields
    ordering = ("at", "pk")

    def has_add_permission(self, request, obj=None):
        return False


def workflow_actions(model):
    """Admin actions, one per declared transition of `model`'s workflow, through perform():

    class ActionPlanAdmin(SharedRecordAdmin):
        actions = workflow_actions(ActionPlan)
    """
    workflow = workflow_for(model)
    if workflow is None:
        return []
    return [_action(model, transition.name, transition.label) for transition in workflow.transitions]


def _action(model, name, label):
    def run(modeladmin, request, queryset):
        workflow = workflow_for(model)
        principal = principal_for(request)
        for record in queryset:
            try:
                # Bound to the revision the admin's list was built from.
                workflow.perform(record, name, principal, revision=record.revision)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(str(m) for m in getattr(exc, "messages", [str(exc)]))
                modeladmin.message_user(request, f"{record}: {text}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{record}: {label}", messages.SUCCESS)

    run.short_description = label
    run.__name__ = f"workflow_{name}"
    return run
