"""Dated obligations, their reminders and in-app notifications: one machinery for every "due" thing.

A topic app that has something due (a data-exchange round, a plan activity, a meeting action item)
keeps one `DatedObligation` per item up to date through `core.reminders.upsert_obligation`. The
reminders (before the due date, overdue, escalation to the secretariat) and the weekly digests are
planned as `Reminder` rows with a unique key, and delivered by the beat task in `core.tasks`.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel

__all__ = [
    "DatedObligation",
    "EmailStatus",
    "Notification",
    "NotificationDelivery",
    "NotificationPreference",
    "ObligationStatus",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
]


def default_lead_days():
    return [7, 1]


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class DatedObligation(TimeStampedModel):
    """Something an agency has to do by a date, wherever it comes from (generic foreign key)."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("source type")
    )
    object_id = models.CharField(_("source id"), max_length=64)
    source = GenericForeignKey("content_type", "object_id")
    category = models.CharField(_("category"), max_length=64, db_index=True, help_text=_("For example policy.round."))
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.CASCADE, related_name="obligations", verbose_name=_("obliged agency")
    )
    title = models.CharField(_("title"), max_length=255)
    due_date = models.DateField(_("due date"), help_text=_("In the obliged agency's time zone."))
    due_at = models.DateTimeField(
        _("deadline"), db_index=True, help_text=_("The end of the due date in the agency's zone, stored in UTC.")
    )
    timezone = models.CharField(_("time zone"), max_length=64)
    lead_days = models.JSONField(
        _("reminder lead times (days)"), default=default_lead_days, blank=True, help_text=_("For example [7, 1].")
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after (days overdue)"), null=True, blank=True, help_text=_("Empty: never escalate.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ObligationStatus.choices, default=ObligationStatus.OPEN, db_index=True
    )
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("dated obligation")
        verbose_name_plural = _("dated obligations")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="core_obligation_one_per_source"),
        ]

    def __str__(self):
        return f"{self.agency.code}: {self.title} ({self.due_date:%Y-%m-%d})"

    def is_overdue(self, now):
        return self.status == ObligationStatus.OPEN and now >= self.due_at

    def get_absolute_url(self):
        source = self.source
        if source is not None and hasattr(source, "get_absolute_url"):
            return source.get_absolute_url()
        from django.urls import reverse

        return reverse("core:obligation-list")


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before_due", _("Reminder before the due date")
    OVERDUE = "overdue", _("Overdue notice")
    ESCALATION = "escalation", _("Escalation to the secretariat")
    DIGEST = "digest", _("Weekly digest")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")


class Reminder(models.Model):
    """One reminder that is due at a time: planned once (unique key), dispatched once (row lock)."""

    obligation = models.ForeignKey(
        DatedObligation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("obligation"),
    )
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("agency")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    offset_days = models.SmallIntegerField(
        _("offset (days)"), default=0, help_text=_("Days before the due date, or days overdue for an escalation.")
    )
    period = models.DateField(
        _("period"), help_text=_("The due date the reminder was planned for; for a digest, the Monday of its week.")
    )
    scheduled_at = models.DateTimeField(_("scheduled for"), db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReminderStatus.choices, default=ReminderStatus.PENDING, db_index=True
    )
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            # Exactly once: a second planning run (or a second worker) cannot add the same reminder.
            models.UniqueConstraint(
                fields=["obligation", "kind", "offset_days", "period"],
                condition=Q(obligation__isnull=False),
                name="core_reminder_once_per_obligation",
            ),
            models.UniqueConstraint(
                fields=["agency", "kind", "period"],
                condition=Q(obligation__isnull=True),
                name="core_reminder_once_per_agency_period",
            ),
        ]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="core_reminder_due_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.agency.code} · {self.period:%Y-%m-%d} ({self.offset_days})"


class EmailStatus(models.TextChoices):
    NONE = "none", _("No email")
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    DIGEST = "digest", _("Waiting for the daily digest")


class Notification(models.Model):
    """An in-app message to one user, in that user's language; optionally also sent as an email."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    reminder = models.ForeignKey(
        Reminder,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("reminder"),
    )
    obligation = models.ForeignKey(
        DatedObligation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        verbose_name=_("obligation"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices, blank=True)
    # What happened, for notifications sent by core.notify (for example monitoring.match_proposed).
    event = models.CharField(_("event"), max_length=64, blank=True, db_index=True)
    # Urgent notifications (a poaching alert) are emailed at once and stay on the dashboard until
    # the record they are about is acknowledged.
    urgent = models.BooleanField(_("urgent"), default=False)
    record_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("about (type)")
    )
    record_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_to = models.EmailField(_("email address"), blank=True)
    email_status = models.CharField(
        _("email"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.NONE, db_index=True
    )
    email_sent_at = models.DateTimeField(_("email sent"), null=True, blank=True)
    # How many times the email was handed to the mail backend: must stay 1 (tested with real workers).
    email_sends = models.PositiveSmallIntegerField(_("email sends"), default=0)
    email_failures = models.PositiveSmallIntegerField(_("email failures"), default=0)
    email_error = models.TextField(_("last email error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "recipient"],
                condition=Q(reminder__isnull=False),
                name="core_notification_once_per_reminder",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="core_notif_unread_idx"),
            models.Index(fields=["record_type", "record_id"], name="core_notif_record_idx"),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.subject}"

    @property
    def is_read(self):
        return self.read_at is not None


class NotificationDelivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Email at once")
    DAILY = "daily", _("One email a day (digest)")
    NONE = "none", _("No email, in the portal only")


class NotificationPreference(models.Model):
    """How a user wants to be told: every notification also shows in the portal whatever this says."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_delivery = models.CharField(
        _("email"), max_length=16, choices=NotificationDelivery.choices, default=NotificationDelivery.IMMEDIATE
    )
    last_digest_at = models.DateTimeField(_("last digest sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user}: {self.get_email_delivery_display()}"
