"""Training and capacity building, shared by anti-poaching (topic 1.5) and monitoring (topic 2.3)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..validators import validate_period
from .base import AuditedModel, SharedRecord, TimeStampedModel

__all__ = [
    "CERTIFICATE_ROLE",
    "COURSE_FIELDS",
    "TRAINED_STAFF",
    "register_training",
    "trained_staff_rows",
    "TrainingCourse",
    "TrainingParticipant",
    "TrainingTopic",
]


# What a person or a client edits on a course (the page form and the API list the same).
COURSE_FIELDS = ("title", "topic", "description", "trainers", "place", "start_date", "end_date", "hours")


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

    # Erasing a course's personal data erases its participants' (their names, certificates).
    personal_data_children = ("participants",)

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


CERTIFICATE_ROLE = "certificate"


class TrainingParticipant(AuditedModel, TimeStampedModel):
    """A person who attended a course, with the certificate they received (if any).

    The certificate file is a core attachment (role "certificate"); who may see and add it
    follows the course. A participant's name and certificate number are personal data: the
    organising agency sees them, partners who see the course see how many were trained, not who.
    """

    objects = TrainingParticipantQuerySet.as_manager()

    access_parent = "course"
    link_rules = {"course": "edit"}  # only the organiser adds people to its course
    personal_data_fields = ("name", "certificate_number")
    personal_data_attachment_roles = (CERTIFICATE_ROLE,)

    course = models.ForeignKey(
        TrainingCourse, on_delete=models.CASCADE, related_name="participants", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    position = models.CharField(_("position"), max_length=200, blank=True)
    completed = models.BooleanField(_("completed the course"), default=True)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    certificate_issued = models.DateField(_("certificate issued"), null=True, blank=True)

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
        errors = {}
        if self.certificate_issued and not self.certificate_number:
            errors["certificate_number"] = _("A certificate needs a number.")
        course = self.course if self.course_id else None
        if self.certificate_issued and course is not None and self.certificate_issued < course.start_date:
            errors["certificate_issued"] = _("The certificate is dated before the course.")
        if errors:
            raise ValidationError(errors)


# --- the certificate role and the trained-staff figure (core.documents, core.figures) ----------

TRAINED_STAFF = "core.trained_staff"


def _completed_participants(principal):
    return TrainingParticipant.objects.visible_to(principal).filter(completed=True)


def register_training():
    """Certificates are scans (PDF or image); the trained-staff figure counts distinct people
    (name, case-insensitive) who completed a course, once per group however many courses they
    took; the period selects courses by their start."""
    from django.db.models import Count
    from django.db.models.functions import Lower

    from ..documents import register_role
    from ..figures import queryset_figure, register_figure, register_grouping

    register_role(CERTIFICATE_ROLE, ("pdf", "jpeg", "png"))
    register_grouping("topic", _("Training topic"))
    register_figure(
        TRAINED_STAFF,
        _("Trained staff"),
        _("people"),
        queryset_figure(
            _completed_participants,
            value=Count(Lower("name"), distinct=True),
            value_key="people",
            value_label=_("People trained"),
            date_field="course__start_date",
            country_field="agency__country",
            agency_field="agency__code",
            extra_dimensions={"topic": "course__topic"},
        ),
        app_label="core",
        url_name="core:trained-staff",
        dimensions=("country", "agency", "topic", "month", "year"),
    )


def trained_staff_rows(principal, agency=None, start=None, end=None):
    """[{agency_code, country, topic, people}] read from the figure (the API and the page)."""
    from ..figures import Period, figure_table

    table = figure_table(TRAINED_STAFF, principal, Period.between(start, end), ("agency", "country", "topic"))
    rows = [
        {"agency_code": row["agency"], "country": row["country"], "topic": row["topic"], "people": row["people"]}
        for row in table.rows
    ]
    if agency is not None:
        rows = [row for row in rows if row["agency_code"] == agency.code]
    return rows
