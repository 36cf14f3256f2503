"""Camera-trap media and observations (Camtrap DP 1.0.2), written by the million in imports."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import SharedRecord
from core.validators import period_errors

from .protocols import LifeStage, Sex
from .surveys import Deployment, ImportRun


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
    utc_offset = models.SmallIntegerField(_("UTC offset (min)"), null=True, blank=True, editable=False)
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
    # eventStart's offset in the source (eventEnd and classificationTimestamp are written in it too).
    utc_offset = models.SmallIntegerField(_("UTC offset (min)"), null=True, blank=True, editable=False)
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

    def clean(self):
        super().clean()
        from .protocols import ObservationType

        errors = period_errors(self.event_start, self.event_end, "event_end")
        if self.deployment_id and self.owner_agency_id and self.deployment.owner_agency_id != self.owner_agency_id:
            errors["deployment"] = _("Observations belong to a deployment of the same agency.")
        if self.observation_type and not ObservationType.objects.filter(key=self.observation_type).exists():
            errors["observation_type"] = _("Unknown observation type “%(key)s”.") % {"key": self.observation_type}
        if errors:
            raise ValidationError(errors)
