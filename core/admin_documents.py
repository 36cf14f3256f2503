"""Admin of attachments (core.documents).

Files are added through the record's page or the API, where the content check runs; the admin
only shows, relabels and removes them, and only to superusers (it has no per-agency policy).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.documents import attachments_for, delete_attachment
from core.models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "role", "mime_type", "size", "content_type", "created_at")
    list_filter = ("role", "mime_type")
    fields = (
        "content_type",
        "object_id",
        "role",
        "title",
        "language",
        "download",
        "original_name",
        "mime_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_by_agency",
    )
    readonly_fields = (
        "content_type",
        "object_id",
        "download",
        "original_name",
        "mime_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_by_agency",
    )

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj.pk:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("core:attachment-download", args=[obj.pk]), _("Download"))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        delete_attachment(obj, None, check=False)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_attachment(obj, None, check=False)


def attachment_links(record, role=None):
    """The record's core attachments as download links (files are added on the pages or the API,
    where their content is checked)."""
    if record is None or not record.pk:
        return "-"
    files = [(reverse("core:attachment-download", args=[f.pk]), f.original_name) for f in attachments_for(record, role)]
    if not files:
        return "-"
    return format_html_join(format_html("<br>"), '<a href="{}">{}</a>', files)
