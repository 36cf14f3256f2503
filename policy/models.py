"""Topic 3, the coordination mechanism: data-exchange agreements, their rounds and submissions.

An agreement obliges its parties to deliver datasets on a cadence. `services.generate_rounds`
makes one round per period and obliged agency (a unique constraint keeps it idempotent); each
round is mirrored as a core `DatedObligation`, so the shared reminder machinery chases it.
"""

import datetime
import uuid

from croniter import croniter
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.datasets import dataset_choices
from core.models import AuditedModel, SharedQuerySet, SharedRecord, TimeStampedModel
from core.validators import period_errors

MANUAL_DATASET = "manual"


def dataset_type_choices():
    """The registered dataset sources (rounds close themselves) plus documents delivered by hand."""
    return [*dataset_choices(), (MANUAL_DATASET, _("Other data, delivered by hand"))]


def dataset_label(key):
    return dict(dataset_type_choices()).get(key, key)


def default_lead_days():
    return [7, 1]


# What a person or a client edits on an agreement (the page form and the API list the same).
AGREEMENT_FIELDS = (
    "title",
    "notes",
    "parties",
    "dataset_types",
    "cadence",
    "cron",
    "due_day",
    "lead_days",
    "escalate_after_days",
    "starts_on",
    "ends_on",
    "is_active",
)


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    CRON = "cron", _("Custom (cron expression)")


class ExchangeAgreement(SharedRecord):
    """Who delivers what, how often and by when (for example the 2019 MoU's data-sharing activity)."""

    title = models.CharField(_("title"), max_length=255)
    notes = models.TextField(_("notes"), blank=True)
    parties = models.ManyToManyField(
        "core.Agency",
        related_name="exchange_agreements",
        verbose_name=_("obliged parties"),
        help_text=_("The agencies that deliver data under this agreement."),
    )
    dataset_types = models.JSONField(
        _("dataset types"), default=list, help_text=_("Keys of the datasets each party delivers every period.")
    )
    cadence = models.CharField(_("cadence"), max_length=16, choices=Cadence.choices, default=Cadence.QUARTERLY)
    cron = models.CharField(
        _("cron expression"),
        max_length=100,
        blank=True,
        help_text=_("For a custom cadence: each match is a due date, for example “0 0 15 */2 *”."),
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day"),
        default=15,
        help_text=_("Day of the month after the period ends by which the data are due (1–31, clamped)."),
    )
    lead_days = models.JSONField(
        _("reminder lead times (days)"), default=default_lead_days, blank=True, help_text=_("For example [7, 1].")
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after (days overdue)"),
        null=True,
        blank=True,
        default=14,
        help_text=_("The secretariat is told when a round is this many days overdue. Empty: never."),
    )
    starts_on = models.DateField(_("first period starts"), default=timezone.localdate)
    ends_on = models.DateField(_("last period ends"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta(SharedRecord.Meta):
        verbose_name = _("data-exchange agreement")
        verbose_name_plural = _("data-exchange agreements")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("policy:agreement-detail", args=[self.pk])

    def clean(self):
        errors = {}
        known = dict(dataset_type_choices())
        if not isinstance(self.dataset_types, list) or not self.dataset_types:
            errors["dataset_types"] = _("Choose at least one dataset type.")
        else:
            unknown = [key for key in self.dataset_types if key not in known]
            if unknown:
                errors["dataset_types"] = _("Unknown dataset type: %(keys)s.") % {"keys": ", ".join(map(str, unknown))}
        if self.cadence == Cadence.CRON:
            if not self.cron or not croniter.is_valid(self.cron):
                errors["cron"] = _("Give a valid cron expression for a custom cadence.")
        if not 1 <= (self.due_day or 0) <= 31:
            errors["due_day"] = _("The due day is a day of the month, 1 to 31.")
        if not isinstance(self.lead_days, list) or any(
            not isinstance(d, int) or isinstance(d, bool) or d < 1 or d > 365 for d in self.lead_days
        ):
            errors["lead_days"] = _("Lead times are whole days between 1 and 365, for example [7, 1].")
        else:
            self.lead_days = sorted(set(self.lead_days), reverse=True)  # one reminder per lead time
        errors.update(period_errors(self.starts_on, self.ends_on, "ends_on"))
        if errors:
            raise ValidationError(errors)

    def dataset_labels(self):
        return [dataset_label(key) for key in self.dataset_types or []]


class RoundStatus(models.TextChoices):
    PENDING = "pending", _("Not yet due")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    MISSING = "missing", _("Missing")


class ExchangeRoundQuerySet(models.QuerySet):
    def visible_to(self, principal):
        """Rounds of the agreements `principal` may see (the serializer and form bases narrow by it)."""
        return self.filter(agreement__in=ExchangeAgreement.objects.visible_to(principal).values("pk"))


class ExchangeRound(AuditedModel, TimeStampedModel):
    """One period of one agreement for one obliged agency."""

    objects = ExchangeRoundQuerySet.as_manager()
    access_parent = "agreement"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agreement = models.ForeignKey(
        ExchangeAgreement, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("agreement")
    )
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="exchange_rounds", verbose_name=_("obliged agency")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("The first day after the period."))
    due_date = models.DateField(_("due date"), help_text=_("In the obliged agency's time zone."))
    due_at = models.DateTimeField(_("deadline"), help_text=_("End of the due date in the agency's zone, in UTC."))
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "agency__code"]
        verbose_name = _("exchange round")
        verbose_name_plural = _("exchange rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "agency", "period_start"], name="policy_round_once_per_period_and_agency"
            )
        ]
        indexes = [models.Index(fields=["agency", "due_at"], name="policy_round_agency_due_idx")]

    def __str__(self):
        return f"{self.agreement} · {self.agency.code} · {self.period_label}"

    def get_absolute_url(self):
        return reverse("policy:round-detail", args=[self.pk])

    @property
    def period_label(self):
        last = self.period_end - datetime.timedelta(days=1)
        if self.period_start.month == 1 and self.period_start.day == 1 and last.month == 12 and last.day == 31:
            return f"{self.period_start:%Y}"
        if self.period_start.day == 1 and self.period_start.year == last.year and self.period_start.month == last.month:
            return f"{self.period_start:%Y-%m}"
        if (
            self.period_start.day == 1
            and (last.month - self.period_start.month) == 2
            and self.period_start.month % 3 == 1
        ):
            return f"{self.period_start:%Y}-Q{(self.period_start.month - 1) // 3 + 1}"
        return f"{self.period_start:%Y-%m-%d} – {last:%Y-%m-%d}"

    def status_at(self, now=None):
        now = now or timezone.now()
        if self.fulfilled_at is not None:
            return RoundStatus.ON_TIME if self.fulfilled_at < self.due_at else RoundStatus.LATE
        return RoundStatus.MISSING if now >= self.due_at else RoundStatus.PENDING

    @property
    def status(self):
        return self.status_at()

    def get_status_display(self):
        return RoundStatus(self.status).label


class SubmissionKind(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic (matching records arrived)")
    MANUAL = "manual", _("By hand")


def submission_upload_to(instance, filename):
    # Kept for the old migrations only: files now live in core.Attachment (role "attachment").
    return f"policy/submissions/{instance.round_id}/{filename}"


ATTACHMENT_ROLE = "attachment"


class SubmissionQuerySet(SharedQuerySet):
    def visible_to(self, principal):
        """A submission is seen by whom its own sharing allows, and only within a round the
        principal may see (an owner-only agreement's deliveries and files stay with its parties)."""
        return super().visible_to(principal).filter(round__in=ExchangeRound.objects.visible_to(principal).values("pk"))


class Submission(SharedRecord):
    """A delivery for a round: records that arrived for the period, or a note and a file by hand."""

    objects = SubmissionQuerySet.as_manager()

    round = models.ForeignKey(
        ExchangeRound, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("round")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SubmissionKind.choices, default=SubmissionKind.MANUAL)
    dataset = models.CharField(
        _("dataset type"), max_length=100, blank=True, help_text=_("Empty: covers every dataset type of the round.")
    )
    record_count = models.PositiveIntegerField(_("records"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta(SharedRecord.Meta):
        ordering = ["-submitted_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            # The automatic check may run any number of times: one automatic submission per type.
            models.UniqueConstraint(
                fields=["round", "dataset"],
                condition=models.Q(kind="automatic"),
                name="policy_submission_one_automatic_per_type",
            )
        ]

    def __str__(self):
        return f"{self.round} · {self.get_kind_display()} · {self.submitted_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("policy:round-detail", args=[self.round_id])

    @property
    def dataset_label(self):
        return dataset_label(self.dataset) if self.dataset else _("All dataset types")

    # Files about to be attached (set by the service, the page form or the serializer before
    # validation), so that "a note or an attachment" holds on every path.
    incoming_files = ()

    def has_files(self):
        from core.documents import attachments_for

        if self.incoming_files:
            return True
        return bool(self.pk) and attachments_for(self, ATTACHMENT_ROLE).exists()

    def clean(self):
        super().clean()
        errors = {}
        round_ = self.round if self.round_id else None
        if round_ is not None and self.owner_agency_id and round_.agency_id != self.owner_agency_id:
            errors["round"] = _("Only the obliged agency submits for a round.")
        if round_ is not None and self.dataset and self.dataset not in (round_.agreement.dataset_types or []):
            errors["dataset"] = _("This round does not ask for that dataset type.")
        if self.kind == SubmissionKind.MANUAL and not (self.note or "").strip() and not self.has_files():
            errors["note"] = _("A submission by hand needs a note or an attachment.")
        if errors:
            raise ValidationError(errors)
