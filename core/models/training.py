"""Training and capacity building, shared by anti-poaching (topic 1.5) and monitoring (topic 2.3)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..validators import validate_period
from .base import AuditedModel, SharedRecord, TimeStampedModel

__all__ = ["TrainingCourse", "TrainingParticipant", "TrainingTopic"]


class TrainingTopic(models.TextChoices):
    SMART = "smart", _("SMART patrol software")
    EVIDENCE = "evidence", _("Evidence handling and crime-scene work")
    FIRST_AID = "first_aid", _("First aid")
    CAMERA_TRAPPING = "camera_trapping", _("Camera trapping")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement and legal procedure")
    SPECIES_ID = "species_id", _("Species and sign identification")
    NAVIGATION = "navigation", _("GPS and navigation")
    FIRE = "fire", _("Fire prevention and control")
    DATA = "data", _("Data management and exchange")
    LANGUAGE = "language", _("Language and communication")
    OTHER = "other", _("Other")


class TrainingCourse(SharedRecord):
    """A course one agency organised; the owner agency is the organiser."""

    title = models.CharField(_("title"), max_length=255)
    topic = models.CharField(_("topic"), max_length=32, choices=TrainingTopic.choices, db_index=True)
    description = models.TextField(_("description"), blank=True)
    trainers = models.CharField(_("trainers"), max_length=500, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours = models.PositiveSmallIntegerField(_("hours of instruction"), null=True, blank=True)

    class Meta(SharedRecord.Meta):
        ordering = ["-start_date", "-created_at"]
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")

    def __str__(self):
        return f"{self.title} ({self.start_date:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("core:training-course-detail", args=[self.pk])

    def clean(self):
        super().clean()
        validate_period(self.start_date, self.end_date, "end_date")


class TrainingParticipantQuerySet(models.QuerySet):
    def visible_to(self, principal):
        """Participants of the courses `principal` may see."""
        return self.filter(course__in=TrainingCourse.objects.visible_to(principal).values("pk"))

    def trained_staff_by_topic(self, principal, agency=None, start=None, end=None):
        """[{agency, country, topic, people}]: distinct people who completed a course, per agency and topic.

        One query. A person is counted once per topic however many courses of it they took.
        """
        from django.db.models import Count
        from django.db.models.functions import Lower

        queryset = self.visible_to(principal).filter(completed=True)
        if agency is not None:
            queryset = queryset.filter(agency=agency)
        if start:
            queryset = queryset.filter(course__end_date__gte=start)
        if end:
            queryset = queryset.filter(course__start_date__lte=end)
        return list(
            queryset.values(
                agency_code=models.F("agency__code"),
                country=models.F("agency__country"),
                topic=models.F("course__topic"),
            )
            .annotate(people=Count(Lower("name"), distinct=True))
            .order_by("agency_code", "topic")
        )


class TrainingParticipant(AuditedModel, TimeStampedModel):
    """A person who attended a course, with the certificate they received (if any)."""

    objects = TrainingParticipantQuerySet.as_manager()

    course = models.ForeignKey(
        TrainingCourse, on_delete=models.CASCADE, related_name="participants", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    position = models.CharField(_("position"), max_length=200, blank=True)
    completed = models.BooleanField(_("completed the course"), default=True)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    certificate_issued = models.DateField(_("certificate issued"), null=True, blank=True)
    certificate_file = models.FileField(_("certificate file"), upload_to="training/certificates/", blank=True)

    class Meta:
        ordering = ["course", "agency__code", "name"]
        verbose_name = _("training participant")
        verbose_name_plural = _("training participants")
        constraints = [
            models.UniqueConstraint(fields=["course", "agency", "name"], name="training_participant_once"),
        ]

    def __str__(self):
        return f"{self.name} ({self.agency.code})"

    def clean(self):
        super().clean()
        if self.certificate_issued and not self.certificate_number:
            raise ValidationError({"certificate_number": _("A certificate needs a number.")})
