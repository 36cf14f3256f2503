"""Alerts to counterpart agencies, with receipt tracking."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Sensitivity, SharedRecord

from .incidents import Incident


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


URGENT_LEVELS = (Urgency.HIGH, Urgency.URGENT)


class Alert(SharedRecord):
    """A message to counterpart agencies ("a poaching group crossed at …"), with receipt tracking."""

    title = models.CharField(_("title"), max_length=255)
    message = models.TextField(_("message"))
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL, db_index=True
    )
    recipients = models.ManyToManyField(
        "core.Agency", through="AlertReceipt", related_name="+", verbose_name=_("recipient agencies")
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts", verbose_name=_("incident")
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta(SharedRecord.Meta):
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("antipoaching:alert-detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.sensitivity not in (Sensitivity.PARTNERS, Sensitivity.RESTRICTED):
            raise ValidationError({"sensitivity": _("An alert goes to partners or is restricted to listed agencies.")})

    @property
    def is_urgent(self):
        return self.urgency in URGENT_LEVELS


class AlertReceipt(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("alert"))
    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency"))
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_via_key = models.CharField(_("acknowledged with API key"), max_length=16, blank=True)

    class Meta:
        ordering = ["alert", "agency__code"]
        verbose_name = _("alert receipt")
        verbose_name_plural = _("alert receipts")
        constraints = [models.UniqueConstraint(fields=["alert", "agency"], name="alert_receipt_once")]

    def __str__(self):
        return f"{self.alert} → {self.agency.code}"
