"""The shared individual catalogue: individuals, agency IDs, match proposals and their history."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import AuditedModel, SharedRecord, TimeStampedModel

from .protocols import Sex


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

    def clean(self):
        super().clean()
        if self.species_id and not self.species.is_target:
            raise ValidationError({"species": _("The catalogue holds tigers and leopards only.")})

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

    def clean(self):
        # Every path (API create, PUT, PATCH of one side, page, admin) ends here: a proposal
        # may never pair an animal with itself or a tiger with a leopard.
        super().clean()
        if not (self.individual_id and self.other_id):
            return
        if self.individual_id == self.other_id:
            raise ValidationError({"other": _("An individual cannot be matched with itself.")})
        if self.individual.species_id != self.other.species_id:
            raise ValidationError({"other": _("Both individuals must be of the same species.")})


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
