"""Surveys, Camtrap DP imports and camera-trap deployments.

Coordinates live on the deployment; media and observations inherit them, so generalization is
decided once per deployment (`location_category`, kept by monitoring.services).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.geo import validate_geojson, validate_wgs84_point
from core.models import SharedRecord
from core.validators import period_errors, validate_period

from .protocols import FeatureType, ProtocolVersion, SurveyMethod


class SurveyKind(models.TextChoices):
    SINGLE = "single", _("Single-agency")
    JOINT = "joint", _("Joint (cross-border)")


class SamplingDesign(models.TextChoices):
    """Camtrap DP project.samplingDesign."""

    SIMPLE_RANDOM = "simpleRandom", _("Simple random")
    SYSTEMATIC_RANDOM = "systematicRandom", _("Systematic random")
    CLUSTERED_RANDOM = "clusteredRandom", _("Clustered random")
    EXPERIMENTAL = "experimental", _("Experimental")
    TARGETED = "targeted", _("Targeted")
    OPPORTUNISTIC = "opportunistic", _("Opportunistic")


class Survey(SharedRecord):
    # A joint survey's participating agencies may add their deployments and transects to it.
    link_participants = "participating_agencies"

    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SurveyKind.choices, default=SurveyKind.SINGLE)
    method = models.CharField(
        _("method"), max_length=32, choices=SurveyMethod.choices, default=SurveyMethod.CAMERA_TRAPPING
    )
    participating_agencies = models.ManyToManyField(
        "core.Agency", blank=True, related_name="+", verbose_name=_("participating agencies")
    )
    protocol_version = models.ForeignKey(
        ProtocolVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("protocol version"),
    )
    protected_area = models.ForeignKey(
        "reserves.ProtectedArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("protected area"),
    )
    area = models.JSONField(
        _("survey area"), null=True, blank=True, help_text=_("GeoJSON Polygon or MultiPolygon in WGS84.")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    sampling_design = models.CharField(_("sampling design"), max_length=32, blank=True, choices=SamplingDesign.choices)

    class Meta(SharedRecord.Meta):
        ordering = ["-start_date"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["start_date"], name="monitoring_survey_start")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("monitoring:survey-detail", args=[self.pk])

    def clean(self):
        super().clean()
        validate_period(self.start_date, self.end_date, "end_date")
        if self.area:
            try:
                validate_geojson(self.area, ("Polygon", "MultiPolygon"))
            except ValidationError as exc:
                raise ValidationError({"area": exc.messages}) from exc


class ImportRun(SharedRecord):
    """One accepted Camtrap DP import: what came in, and how many rows."""

    package_name = models.CharField(_("package name"), max_length=255, blank=True)
    package_id = models.CharField(_("package id"), max_length=255, blank=True)
    source = models.CharField(_("source file"), max_length=500, blank=True)
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports", verbose_name=_("survey")
    )
    deployments = models.PositiveIntegerField(_("deployments"), default=0)
    media = models.PositiveIntegerField(_("media"), default=0)
    observations = models.PositiveIntegerField(_("observations"), default=0)
    seconds = models.FloatField(_("duration (s)"), default=0)
    # The source descriptor as read, without its resources (licences, contributors, citation,
    # taxonomic ids, project design...): the export states what the source said.
    metadata = models.JSONField(_("package metadata"), default=dict, blank=True)
    # What the import did (ImportReport.as_dict(): created, updated, unchanged, refused, notices).
    report = models.JSONField(_("import report"), default=dict, blank=True)

    class Meta(SharedRecord.Meta):
        verbose_name = _("Camtrap DP import")
        verbose_name_plural = _("Camtrap DP imports")

    def __str__(self):
        return (
            f"{self.package_name or self.source} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.source
        )


class Deployment(SharedRecord):
    # Joining a survey writes into it: only its owner or a participating agency may.
    link_rules = {"survey": "edit"}
    personal_data_fields = ("setup_by",)  # the name of the person who set the camera up

    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="deployments", verbose_name=_("survey")
    )
    deployment_id = models.CharField(_("deployment ID"), max_length=255)
    location_id = models.CharField(_("location ID"), max_length=255, blank=True)
    location_name = models.CharField(_("location name"), max_length=255, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    coordinate_uncertainty = models.PositiveIntegerField(_("coordinate uncertainty (m)"), null=True, blank=True)
    start = models.DateTimeField(_("deployment start"))
    end = models.DateTimeField(_("deployment end"))
    # Minutes east of UTC as the source wrote deploymentStart: the export writes times as received.
    utc_offset = models.SmallIntegerField(_("UTC offset (min)"), null=True, blank=True, editable=False)
    setup_by = models.CharField(_("set up by"), max_length=255, blank=True)
    camera_id = models.CharField(_("camera ID"), max_length=255, blank=True)
    camera_model = models.CharField(_("camera model"), max_length=255, blank=True)
    camera_delay = models.PositiveIntegerField(_("camera delay (s)"), null=True, blank=True)
    camera_height = models.FloatField(_("camera height (m)"), null=True, blank=True)
    camera_depth = models.FloatField(_("camera depth (m)"), null=True, blank=True)
    camera_tilt = models.SmallIntegerField(_("camera tilt (°)"), null=True, blank=True)
    camera_heading = models.SmallIntegerField(_("camera heading (°)"), null=True, blank=True)
    detection_distance = models.FloatField(_("detection distance (m)"), null=True, blank=True)
    timestamp_issues = models.BooleanField(_("timestamp issues"), null=True, blank=True)
    bait_use = models.BooleanField(_("bait used"), null=True, blank=True)
    feature_type = models.ForeignKey(
        FeatureType,
        null=True,
        blank=True,
        to_field="key",
        on_delete=models.PROTECT,
        related_name="+",
        db_column="feature_type",
        verbose_name=_("feature type"),
    )
    habitat = models.CharField(_("habitat"), max_length=500, blank=True)
    deployment_groups = models.CharField(_("deployment groups"), max_length=500, blank=True)
    deployment_tags = models.CharField(_("deployment tags"), max_length=500, blank=True)
    deployment_comments = models.TextField(_("comments"), blank=True)
    protected_area = models.ForeignKey(
        "reserves.ProtectedArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("protected area"),
    )
    # The most restrictive Chapman category of any species recorded here (0: none): the whole
    # deployment is generalized by it, so no observation gives its point away.
    location_category = models.PositiveSmallIntegerField(_("location sensitivity category"), default=0, editable=False)
    # The point of the deployment's location (monitoring.services.derived): every deployment of
    # one owner at one location ID, or within 100 m of another, shares it, and withheld views snap
    # it, so no twin of a location lands in another grid cell than the rest.
    anchor_latitude = models.FloatField(_("location anchor latitude"), null=True, blank=True, editable=False)
    anchor_longitude = models.FloatField(_("location anchor longitude"), null=True, blank=True, editable=False)
    # True only when the protected area holds the whole withheld grid cell around the anchor: only
    # then may those who see the point generalized see the area (it tells no more than the cell).
    protected_area_covers_cell = models.BooleanField(
        _("protected area covers the grid cell"), default=False, editable=False
    )
    import_run = models.ForeignKey(
        ImportRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("import"),
    )

    class Meta(SharedRecord.Meta):
        ordering = ["-start"]
        verbose_name = _("camera-trap deployment")
        verbose_name_plural = _("camera-trap deployments")
        constraints = [
            models.UniqueConstraint(fields=["owner_agency", "deployment_id"], name="monitoring_deployment_natural_key")
        ]
        indexes = [
            models.Index(fields=["start"], name="monitoring_dep_start"),
            models.Index(fields=["latitude", "longitude"], name="monitoring_dep_latlon"),
        ]

    def __str__(self):
        return f"{self.deployment_id} ({self.owner_agency.code})" if self.owner_agency_id else self.deployment_id

    def get_absolute_url(self):
        return reverse("monitoring:deployment-detail", args=[self.pk])

    @property
    def trap_nights(self):
        if not (self.start and self.end) or self.end <= self.start:
            return 0.0
        return (self.end - self.start).total_seconds() / 86400

    def clean(self):
        super().clean()
        errors = period_errors(self.start, self.end, "end")  # every error at once, not the first
        try:
            validate_wgs84_point(self.latitude, self.longitude)
        except ValidationError as exc:
            errors["latitude"] = exc.messages
        if errors:
            raise ValidationError(errors)
