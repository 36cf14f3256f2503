"""Anti-poaching (topic 1): joint plans, patrols (SMART-like effort), incidents and seizures, alerts."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.geo import validate_geojson, validate_wgs84_point
from core.models import AuditedModel, Country, SharedRecord, TimeStampedModel
from core.validators import period_errors, validate_period

# --- vocabulary --------------------------------------------------------------------------------


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


# --- joint action plans -----------------------------------------------------------------------


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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .services import sync_activity_obligation

        sync_activity_obligation(self)


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


# --- patrols ---------------------------------------------------------------------------------


class Mandate(models.TextChoices):
    ANTI_POACHING = "anti_poaching", _("Anti-poaching")
    MONITORING = "monitoring", _("Wildlife monitoring")
    FIRE = "fire", _("Fire prevention")
    JOINT = "joint", _("Joint cross-border patrol")
    COMMUNITY = "community", _("Community outreach")
    OTHER = "other", _("Other")


class Transport(models.TextChoices):
    FOOT = "foot", _("On foot")
    VEHICLE = "vehicle", _("Vehicle")
    MOTORBIKE = "motorbike", _("Motorbike")
    SNOWMOBILE = "snowmobile", _("Snowmobile")
    BOAT = "boat", _("Boat")
    HORSE = "horse", _("Horse")
    MIXED = "mixed", _("Mixed")


class Patrol(SharedRecord):
    """A patrol of one agency. Effort fields are derived from the legs (services.recompute_effort)."""

    title = models.CharField(_("title"), max_length=255, blank=True)
    leader = models.CharField(_("leader"), max_length=200)
    members = models.JSONField(_("team members"), default=list, blank=True, help_text=_("Names, besides the leader."))
    mandate = models.CharField(_("mandate"), max_length=16, choices=Mandate.choices, default=Mandate.ANTI_POACHING)
    transport = models.CharField(_("transport"), max_length=16, choices=Transport.choices, default=Transport.FOOT)
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    protected_area = models.ForeignKey(
        "reserves.ProtectedArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="antipoaching_patrols",
        verbose_name=_("protected area"),
    )
    plan = models.ForeignKey(
        ActionPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="patrols", verbose_name=_("plan")
    )
    operation = models.ForeignKey(
        JointOperation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patrols",
        verbose_name=_("joint operation"),
    )
    objective = models.TextField(_("objective"), blank=True)
    comments = models.TextField(_("comments"), blank=True)
    # Derived effort (SMART's measures), kept on the row so that KPIs are one aggregate query.
    team_size = models.PositiveSmallIntegerField(_("team size"), default=1, editable=False)
    distance_km = models.DecimalField(_("distance (km)"), max_digits=10, decimal_places=3, default=0, editable=False)
    hours = models.DecimalField(_("hours"), max_digits=10, decimal_places=2, default=0, editable=False)
    patrol_days = models.PositiveIntegerField(_("patrol days"), default=0, editable=False)
    person_days = models.PositiveIntegerField(_("person-days"), default=0, editable=False)

    class Meta(SharedRecord.Meta):
        ordering = ["-start"]
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        indexes = [models.Index(fields=["owner_agency", "start"])]

    def __str__(self):
        label = self.title or self.leader
        return f"{label} ({self.start:%Y-%m-%d})" if self.start else label

    def get_absolute_url(self):
        return reverse("antipoaching:patrol-detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        errors.update(period_errors(self.start, self.end, "end"))
        if not isinstance(self.members, list) or not all(isinstance(m, str) for m in self.members):
            errors["members"] = _("Team members must be a list of names.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        from .services import apply_patrol_effort

        apply_patrol_effort(self)
        super().save(*args, **kwargs)


def validate_track(value):
    if value:
        validate_geojson(value, ("LineString",))


class PatrolLeg(AuditedModel, TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="legs", verbose_name=_("patrol"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    transport = models.CharField(_("transport"), max_length=16, choices=Transport.choices, default=Transport.FOOT)
    track = models.JSONField(
        _("track"),
        null=True,
        blank=True,
        validators=[validate_track],
        help_text=_("GeoJSON LineString in WGS84 (longitude, latitude)."),
    )
    gpx_file = models.FileField(_("GPX file"), upload_to="antipoaching/gpx/", blank=True)
    distance_km = models.DecimalField(_("distance (km)"), max_digits=10, decimal_places=3, default=0, editable=False)

    class Meta:
        ordering = ["patrol", "start"]
        verbose_name = _("patrol leg")
        verbose_name_plural = _("patrol legs")

    def __str__(self):
        return f"{self.patrol} · {self.start:%Y-%m-%d %H:%M}"

    def clean(self):
        super().clean()
        validate_period(self.start, self.end, "end")

    def save(self, *args, **kwargs):
        from .services import leg_distance_km

        self.distance_km = leg_distance_km(self.track)
        super().save(*args, **kwargs)
        from .services import recompute_effort

        recompute_effort(self.patrol)

    def delete(self, *args, **kwargs):
        from .services import recompute_effort

        patrol = self.patrol
        result = super().delete(*args, **kwargs)
        recompute_effort(patrol)
        return result

    @property
    def hours(self):
        return max((self.end - self.start).total_seconds() / 3600, 0)


class Action(models.TextChoices):
    REMOVED = "removed", _("Removed or destroyed")
    EVIDENCE = "evidence", _("Evidence collected")
    PHOTOGRAPHED = "photographed", _("Photographed")
    REPORTED = "reported", _("Reported to police or prosecutor")
    ARREST = "arrest", _("Suspect detained")
    FIRE_OUT = "fire_out", _("Fire put out")
    MARKED = "marked", _("Marked for follow-up")
    NONE = "none", _("No action")


class Waypoint(AuditedModel, TimeStampedModel):
    """A point on a patrol with one observation from the shared vocabulary."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="waypoints", verbose_name=_("patrol"))
    time = models.DateTimeField(_("time"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    incident_type = models.ForeignKey(
        IncidentType, on_delete=models.PROTECT, related_name="waypoints", verbose_name=_("observation")
    )
    count = models.IntegerField(_("count"), default=1, validators=[MinValueValidator(0)])
    removed = models.IntegerField(_("removed"), default=0, validators=[MinValueValidator(0)])
    actions = models.JSONField(_("actions taken"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["patrol", "time"]
        verbose_name = _("waypoint")
        verbose_name_plural = _("waypoints")
        constraints = [
            models.CheckConstraint(condition=models.Q(count__gte=0), name="waypoint_count_not_negative"),
            models.CheckConstraint(condition=models.Q(removed__gte=0), name="waypoint_removed_not_negative"),
        ]

    def __str__(self):
        return f"{self.incident_type} ×{self.count}"

    def clean(self):
        super().clean()
        errors = {}
        try:
            validate_wgs84_point(self.latitude, self.longitude)
        except ValidationError as exc:
            errors["latitude"] = exc.messages
        if self.count is not None and self.removed is not None and self.removed > self.count:
            errors["removed"] = _("More removed than counted.")
        if not isinstance(self.actions, list) or any(a not in Action.values for a in self.actions):
            errors["actions"] = _("Unknown action taken.")
        if errors:
            raise ValidationError(errors)

    @property
    def sensitivity_category(self):
        return self.incident_type.sensitivity_category


# --- incidents, seizures, cases ---------------------------------------------------------------


class Commodity(models.TextChoices):
    LIVE = "live", _("Live animal")
    CARCASS = "carcass", _("Carcass or whole body")
    SKIN = "skin", _("Skin or fur")
    BONES = "bones", _("Bones")
    MEAT = "meat", _("Meat")
    CLAWS_TEETH = "claws_teeth", _("Claws or teeth")
    MUSK = "musk", _("Musk pod")
    ANTLERS = "antlers", _("Antlers")
    SNARE = "snare", _("Snares or traps")
    FIREARM = "firearm", _("Firearm or ammunition")
    TIMBER = "timber", _("Timber")
    VEHICLE = "vehicle", _("Vehicle")
    OTHER = "other", _("Other")


class Unit(models.TextChoices):
    PIECES = "pieces", _("pieces")
    KG = "kg", _("kg")
    M3 = "m3", _("m³")
    SETS = "sets", _("sets")


class PointOfSeizure(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    TRANSIT = "transit", _("Transit")
    INTERNAL = "internal", _("Internal (in the field or in the country)")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATION = "investigation", _("Under investigation")
    PROSECUTION = "prosecution", _("Prosecution")
    CLOSED = "closed", _("Closed")


def validate_country_code(value):
    if value and (len(value) != 2 or not value.isalpha() or not value.isupper()):
        raise ValidationError(_("Use a two-letter ISO 3166 country code such as CN or RU."))


class Incident(SharedRecord):
    """An incident or seizure record with the fields of INTERPOL Ecomessage and EU-TWIX."""

    reference = models.CharField(_("case reference"), max_length=64, blank=True, db_index=True)
    incident_type = models.ForeignKey(
        IncidentType, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("incident type")
    )
    occurred_on = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    protected_area = models.ForeignKey(
        "reserves.ProtectedArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="antipoaching_incidents",
        verbose_name=_("protected area"),
    )
    patrol = models.ForeignKey(
        Patrol, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents", verbose_name=_("patrol")
    )
    species = models.ForeignKey(
        "core.Species", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("species")
    )
    is_seizure = models.BooleanField(_("seizure"), default=False)
    commodity = models.CharField(_("commodity"), max_length=16, choices=Commodity.choices, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, blank=True)
    estimated_value = models.DecimalField(
        _("estimated value"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO 4217, e.g. CNY, RUB, USD."))
    country_of_origin = models.CharField(
        _("country of origin"), max_length=2, blank=True, validators=[validate_country_code]
    )
    transit_countries = models.JSONField(_("countries of transit"), default=list, blank=True)
    country_of_destination = models.CharField(
        _("country of destination"), max_length=2, blank=True, validators=[validate_country_code]
    )
    point_of_seizure = models.CharField(
        _("point of seizure"), max_length=16, choices=PointOfSeizure.choices, blank=True
    )
    agencies_involved = models.ManyToManyField(
        "core.Agency", blank=True, related_name="+", verbose_name=_("agencies involved")
    )
    suspects_count = models.IntegerField(_("number of suspects"), default=0, validators=[MinValueValidator(0)])
    arrests = models.IntegerField(_("arrests"), default=0, validators=[MinValueValidator(0)])
    # Personal data: only on restricted records, shown only to the owner and the listed agencies.
    suspects = models.JSONField(
        _("suspects"),
        default=list,
        blank=True,
        help_text=_("Name, nationality, year of birth, document: only on restricted records."),
    )
    status = models.CharField(_("status"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    description = models.TextField(_("description"), blank=True)

    class Meta(SharedRecord.Meta):
        ordering = ["-occurred_on", "-created_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(condition=models.Q(arrests__gte=0), name="incident_arrests_not_negative"),
            models.CheckConstraint(condition=models.Q(suspects_count__gte=0), name="incident_suspects_not_negative"),
        ]

    def __str__(self):
        ref = self.reference or str(self.pk)[:8]
        return f"{ref} · {self.incident_type} ({self.occurred_on:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("antipoaching:incident-detail", args=[self.pk])

    @property
    def sensitivity_category(self):
        categories = [self.incident_type.sensitivity_category]
        if self.species_id:
            categories.append(self.species.sensitivity_category)
        sensitive = [c for c in categories if c]
        return min(sensitive) if sensitive else 0  # lower category number = stricter grid

    def clean(self):
        super().clean()
        from .services import incident_errors

        errors = incident_errors(self)
        if errors:
            raise ValidationError(errors)


class IncidentLink(AuditedModel, TimeStampedModel):
    """Two related cases (often one on each side of the border)."""

    from_incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("case")
    )
    to_incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="links_in", verbose_name=_("related case")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by_agency = models.ForeignKey(
        "core.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("linked by")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        constraints = [
            models.UniqueConstraint(fields=["from_incident", "to_incident"], name="incident_link_once"),
            models.CheckConstraint(
                condition=~models.Q(from_incident=models.F("to_incident")), name="incident_link_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.from_incident_id} ↔ {self.to_incident_id}"


# --- alerts ---------------------------------------------------------------------------------


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
