"""Admin of the reminder machinery. The beat schedule itself is edited under "Periodic tasks"
(django_celery_beat): the entry "Send due reminders" runs core.send_due_reminders."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from core.models import DatedObligation, Notification, NotificationPreference, Reminder, ReminderStatus


class ReminderInline(admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ("kind", "offset_days", "period", "scheduled_at", "status", "dispatched_at", "note")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(DatedObligation)
class DatedObligationAdmin(TranslationAdmin):
    list_display = ("title", "agency", "category", "due_date", "timezone", "status", "fulfilled_at")
    list_filter = ("status", "category", "agency")
    search_fields = ("title_en", "title_zh_hans", "title_ru", "object_id", "agency__code")
    date_hierarchy = "due_date"
    readonly_fields = ("content_type", "object_id", "category", "due_at", "timezone", "created_at", "updated_at")
    inlines = [ReminderInline]

    def has_add_permission(self, request):
        # An obligation belongs to its source record (a round, an activity), which creates it.
        return False

    def save_model(self, request, obj, form, change):
        from core.reminders import end_of_day, plan_reminders

        if not obj.timezone:  # a new obligation: the zone is the obliged agency's (read-only here)
            obj.timezone = obj.agency.effective_timezone
        obj.due_at = end_of_day(obj.due_date, obj.timezone)
        super().save_model(request, obj, form, change)
        plan_reminders(obj)


@admin.action(description=_("Send again (reset to pending)"))
def resend(modeladmin, request, queryset):
    queryset.update(status=ReminderStatus.PENDING, dispatched_at=None)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("__str__", "obligation", "kind", "scheduled_at", "status", "dispatched_at", "note")
    list_filter = ("status", "kind", "agency")
    search_fields = ("agency__code", "note")
    date_hierarchy = "scheduled_at"
    raw_id_fields = ("obligation",)
    readonly_fields = ("created_at", "dispatched_at")
    actions = [resend]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipient", "event", "kind", "created_at", "read_at", "email_status", "email_sends")
    list_filter = ("kind", "email_status", "language", "event")
    search_fields = ("subject", "recipient__username", "email_to")
    date_hierarchy = "created_at"
    raw_id_fields = ("recipient", "reminder", "obligation")
    readonly_fields = ("created_at", "email_sent_at", "email_sends", "email_failures", "email_error")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """Users set this themselves (Notifications → settings); admins can see and correct it."""

    list_display = ("user", "email_delivery", "last_digest_at")
    list_filter = ("email_delivery",)
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("last_digest_at",)
