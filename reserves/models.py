from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.geo import geodesic_area_km2, validate_geojson
from core.models import Country, SharedRecord

BOUNDARY_TYPES = ("Polygon", "MultiPolygon")


# What a person or a client edits on a protected area (the page form and the API list the same).
AREA_FIELDS = (
    "name",
    "designation",
    "description",
    "country",
    "iucn_category",
    "wdpa_id",
    "established",
    "boundary",
    "boundary_is_approximate",
)


class IUCNCategory(models.TextChoices):
    IA = "Ia", _("Ia — strict nature reserve")
    IB = "Ib", _("Ib — wilderness area")
    II = "II", _("II — national park")
    III = "III", _("III — natural monument")
    IV = "IV", _("IV — habitat or species management area")
    V = "V", _("V — protected landscape")
    VI = "VI", _("VI — sustainable use of natural resources")
    NOT_REPORTED = "not_reported", _("Not reported")


def validate_boundary(value):
    if value:
        validate_geojson(value, BOUNDARY_TYPES)


class ProtectedArea(SharedRecord):
    """A national park, nature reserve or other protected area; its owner is the managing agency."""

    name = models.CharField(_("name"), max_length=255)
    designation = models.CharField(_("designation"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    country = models.CharField(_("country"), max_length=3, choices=Country.choices)
    iucn_category = models.CharField(
        _("IUCN category"), max_length=16, choices=IUCNCategory.choices, default=IUCNCategory.NOT_REPORTED
    )
    wdpa_id = models.PositiveIntegerField(_("WDPA id"), null=True, blank=True, unique=True)
    established = models.PositiveSmallIntegerField(_("year established"), null=True, blank=True)
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        validators=[validate_boundary],
        help_text=_("GeoJSON Polygon or MultiPolygon in WGS84 (longitude, latitude)."),
    )
    boundary_is_approximate = models.BooleanField(
        _("boundary is approximate"),
        default=False,
        help_text=_("A simplified outline, not the legal boundary."),
    )
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta(SharedRecord.Meta):
        ordering = ["country", "name"]
        verbose_name = _("protected area")
        verbose_name_plural = _("protected areas")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reserves:area-detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # The area is derived from the boundary, measured on the WGS84 ellipsoid.
        if self.boundary:
            geometry = validate_geojson(self.boundary, BOUNDARY_TYPES)
            self.area_km2 = round(geodesic_area_km2(geometry), 2)
        else:
            self.area_km2 = None
        super().save(*args, **kwargs)
