"""Joint action plans: targets, activities, workflow steps, joint operations.

An activity's reminders are kept by antipoaching.services (save_activity, delete_activity).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.geo import validate_geojson
from core.models import AuditedModel, Country, SharedRecord, TimeStampedModel
from core.validators import validate_period


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    EVALUATED = "evaluated", _("Evaluated")


def validate_area_polygon(value):
    if value:
        validate_geojson(value, ("Polygon", "MultiPolygon"))


class ActionPlan(SharedRecord):
    title = models.CharField(_("title"), max_length=255)
    objectives = models.TextField(_("objectives"), blank=True)
    participating_agencies = models.ManyToManyField(
        "core.Agency", related_name="antipoaching_plans", verbose_name=_("participating agencies")
    )
    protected_areas = models.ManyToManyField(
        "reserves.ProtectedArea", blank=True, related_name="antipoaching_plans", verbose_name=_("protected areas")
    )
    area = models.JSONField(
        _("area"),
        null=True,
        blank=True,
        validators=[validate_area_polygon],
        help_text=_("GeoJSON Polygon or MultiPolygon in WGS84 (longitude, latitude)."),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT, editable=False
    )
    evaluation = models.TextField(_("evaluation"), blank=True)

    class Meta(SharedRecord.Meta):
        ordering = ["-period_start", "-created_at"]
        verbose_name = _("joint action plan")
        verbose_name_plural = _("joint action plans")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("antipoaching:plan-detail", args=[self.pk])

    def clean(self):
        super().clean()
        validate_period(self.period_start, self.period_end, "period_end")


class TargetMetric(models.TextChoices):
    PATROLS = "patrols", _("Patrols")
    DISTANCE_KM = "distance_km", _("Patrol km")
    PATROL_DAYS = "patrol_days", _("Patrol days")
    PERSON_DAYS = "person_days", _("Person-days")
    SNARES_REMOVED = "removed", _("Snares and traps removed")
    INCIDENTS = "incidents", _("Incidents recorded")
    ARRESTS = "arrests", _("Arrests")
    SEIZURES = "seizures", _("Seizures")
    JOINT_OPERATIONS = "joint_operations", _("Joint operations")


class TargetPeriod(models.TextChoices):
    TOTAL = "total", _("for the whole plan")
    MONTH = "month", _("per month")


class PlanTarget(AuditedModel, TimeStampedModel):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan"))
    metric = models.CharField(_("measure"), max_length=24, choices=TargetMetric.choices)
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    per = models.CharField(_("per"), max_length=8, choices=TargetPeriod.choices, default=TargetPeriod.TOTAL)

    class Meta:
        ordering = ["plan", "metric"]
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        constraints = [models.UniqueConstraint(fields=["plan", "metric", "per"], name="plan_target_once")]

    def __str__(self):
        return f"{self.get_metric_display()}: {self.value} {self.get_per_display()}"


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PlanActivity(AuditedModel, TimeStampedModel):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="activities", verbose_name=_("plan"))
    title = models.CharField(_("title"), max_length=255)
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owning agency")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )

    class Meta:
        ordering = ["plan", "due_date", "pk"]
        verbose_name = _("plan activity")
        verbose_name_plural = _("plan activities")

    def __str__(self):
        return self.title


class PlanTransition(models.Model):
    """One step of a plan's workflow (or one country's approval): who, for which agency, when."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("plan"))
    from_status = models.CharField(_("from"), max_length=16, choices=PlanStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=PlanStatus.choices)
    is_approval = models.BooleanField(_("approval"), default=False)
    country = models.CharField(_("country"), max_length=3, choices=Country.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    agency = models.ForeignKey(
        "core.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("agency")
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["plan", "at", "pk"]
        verbose_name = _("plan transition")
        verbose_name_plural = _("plan transitions")

    def __str__(self):
        return f"{self.plan}: {self.from_status} → {self.to_status}"


class OperationKind(models.TextChoices):
    JOINT_PATROL = "joint_patrol", _("Joint patrol")
    RAID = "raid", _("Raid")
    BORDER_CHECK = "border_check", _("Border or checkpoint inspection")
    MARKET_CHECK = "market_check", _("Market inspection")
    EXERCISE = "exercise", _("Joint exercise")


class JointOperation(SharedRecord):
    plan = models.ForeignKey(
        ActionPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="operations", verbose_name=_("plan")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OperationKind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    agencies = models.ManyToManyField("core.Agency", related_name="+", verbose_name=_("participating agencies"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    results = models.TextField(_("results"), blank=True)

    class Meta(SharedRecord.Meta):
        ordering = ["-start"]
        verbose_name = _("joint operation")
        verbose_name_plural = _("joint operations")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("antipoaching:operation-detail", args=[self.pk])

    def clean(self):
        super().clean()
        validate_period(self.start, self.end, "end")
