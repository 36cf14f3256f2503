"""Admin of the shared status history (core.workflow)."""

from django.contrib import admin

from core.models import StatusChange


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "content_type", "object_id", "transition", "from_status", "to_status", "user", "agency")
    list_filter = ("content_type", "transition")
    readonly_fields = [f.name for f in StatusChange._meta.fields]
