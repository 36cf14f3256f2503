"""Uniform methods: survey protocols, the shared vocabularies and agencies' crosswalks into them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AuditedModel, SharedRecord, TimeStampedModel
from core.validators import validate_period


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
    """One version of a protocol; its documents are core attachments (role "document") that
    whoever may see the protocol may download."""

    access_parent = "protocol"

    protocol = models.ForeignKey(
        Protocol, on_delete=models.CASCADE, related_name="versions", verbose_name=_("protocol")
    )
    version = models.CharField(_("version"), max_length=32)
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
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
        super().clean()
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


def shared_keys(vocabulary):
    """The keys of a shared vocabulary (what a crosswalk entry may map a local code to)."""
    from core.models import Species

    if vocabulary == Vocabulary.SPECIES:
        return set(Species.objects.values_list("scientific_name", flat=True))
    terms = {
        Vocabulary.OBSERVATION_TYPE: ObservationType,
        Vocabulary.FEATURE_TYPE: FeatureType,
        Vocabulary.EFFORT_UNIT: EffortUnit,
    }
    if vocabulary in terms:
        return set(terms[vocabulary].objects.values_list("key", flat=True))
    if vocabulary == Vocabulary.LIFE_STAGE:
        return set(LifeStage.values)
    if vocabulary == Vocabulary.SEX:
        return set(Sex.values)
    return set()


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
                fields=["agency", "vocabulary", "local_code"],
                name="monitoring_crosswalk_unique_local_code",
                violation_error_message=_("This agency already maps this local code in this vocabulary."),
            )
        ]

    def __str__(self):
        return f"{self.agency.code} {self.vocabulary}: {self.local_code} → {self.shared_key}"

    def clean(self):
        if self.vocabulary and self.shared_key and self.shared_key not in shared_keys(self.vocabulary):
            raise ValidationError(
                {"shared_key": _("“%(key)s” is not a key of this vocabulary.") % {"key": self.shared_key}}
            )
