from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectChange(models.Model):
    """One audited event: a create, update or delete, or a read of a restricted record."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        READ = "read", _("Read")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    api_key = models.ForeignKey(
        "core.AgencyAPIKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("API key"),
    )
    agency = models.ForeignKey(
        "core.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("acting agency"),
    )
    request_id = models.UUIDField(_("request id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("record type")
    )
    object_id = models.CharField(_("record id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("record"), max_length=255)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)

    class Meta:
        ordering = ["-time"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"
