"""Exchange visits between implementers: topic 1.4 (anti-poaching) and topic 4 (reserve to reserve)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..validators import period_errors
from .base import AuditedModel, SharedRecord, TimeStampedModel

__all__ = ["VISIT_FIELDS", "ExchangeTopic", "ExchangeVisit", "ExchangeVisitMember"]


# What a person or a client edits on a visit (the page form and the API list the same; the API
# adds the delegation members).
VISIT_FIELDS = (
    "title",
    "topic",
    "delegation_agency",
    "host_agency",
    "protected_areas",
    "start_date",
    "end_date",
    "purpose",
    "programme",
    "report",
    "lessons_learned",
)


class ExchangeTopic(models.TextChoices):
    ANTIPOACHING = "antipoaching", _("Anti-poaching")
    MONITORING = "monitoring", _("Monitoring")
    MANAGEMENT = "management", _("Protected-area management")
    RESEARCH = "research", _("Research")
    EDUCATION = "education", _("Education and outreach")
    FIRE = "fire", _("Fire control")
    OTHER = "other", _("Other")


class ExchangeVisit(SharedRecord):
    """A delegation of one agency visiting another (the owner is the agency that records it)."""

    title = models.CharField(_("title"), max_length=255)
    topic = models.CharField(_("topic"), max_length=32, choices=ExchangeTopic.choices, db_index=True)
    delegation_agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("delegation agency")
    )
    host_agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("host agency")
    )
    # A string reference: core never imports reserves, the migration only depends on it.
    protected_areas = models.ManyToManyField(
        "reserves.ProtectedArea", blank=True, related_name="+", verbose_name=_("protected areas visited")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    purpose = models.TextField(_("purpose"))
    programme = models.TextField(_("programme"), blank=True)
    report = models.TextField(_("report"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)

    class Meta(SharedRecord.Meta):
        ordering = ["-start_date", "-created_at"]
        verbose_name = _("exchange visit")
        verbose_name_plural = _("exchange visits")

    def __str__(self):
        return f"{self.title} ({self.start_date:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("core:exchange-visit-detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        errors.update(period_errors(self.start_date, self.end_date, "end_date"))
        if self.delegation_agency_id and self.delegation_agency_id == self.host_agency_id:
            errors["host_agency"] = _("The host agency must differ from the delegation's agency.")
        if errors:
            raise ValidationError(errors)


class ExchangeVisitMember(AuditedModel, TimeStampedModel):
    visit = models.ForeignKey(ExchangeVisit, on_delete=models.CASCADE, related_name="members", verbose_name=_("visit"))
    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    position = models.CharField(_("position"), max_length=200, blank=True)
    is_leader = models.BooleanField(_("head of delegation"), default=False)

    class Meta:
        ordering = ["visit", "-is_leader", "name"]
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")

    def __str__(self):
        return f"{self.name} ({self.agency.code})"
