"""The shared, configurable observation vocabulary."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AuditedModel, TimeStampedModel


class IncidentCategory(models.TextChoices):
    THREAT = "threat", _("Threat or illegal activity")
    WILDLIFE = "wildlife", _("Wildlife sign")
    OTHER = "other", _("Other")


class IncidentType(AuditedModel, TimeStampedModel):
    """The shared, configurable observation vocabulary (SMART's data model, one list for both sides)."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=IncidentCategory.choices)
    removable = models.BooleanField(
        _("can be removed"), default=False, help_text=_("Snares and traps: the count removed is a KPI.")
    )
    species = models.ForeignKey(
        "core.Species",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("species"),
        help_text=_("For signs of a species: its sensitivity decides how precisely points are shown."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("incident type")
        verbose_name_plural = _("incident types")

    def __str__(self):
        return self.name

    @property
    def sensitivity_category(self):
        return self.species.sensitivity_category if self.species_id else 0
