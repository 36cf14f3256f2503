"""Files attached to any record (core.documents): one model, one access-checked download route."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Attachment", "attachment_upload_to"]


def attachment_upload_to(instance, filename):
    # The stored name says nothing about the record or the upload (no coordinates, no names):
    # the original name is kept in the row and given back only through the download view.
    return f"attachments/{instance.id.hex[:2]}/{instance.id.hex}"


class Attachment(models.Model):
    """A file hanging off a record; whoever may see the record may download it, nobody else."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("type"))
    object_id = models.CharField(_("record id"), max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    role = models.CharField(
        _("role"),
        max_length=32,
        blank=True,
        db_index=True,
        help_text=_("What the file is to its record, for example document or certificate."),
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    mime_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_by_agency = models.ForeignKey(
        "core.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("agency")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_attachment_record_idx")]

    def __str__(self):
        return self.title or self.original_name
