"""Admin of attachments (core.documents)."""

from django.contrib import admin

from core.models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "role", "mime_type", "size", "content_type", "created_at")
    list_filter = ("role", "mime_type")
    readonly_fields = ("content_type", "object_id", "file", "original_name", "mime_type", "size", "sha256")
