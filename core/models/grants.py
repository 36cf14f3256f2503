from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..validators import period_errors
from .base import AuditedModel, TimeStampedModel


class GrantScope(models.TextChoices):
    VIEW = "view", _("See restricted and owner-only records")
    PRECISE_LOCATIONS = "precise_locations", _("See precise locations")


class GrantQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on), Q(valid_until__isnull=True) | Q(valid_until__gte=on)).filter(
            revoked_at__isnull=True
        )

    def for_dataset(self, dataset_type):
        return self.filter(Q(dataset_type="") | Q(dataset_type=dataset_type))


class DataSharingGrant(AuditedModel, TimeStampedModel):
    """Agency A (grantor) gives agency B (grantee) more than the sensitivity alone allows."""

    grantor = models.ForeignKey(
        "core.Agency",
        on_delete=models.CASCADE,
        related_name="grants_given",
        verbose_name=_("granting agency"),
    )
    grantee = models.ForeignKey(
        "core.Agency",
        on_delete=models.CASCADE,
        related_name="grants_received",
        verbose_name=_("receiving agency"),
    )
    scope = models.CharField(_("scope"), max_length=32, choices=GrantScope.choices)
    dataset_type = models.CharField(
        _("dataset type"),
        max_length=100,
        blank=True,
        help_text=_("A record type such as monitoring.observation; empty means every type."),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("data-sharing grant")
        verbose_name_plural = _("data-sharing grants")
        indexes = [models.Index(fields=["grantee", "scope", "dataset_type"])]

    def __str__(self):
        return f"{self.grantor.code} → {self.grantee.code}: {self.get_scope_display()}"

    def clean(self):
        from core.access import shared_dataset_types

        errors = {}
        if self.grantor_id and self.grantor_id == self.grantee_id:
            errors["grantee"] = _("An agency cannot grant access to itself.")
        errors.update(period_errors(self.valid_from, self.valid_until, "valid_until"))
        if self.dataset_type and self.dataset_type not in shared_dataset_types():
            errors["dataset_type"] = _("Unknown dataset type “%(value)s”.") % {"value": self.dataset_type}
        if errors:
            raise ValidationError(errors)
