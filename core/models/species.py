from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import AuditedModel, TimeStampedModel


class SensitivityCategory(models.IntegerChoices):
    """Chapman 2020 (GBIF): how far a species' locations are generalized for outsiders."""

    NOT_SENSITIVE = 0, _("Not sensitive")
    EXTREME = 1, _("1 — extreme: 1° grid")
    HIGH = 2, _("2 — high: 0.1° grid (about 10 km)")
    MEDIUM = 3, _("3 — medium: 0.01° grid")
    LOW = 4, _("4 — low: 0.001° grid")


class Species(AuditedModel, TimeStampedModel):
    scientific_name = models.CharField(_("scientific name"), max_length=200, unique=True)
    common_name = models.CharField(_("common name"), max_length=200)
    taxon_rank = models.CharField(_("taxon rank"), max_length=32, default="species")
    gbif_key = models.PositiveIntegerField(_("GBIF taxon key"), null=True, blank=True)
    sensitivity_category = models.PositiveSmallIntegerField(
        _("sensitivity category"),
        choices=SensitivityCategory.choices,
        default=SensitivityCategory.NOT_SENSITIVE,
    )
    is_target = models.BooleanField(
        _("target species"), default=False, help_text=_("Tiger and leopard: tracked individually.")
    )

    class Meta:
        ordering = ["scientific_name"]
        verbose_name = _("species")
        verbose_name_plural = pgettext_lazy("plural", "species")

    def __str__(self):
        return f"{self.common_name} ({self.scientific_name})"

    @property
    def is_sensitive(self):
        return self.sensitivity_category != SensitivityCategory.NOT_SENSITIVE
