"""Incidents and seizures (INTERPOL Ecomessage / EU-TWIX fields) and links between cases."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import AuditedModel, Sensitivity, SharedRecord, TimeStampedModel

from .patrols import Patrol
from .vocabulary import IncidentType

SUSPECT_KEYS = {"name", "nationality", "year_of_birth", "document", "role", "note"}


def incident_errors(incident):
    """Field errors of an incident that its own fields show (M2M rules are in the forms/serializers).

    Incident.clean raises them; serializers that validate a merged instance call it too.
    """
    errors = {}
    suspects = incident.suspects or []
    if not isinstance(suspects, list) or not all(isinstance(s, dict) for s in suspects):
        errors["suspects"] = _("Suspects must be a list of objects (name, nationality, …).")
    elif suspects and incident.sensitivity != Sensitivity.RESTRICTED:
        errors["suspects"] = _(
            "Suspects' personal data may only be kept on a restricted record; make the record restricted "
            "and list the agencies that may see it."
        )
    elif any(set(s) - SUSPECT_KEYS for s in suspects):
        errors["suspects"] = _("Unknown suspect field; use name, nationality, year_of_birth, document, role, note.")
    transit = incident.transit_countries or []
    if not isinstance(transit, list) or any(
        not isinstance(c, str) or len(c) != 2 or not c.isalpha() or not c.isupper() for c in transit
    ):
        errors["transit_countries"] = _('Give the countries of transit as two-letter ISO codes, e.g. ["MN", "KZ"].')
    if (incident.latitude is None) != (incident.longitude is None):
        errors["longitude"] = _("Give both latitude and longitude, or neither.")
    elif incident.latitude is not None:
        if not -90 <= float(incident.latitude) <= 90 or not -180 <= float(incident.longitude) <= 180:
            errors["latitude"] = _("Latitude must lie between -90 and 90, longitude between -180 and 180.")
    if incident.quantity is not None and not incident.unit:
        errors["unit"] = _("Give the unit of the quantity.")
    if incident.estimated_value is not None and not incident.currency:
        errors["currency"] = _("Give the currency of the estimated value.")
    if incident.suspects_count is not None and incident.arrests is not None and incident.suspects_count < len(suspects):
        errors["suspects_count"] = _("The number of suspects is smaller than the suspects listed.")
    return errors


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

    # Suspects (names, document numbers, …) are personal data (core.personal_data): the audit log
    # keeps that they changed, never the values; only the owner and listed agencies see them.
    personal_data_fields = ("suspects",)

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

    # A partner links its own case (from) to a case of another agency it can see (to).
    link_rules = {"from_incident": "edit", "to_incident": "view"}

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
