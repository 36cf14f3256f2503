"""Patrols (SMART-like effort), their legs (tracks) and waypoints (observations).

The derived fields (a leg's distance, a patrol's effort) are written by antipoaching.services.
"""

import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.geo import check_line_points, validate_geojson, validate_wgs84_point
from core.models import AuditedModel, SharedRecord, TimeStampedModel
from core.validators import period_errors, validate_period

from .plans import ActionPlan, JointOperation
from .vocabulary import IncidentType


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
    """A patrol of one agency. Effort fields are derived (services.save_patrol, refresh_effort)."""

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

    # A patrol joins only a plan or operation its agency owns or takes part in.
    link_rules = {"plan": "edit", "operation": "edit"}

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


# A leg's line: one LineString, or a MultiLineString whose parts are the segments of a GPS track
# (the unit was off or lost the signal between them: no distance is counted across the gap).
TRACK_TYPES = ("LineString", "MultiLineString")


def _position_count(coordinates):
    if not isinstance(coordinates, list):
        return 0
    if coordinates and all(isinstance(part, list) and part and isinstance(part[0], list) for part in coordinates):
        return sum(len(part) for part in coordinates)
    return len(coordinates)


def validate_track(value):
    if value:
        coordinates = value.get("coordinates") if isinstance(value, dict) else None
        # Counted before the positions are checked one by one.
        check_line_points(_position_count(coordinates))
        validate_geojson(value, TRACK_TYPES)


def leg_period_errors(patrol, start, end):
    """{field: message} when a leg's times lie outside its patrol's days, else {}.

    The days are calendar days in the agency's time zone (SMART's patrol days): times typed by
    hand for the patrol and a GPS unit's fixes need not agree to the hour, but a leg from 1901 (a
    unit whose clock was never set) or from another patrol's file does not belong to it.
    """
    if patrol is None or patrol.start is None or patrol.end is None or start is None or end is None:
        return {}
    agency = patrol.owner_agency if patrol.owner_agency_id else None
    zone = zoneinfo.ZoneInfo(agency.effective_timezone if agency is not None else "UTC")

    def day(moment):
        return moment.astimezone(zone).date() if timezone.is_aware(moment) else moment.date()

    first, last = day(patrol.start), day(patrol.end)
    if first <= day(start) and day(end) <= last:
        return {}
    message = _(
        "The leg (%(start)s – %(end)s) lies outside its patrol's days (%(first)s – %(last)s). "
        "Check the date on the GPS unit, or change the patrol's start and end first."
    ) % {"start": day(start), "end": day(end), "first": first, "last": last}
    return {"start" if day(start) < first else "end": message}


class PatrolLeg(AuditedModel, TimeStampedModel):
    # The GPX file a leg was read from is a core.documents attachment (role "gpx"); visibility
    # and the edit right come from the patrol.
    access_parent = "patrol"
    # The GPX file is the track itself: only those who see the patrol's locations precisely may
    # list or download it (core.documents reads this; issue 9).
    precise_attachment_roles = ("gpx",)

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
        help_text=_(
            "GeoJSON LineString in WGS84 (longitude, latitude), or a MultiLineString whose parts are "
            "the segments of a GPS track (no distance is counted between them)."
        ),
    )
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
        errors = leg_period_errors(self.patrol if self.patrol_id else None, self.start, self.end)
        if errors:
            raise ValidationError(errors)

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
