"""One status history for every record that moves through declared transitions (core.workflow)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["StatusChange"]


class StatusChange(models.Model):
    """One step of a record's workflow: which transition, from and to which status, by whom, when.

    Approvals are steps too (`is_approval`, with the approver's country); an approval stops
    counting when the approved content changes (`voided_at`). `revision` is the record's revision
    the actor saw, so a decision is bound to what was decided on. `changes` lists, for a step
    caused by an edit (back to review), the fields that changed, without personal values.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("type"))
    object_id = models.CharField(_("record id"), max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(_("transition"), max_length=64)
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    revision = models.PositiveIntegerField(_("revision seen"), null=True, blank=True)
    is_approval = models.BooleanField(_("approval"), default=False)
    country = models.CharField(_("country"), max_length=3, blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    agency = models.ForeignKey(
        "core.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("agency")
    )
    api_key = models.ForeignKey(
        "core.AgencyAPIKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("API key"),
    )
    note = models.TextField(_("note"), blank=True)
    changes = models.JSONField(_("changed fields"), default=list, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="core_statuschange_record_idx")]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status} ({self.transition})"
