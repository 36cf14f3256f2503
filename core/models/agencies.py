from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import AuditedModel, TimeStampedModel


class Country(models.TextChoices):
    CHINA = "CN", _("China")
    RUSSIA = "RU", _("Russia")
    INTERNATIONAL = "INT", _("International")


class AgencyKind(models.TextChoices):
    NATIONAL_PARK = "national_park", _("National park")
    NATURE_RESERVE = "nature_reserve", _("Nature reserve")
    FORESTRY = "forestry", _("Forestry")
    CUSTOMS = "customs", _("Customs or border guard")
    POLICE = "police", _("Police")
    NGO = "ngo", _("Non-governmental organisation")
    RESEARCH = "research", _("Research institute")
    SECRETARIAT = "secretariat", _("Secretariat")


# The zone in which an agency's due dates end; China and Primorye differ by two hours.
DEFAULT_TIMEZONES = {Country.CHINA: "Asia/Shanghai", Country.RUSSIA: "Asia/Vladivostok"}


class Agency(AuditedModel, TimeStampedModel):
    code = models.SlugField(_("short code"), max_length=32, unique=True, help_text=_("For example LOTL or NECTLNP."))
    name = models.CharField(_("name"), max_length=255)
    country = models.CharField(_("country"), max_length=3, choices=Country.choices)
    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    website = models.URLField(_("website"), blank=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Due dates end at midnight in this zone. Empty: the country's usual zone."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def effective_timezone(self):
        return self.timezone or DEFAULT_TIMEZONES.get(self.country, "UTC")

    @property
    def is_secretariat(self):
        return self.kind == AgencyKind.SECRETARIAT


class Role(models.TextChoices):
    SECRETARIAT_COORDINATOR = "secretariat_coordinator", _("Secretariat coordinator")
    AGENCY_COORDINATOR = "agency_coordinator", _("Agency coordinator")
    AGENCY_STAFF = "agency_staff", _("Agency staff")
    EXPERT = "expert", _("Expert")
    OBSERVER = "observer", _("Observer (read only)")


class Membership(AuditedModel, TimeStampedModel):
    """Ties a user to the one agency they work for, with their role in the portal."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    class Meta:
        ordering = ["agency__code", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} — {self.agency.code} ({self.get_role_display()})"
