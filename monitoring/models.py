"""Joint survey and monitoring data, the shared individual catalogue and research cooperation.

Camera-trap records follow Camtrap DP 1.0.2 (deployments, media, observations) so that an import
and an export of a package give back the same rows. Coordinates live on the deployment; media and
observations inherit them, so generalization is decided once per deployment (`location_category`).
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.geo import geodesic_length_km, validate_geojson, validate_wgs84_point
from core.models import AuditedModel, SharedRecord, TimeStampedModel
from core.validators import validate_period

# --- 1. Uniform methods: protocols and shared vocabularies ----------------------------------


class SurveyMethod(models.TextChoices):
    CAMERA_TRAPPING = "camera_trapping", _("Camera trapping")
    SNOW_TRACK = "snow_track", _("Snow-track transects")
    PREY_COUNT = "prey_count", _("Prey counts")
    GENETIC = "genetic", _("Non-invasive genetic sampling")
    OTHER = "other", _("Other")


class Protocol(SharedRecord):
    """A survey protocol of the joint programme; its content lives in versions."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    method = models.CharField(_("method"), max_length=32, choices=SurveyMethod.choices)
    title = models.CharField(_("title"), max_length=255)

    class Meta(SharedRecord.Meta):
        ordering = ["key"]
        verbose_name = _("survey protocol")
        verbose_name_plural = _("survey protocols")

    def __str__(self):
        return self.title or self.key

    def get_absolute_url(self):
        return reverse("monitoring:protocol-detail", args=[self.pk])

    def current_version(self, on=None):
        on = on or timezone.localdate()
        return (
            self.versions.filter(effective_from__lte=on)
            .filter(models.Q(effective_until__isnull=True) | models.Q(effective_until__gte=on))
            .order_by("-effective_from")
            .first()
        )


class ProtocolVersion(AuditedModel, TimeStampedModel):
    protocol = models.ForeignKey(
        Protocol, on_delete=models.CASCADE, related_name="versions", verbose_name=_("protocol")
    )
    version = models.CharField(_("version"), max_length=32)
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    document = models.FileField(_("document"), upload_to="monitoring/protocols/", blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    adopted_by = models.ManyToManyField(
        "core.Agency", blank=True, related_name="+", verbose_name=_("adopting agencies")
    )

    class Meta:
        ordering = ["protocol", "-effective_from"]
        verbose_name = _("protocol version")
        verbose_name_plural = _("protocol versions")
        constraints = [
            models.UniqueConstraint(fields=["protocol", "version"], name="monitoring_protocol_version_unique")
        ]

    def __str__(self):
        return f"{self.protocol.key} v{self.version}"

    def clean(self):
        validate_period(self.effective_from, self.effective_until, "effective_until")


class Vocabulary(models.TextChoices):
    """The shared vocabularies a crosswalk can map into."""

    SPECIES = "species", _("Species (scientific name)")
    OBSERVATION_TYPE = "observation_type", _("Observation type")
    FEATURE_TYPE = "feature_type", _("Camera feature type")
    EFFORT_UNIT = "effort_unit", _("Effort unit")
    LIFE_STAGE = "life_stage", _("Life stage")
    SEX = "sex", _("Sex")


class VocabularyTerm(AuditedModel, TimeStampedModel):
    """Abstract: one shared key with a label in three languages."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        abstract = True
        ordering = ["key"]

    def __str__(self):
        return self.label or self.key


class ObservationType(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("observation type")
        verbose_name_plural = _("observation types")


class FeatureType(VocabularyTerm):
    is_crossing = models.BooleanField(
        _("corridor crossing"), default=False, help_text=_("Road underpass, overpass, bridge or culvert.")
    )

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("camera feature type")
        verbose_name_plural = _("camera feature types")


class EffortUnit(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = _("effort unit")
        verbose_name_plural = _("effort units")


class LifeStage(models.TextChoices):
    ADULT = "adult", _("Adult")
    SUBADULT = "subadult", _("Subadult")
    JUVENILE = "juvenile", _("Juvenile")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Crosswalk(AuditedModel, TimeStampedModel):
    """One agency's local code for a shared key (e.g. LOTL's «тропа» → trailGame)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency"))
    vocabulary = models.CharField(_("vocabulary"), max_length=32, choices=Vocabulary.choices)
    local_code = models.CharField(_("local code"), max_length=200)
    shared_key = models.CharField(_("shared key"), max_length=200)

    class Meta:
        ordering = ["agency", "vocabulary", "local_code"]
        verbose_name = _("crosswalk entry")
        verbose_name_plural = _("crosswalks")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "vocabulary", "local_code"], name="monitoring_crosswalk_unique_local_code"
            )
        ]

    def __str__(self):
        return f"{self.agency.code} {self.vocabulary}: {self.local_code} → {self.shared_key}"

    def clean(self):
        from .services import shared_keys

        if self.vocabulary and self.shared_key and self.shared_key not in shared_keys(self.vocabulary):
            raise ValidationError(
                {"shared_key": _("“%(key)s” is not a key of this vocabulary.") % {"key": self.shared_key}}
            )


# --- 2. Surveys and camera-trap data ----------------------------------------------------------


class SurveyKind(models.TextChoices):
    SINGLE = "single", _("Single-agency")
    JOINT = "joint", _("Joint (cross-border)")


class Survey(SharedRecord):
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

    class Meta(SharedRecord.Meta):
        verbose_name = _("Camtrap DP import")
        verbose_name_plural = _("Camtrap DP imports")

    def __str__(self):
        return (
            f"{self.package_name or self.source} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.source
        )


class Deployment(SharedRecord):
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
        try:
            validate_wgs84_point(self.latitude, self.longitude)
        except ValidationError as exc:
            raise ValidationError({"latitude": exc.messages}) from exc
        validate_period(self.start, self.end, "end")

    def save(self, *args, **kwargs):
        from reserves.services import area_containing

        if self.latitude is not None and self.longitude is not None:
            self.protected_area = area_containing(self.latitude, self.longitude)
        super().save(*args, **kwargs)


class BulkImportedRecord(SharedRecord):
    """A shared record written by the million in Camtrap DP imports (media, observations)."""

    # Bulk imports: the natural-key unique index starts with owner_agency_id and serves its
    # lookups, and created_by is never filtered on; two fewer indexes to maintain per row.
    owner_agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("owning agency")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("created by"),
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
        abstract = True


class CaptureMethod(models.TextChoices):
    ACTIVITY = "activityDetection", _("Activity detection")
    TIME_LAPSE = "timeLapse", _("Time lapse")


class Media(BulkImportedRecord):
    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="media", db_index=False, verbose_name=_("deployment")
    )
    media_id = models.CharField(_("media ID"), max_length=255)
    capture_method = models.CharField(_("capture method"), max_length=32, choices=CaptureMethod.choices, blank=True)
    timestamp = models.DateTimeField(_("timestamp"))
    file_path = models.CharField(_("file path"), max_length=1000)
    file_public = models.BooleanField(_("file public"), default=False)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_mediatype = models.CharField(_("media type"), max_length=100)
    exif_data = models.JSONField(_("EXIF data"), null=True, blank=True)
    favorite = models.BooleanField(_("favourite"), null=True, blank=True)
    media_comments = models.TextField(_("comments"), blank=True)
    file = models.FileField(_("file"), upload_to="monitoring/media/", blank=True)

    class Meta(SharedRecord.Meta):
        ordering = ["timestamp"]
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        constraints = [
            models.UniqueConstraint(fields=["owner_agency", "media_id"], name="monitoring_media_natural_key")
        ]
        indexes = [models.Index(fields=["deployment", "timestamp"], name="monitoring_media_dep_ts")]

    def __str__(self):
        return self.media_id


class ObservationLevel(models.TextChoices):
    MEDIA = "media", _("Media")
    EVENT = "event", _("Event")


class ClassificationMethod(models.TextChoices):
    HUMAN = "human", _("Human")
    MACHINE = "machine", _("Machine")


class Observation(BulkImportedRecord):
    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="observations", db_index=False, verbose_name=_("deployment")
    )
    media = models.ForeignKey(
        Media,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observations",
        db_index=False,
        verbose_name=_("media file"),
    )
    observation_id = models.CharField(_("observation ID"), max_length=255)
    event_id = models.CharField(_("event ID"), max_length=255, blank=True)
    event_start = models.DateTimeField(_("event start"))
    event_end = models.DateTimeField(_("event end"))
    observation_level = models.CharField(_("observation level"), max_length=8, choices=ObservationLevel.choices)
    observation_type = models.CharField(_("observation type"), max_length=32)
    camera_setup_type = models.CharField(_("camera setup type"), max_length=16, blank=True)
    scientific_name = models.CharField(_("scientific name"), max_length=255, blank=True)
    species = models.ForeignKey(
        "core.Species",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("species"),
    )
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    life_stage = models.CharField(_("life stage"), max_length=16, choices=LifeStage.choices, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    behavior = models.CharField(_("behaviour"), max_length=500, blank=True)
    individual_local_id = models.CharField(
        _("individual ID (as recorded)"),
        max_length=255,
        blank=True,
        help_text=_("The owning agency's own ID for the animal (Camtrap DP individualID)."),
    )
    individual = models.ForeignKey(
        "Individual",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observations",
        verbose_name=_("individual"),
    )
    individual_position_radius = models.FloatField(_("individual position radius (m)"), null=True, blank=True)
    individual_position_angle = models.FloatField(_("individual position angle (°)"), null=True, blank=True)
    individual_speed = models.FloatField(_("individual speed (m/s)"), null=True, blank=True)
    bbox_x = models.FloatField(_("bounding box x"), null=True, blank=True)
    bbox_y = models.FloatField(_("bounding box y"), null=True, blank=True)
    bbox_width = models.FloatField(_("bounding box width"), null=True, blank=True)
    bbox_height = models.FloatField(_("bounding box height"), null=True, blank=True)
    classification_method = models.CharField(
        _("classification method"), max_length=8, choices=ClassificationMethod.choices, blank=True
    )
    classified_by = models.CharField(_("classified by"), max_length=255, blank=True)
    classification_timestamp = models.DateTimeField(_("classified at"), null=True, blank=True)
    classification_probability = models.FloatField(_("classification probability"), null=True, blank=True)
    observation_tags = models.CharField(_("tags"), max_length=500, blank=True)
    observation_comments = models.TextField(_("comments"), blank=True)

    class Meta(SharedRecord.Meta):
        ordering = ["-event_start"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_agency", "observation_id"], name="monitoring_observation_natural_key"
            )
        ]
        # The list filters: species, deployment, period (event_start), and the cursor's created_at.
        indexes = [
            models.Index(fields=["species", "event_start"], name="monitoring_obs_species_start"),
            models.Index(fields=["deployment", "event_start"], name="monitoring_obs_dep_start"),
            models.Index(fields=["event_start"], name="monitoring_obs_start"),
            models.Index(fields=["media"], name="monitoring_obs_media"),
        ]

    def __str__(self):
        name = self.scientific_name or self.observation_type
        return f"{self.observation_id}: {name}"

    def get_absolute_url(self):
        return reverse("monitoring:observation-detail", args=[self.pk])


# --- Snow-track transects ---------------------------------------------------------------------


class SnowTrackTransect(SharedRecord):
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="transects", verbose_name=_("survey")
    )
    name = models.CharField(_("name"), max_length=255)
    date = models.DateField(_("date"))
    route = models.JSONField(_("route"), help_text=_("GeoJSON LineString in WGS84 (longitude, latitude)."))
    length_km = models.DecimalField(_("length (km)"), max_digits=9, decimal_places=3, editable=False, default=0)
    snow_age_days = models.PositiveSmallIntegerField(_("days since snowfall"), null=True, blank=True)
    observers = models.CharField(_("observers"), max_length=500, blank=True)
    protected_area = models.ForeignKey(
        "reserves.ProtectedArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("protected area"),
    )
    location_category = models.PositiveSmallIntegerField(_("location sensitivity category"), default=0, editable=False)

    class Meta(SharedRecord.Meta):
        ordering = ["-date"]
        verbose_name = _("snow-track transect")
        verbose_name_plural = _("snow-track transects")
        indexes = [models.Index(fields=["date"], name="monitoring_transect_date")]

    def __str__(self):
        return f"{self.name} ({self.date})"

    def get_absolute_url(self):
        return reverse("monitoring:transect-detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.route:
            try:
                validate_geojson(self.route, ("LineString",))
            except ValidationError as exc:
                raise ValidationError({"route": exc.messages}) from exc

    def save(self, *args, **kwargs):
        from reserves.services import area_containing

        geometry = validate_geojson(self.route, ("LineString",))
        self.length_km = round(geodesic_length_km(geometry), 3)
        centre = geometry.centroid
        self.protected_area = area_containing(centre.y, centre.x)
        if self.pk and not self._state.adding:
            self.location_category = self.compute_location_category()
        super().save(*args, **kwargs)

    def compute_location_category(self):
        categories = [c for c in self.tracks.values_list("species__sensitivity_category", flat=True) if c]
        return min(categories) if categories else 0

    @property
    def tracks_per_10km(self):
        total = sum(t.tracks for t in self.tracks.all())
        return round(total / float(self.length_km) * 10, 2) if self.length_km else None


class TransectTrack(AuditedModel, TimeStampedModel):
    transect = models.ForeignKey(
        SnowTrackTransect, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("transect")
    )
    species = models.ForeignKey("core.Species", on_delete=models.PROTECT, related_name="+", verbose_name=_("species"))
    tracks = models.PositiveIntegerField(_("tracks crossed"))
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        ordering = ["transect", "species"]
        verbose_name = _("tracks of a species")
        verbose_name_plural = _("tracks per species")
        constraints = [models.UniqueConstraint(fields=["transect", "species"], name="monitoring_track_species_once")]

    def __str__(self):
        return f"{self.species}: {self.tracks}"


# --- The individual catalogue -----------------------------------------------------------------


class IndividualStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another")
    RETIRED = "retired", _("Retired (dead or removed)")


class Individual(SharedRecord):
    """One tiger or leopard, whichever side of the border photographed it."""

    species = models.ForeignKey("core.Species", on_delete=models.PROTECT, related_name="+", verbose_name=_("species"))
    catalogue_code = models.CharField(_("catalogue code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=[*Sex.choices, ("unknown", _("Unknown"))], default="unknown")
    first_detected = models.DateField(_("first detected"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=IndividualStatus.choices, default=IndividualStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta(SharedRecord.Meta):
        ordering = ["catalogue_code"]
        verbose_name = _("individual")
        verbose_name_plural = _("individual catalogue")
        indexes = [models.Index(fields=["species", "status"], name="monitoring_ind_species_status")]

    def __str__(self):
        return f"{self.catalogue_code} {self.name}".strip()

    def get_absolute_url(self):
        return reverse("monitoring:individual-detail", args=[self.pk])

    def current(self):
        """Follow merges to the individual that now stands for this one."""
        seen, current = set(), self
        while current.merged_into_id and current.pk not in seen:
            seen.add(current.pk)
            current = current.merged_into
        return current


class IndividualAlias(AuditedModel, TimeStampedModel):
    """The ID an agency uses for an individual ("T-17", "Л-3")."""

    individual = models.ForeignKey(
        Individual, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("individual")
    )
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    local_id = models.CharField(_("local ID"), max_length=255)

    class Meta:
        ordering = ["agency__code", "local_id"]
        verbose_name = _("agency ID of an individual")
        verbose_name_plural = _("agency IDs of individuals")
        constraints = [
            models.UniqueConstraint(fields=["agency", "local_id"], name="monitoring_alias_unique_per_agency")
        ]

    def __str__(self):
        return f"{self.agency.code}: {self.local_id}"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class MatchProposal(SharedRecord):
    """ "Our T-17 is your Л-3": takes effect only when an expert of the other country confirms it."""

    individual = models.ForeignKey(
        Individual, on_delete=models.CASCADE, related_name="+", verbose_name=_("our individual")
    )
    other = models.ForeignKey(
        Individual, on_delete=models.CASCADE, related_name="+", verbose_name=_("their individual")
    )
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=MatchStatus.choices, default=MatchStatus.PROPOSED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta(SharedRecord.Meta):
        verbose_name = _("match proposal")
        verbose_name_plural = _("match proposals")

    def __str__(self):
        return f"{self.individual} = {self.other} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("monitoring:match-detail", args=[self.pk])


class CatalogueEvent(AuditedModel, TimeStampedModel):
    """History of merges and splits: what was joined or separated, by whom, and what moved."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    source = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    target = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    proposal = models.ForeignKey(MatchProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moved_aliases = models.JSONField(_("moved agency IDs"), default=list, blank=True)
    moved_observations = models.JSONField(_("moved observations"), default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("catalogue event")
        verbose_name_plural = _("catalogue history")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.source} → {self.target}"


# --- Research cooperation ---------------------------------------------------------------------

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


class DataRequestStatusChange(AuditedModel, TimeStampedModel):
    request = models.ForeignKey(
        DataRequest, on_delete=models.CASCADE, related_name="history", verbose_name=_("request")
    )
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=DataRequestStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"
