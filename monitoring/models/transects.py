"""Snow-track transects and the tracks counted on them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.geo import validate_geojson
from core.models import AuditedModel, SharedRecord, TimeStampedModel

from .surveys import Survey


class SnowTrackTransect(SharedRecord):
    link_rules = {"survey": "edit"}
    personal_data_fields = ("observers",)  # names of the people who walked it

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
    # True only when the protected area holds the whole withheld grid cell around the route's centre.
    protected_area_covers_cell = models.BooleanField(
        _("protected area covers the grid cell"), default=False, editable=False
    )

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
