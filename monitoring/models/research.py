"""Research cooperation: projects, publications and requests for precise data."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import AuditedModel, SharedRecord, TimeStampedModel

from .surveys import Survey

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")


def validate_doi(value):
    if value and not DOI_RE.match(value):
        raise ValidationError(_("A DOI looks like 10.1111/conl.12450."), code="doi")


class ResearchProject(SharedRecord):
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    agencies = models.ManyToManyField("core.Agency", blank=True, related_name="+", verbose_name=_("agencies"))
    researchers = models.TextField(_("researchers"), blank=True, help_text=_("One name per line."))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    datasets_used = models.ManyToManyField(
        Survey, blank=True, related_name="research_projects", verbose_name=_("datasets used")
    )

    class Meta(SharedRecord.Meta):
        ordering = ["-start_date"]
        verbose_name = _("research project")
        verbose_name_plural = _("research projects")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("monitoring:project-detail", args=[self.pk])


class Publication(AuditedModel, TimeStampedModel):
    project = models.ForeignKey(
        ResearchProject, on_delete=models.CASCADE, related_name="publications", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=500)
    authors = models.CharField(_("authors"), max_length=1000)
    year = models.PositiveSmallIntegerField(_("year"))
    journal = models.CharField(_("journal"), max_length=255, blank=True)
    doi = models.CharField(_("DOI"), max_length=255, blank=True, validators=[validate_doi])

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self):
        return f"{self.authors} ({self.year}) {self.title}"

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""


class DataRequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def location_dataset_choices():
    return [
        ("monitoring.deployment", _("Camera-trap deployments")),
        ("monitoring.observation", _("Camera-trap observations")),
        ("monitoring.media", _("Camera-trap media")),
        ("monitoring.snowtracktransect", _("Snow-track transects")),
    ]


class DataRequest(SharedRecord):
    """A researcher asks an owning agency for precise data; that agency's coordinator decides.

    Owned by the requesting agency and shared (restricted) with the agency asked.
    """

    requested_from = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency asked")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("researcher")
    )
    project = models.ForeignKey(
        ResearchProject,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
        verbose_name=_("research project"),
    )
    requested_dataset = models.CharField(_("dataset"), max_length=100, choices=location_dataset_choices())
    purpose = models.TextField(_("purpose"))
    needed_until = models.DateField(_("needed until"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DataRequestStatus.choices,
        default=DataRequestStatus.SUBMITTED,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    grant = models.ForeignKey(
        "core.DataSharingGrant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("grant"),
    )

    class Meta(SharedRecord.Meta):
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")

    def __str__(self):
        return _("Request to %(agency)s for %(dataset)s") % {
            "agency": self.requested_from.code if self.requested_from_id else "?",
            "dataset": self.get_requested_dataset_display(),
        }

    def get_absolute_url(self):
        return reverse("monitoring:request-detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.requested_from_id and self.owner_agency_id and self.requested_from_id == self.owner_agency_id:
            raise ValidationError({"requested_from": _("Your agency already sees its own data precisely.")})
