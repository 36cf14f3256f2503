"""Joint action plans: targets, activities, workflow steps, joint operations.

An activity's reminders are kept by antipoaching.services (save_activity, delete_activity).
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.geo import validate_geojson
from core.models import AuditedModel, SharedRecord, TimeStampedModel
from core.validators import validate_period
from core.workflow import assert_editable


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


def refuse_if_closed(plan_id):
    """A completed or evaluated plan is read-only on every path (form, API, admin), with its
    targets and activities: raises the workflow's translated "can no longer be changed"."""
    stored = ActionPlan._base_manager.filter(pk=plan_id).first() if plan_id else None
    if stored is not None:
        assert_editable(stored)


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

    # Coordinators of participating agencies may attach activities and operations to the plan.
    link_participants = "participating_agencies"

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
        if self.pk and not self._state.adding:
            refuse_if_closed(self.pk)

    @property
    def planned_activities(self):
        """The activities as approved (title, agency, due date), without their progress.

        Frozen by the workflow: rewriting this sends an approved plan back to review.
        """
        columns = [c for c in self._activity_columns() if c]
        rows = self.activities.values_list(*columns, "agency_id", "due_date") if self.pk else []
        # None and "" are the same empty translation (the API writes "", older rows hold None).
        return tuple(sorted(tuple("" if v is None else str(v) for v in row) for row in rows))

    @staticmethod
    def _activity_columns():
        from core.translated import localized_columns

        return list(localized_columns("title").values())


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

    def clean(self):
        super().clean()
        refuse_if_closed(self.plan_id)


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PlanActivity(AuditedModel, TimeStampedModel):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="activities", verbose_name=_("plan"))
    # Only the plan's agency or a participating agency adds activities to it.
    link_rules = {"plan": "edit"}
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

    def clean(self):
        super().clean()
        refuse_if_closed(self.plan_id)


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

    # An operation joins only a plan its agency owns or takes part in; the operation's own
    # participating agencies may attach their patrols to it.
    link_rules = {"plan": "edit"}
    link_participants = "agencies"

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
