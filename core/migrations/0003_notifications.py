# Dated obligations, reminders and notifications (issue 5).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.models.notifications


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_training_exchanges"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DatedObligation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("object_id", models.CharField(max_length=64, verbose_name="source id")),
                (
                    "category",
                    models.CharField(
                        db_index=True, help_text="For example policy.round.", max_length=64, verbose_name="category"
                    ),
                ),
                ("title", models.CharField(max_length=255, verbose_name="title")),
                ("title_zh_hans", models.CharField(max_length=255, null=True, verbose_name="title")),
                ("title_en", models.CharField(max_length=255, null=True, verbose_name="title")),
                ("title_ru", models.CharField(max_length=255, null=True, verbose_name="title")),
                ("due_date", models.DateField(help_text="In the obliged agency's time zone.", verbose_name="due date")),
                (
                    "due_at",
                    models.DateTimeField(
                        db_index=True,
                        help_text="The end of the due date in the agency's zone, stored in UTC.",
                        verbose_name="deadline",
                    ),
                ),
                ("timezone", models.CharField(max_length=64, verbose_name="time zone")),
                (
                    "lead_days",
                    models.JSONField(
                        blank=True,
                        default=core.models.notifications.default_lead_days,
                        help_text="For example [7, 1].",
                        verbose_name="reminder lead times (days)",
                    ),
                ),
                (
                    "escalate_after_days",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Empty: never escalate.",
                        null=True,
                        verbose_name="escalate after (days overdue)",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("fulfilled", "Fulfilled"), ("cancelled", "Cancelled")],
                        db_index=True,
                        default="open",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("fulfilled_at", models.DateTimeField(blank=True, null=True, verbose_name="fulfilled")),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="obligations",
                        to="core.agency",
                        verbose_name="obliged agency",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="source type",
                    ),
                ),
            ],
            options={
                "verbose_name": "dated obligation",
                "verbose_name_plural": "dated obligations",
                "ordering": ["due_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Reminder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("before_due", "Reminder before the due date"),
                            ("overdue", "Overdue notice"),
                            ("escalation", "Escalation to the secretariat"),
                            ("digest", "Weekly digest"),
                        ],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                (
                    "offset_days",
                    models.SmallIntegerField(
                        default=0,
                        help_text="Days before the due date, or days overdue for an escalation.",
                        verbose_name="offset (days)",
                    ),
                ),
                (
                    "period",
                    models.DateField(
                        help_text="The due date the reminder was planned for; for a digest, the Monday of its week.",
                        verbose_name="period",
                    ),
                ),
                ("scheduled_at", models.DateTimeField(db_index=True, verbose_name="scheduled for")),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Pending"), ("sent", "Sent"), ("skipped", "Skipped")],
                        db_index=True,
                        default="pending",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("dispatched_at", models.DateTimeField(blank=True, null=True, verbose_name="dispatched")),
                ("note", models.CharField(blank=True, max_length=255, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="core.agency",
                        verbose_name="agency",
                    ),
                ),
                (
                    "obligation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="core.datedobligation",
                        verbose_name="obligation",
                    ),
                ),
            ],
            options={
                "verbose_name": "reminder",
                "verbose_name_plural": "reminders",
                "ordering": ["scheduled_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Notification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("before_due", "Reminder before the due date"),
                            ("overdue", "Overdue notice"),
                            ("escalation", "Escalation to the secretariat"),
                            ("digest", "Weekly digest"),
                        ],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "Chinese"), ("en", "English"), ("ru", "Russian")],
                        default="en",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                ("subject", models.CharField(max_length=255, verbose_name="subject")),
                ("body", models.TextField(blank=True, verbose_name="text")),
                ("url", models.CharField(blank=True, max_length=500, verbose_name="link")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read")),
                ("email_to", models.EmailField(blank=True, max_length=254, verbose_name="email address")),
                (
                    "email_status",
                    models.CharField(
                        choices=[
                            ("none", "No email"),
                            ("pending", "Waiting to be sent"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                        ],
                        db_index=True,
                        default="none",
                        max_length=16,
                        verbose_name="email",
                    ),
                ),
                ("email_sent_at", models.DateTimeField(blank=True, null=True, verbose_name="email sent")),
                ("email_sends", models.PositiveSmallIntegerField(default=0, verbose_name="email sends")),
                ("email_failures", models.PositiveSmallIntegerField(default=0, verbose_name="email failures")),
                ("email_error", models.TextField(blank=True, verbose_name="last email error")),
                (
                    "obligation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="notifications",
                        to="core.datedobligation",
                        verbose_name="obligation",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient",
                    ),
                ),
                (
                    "reminder",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="core.reminder",
                        verbose_name="reminder",
                    ),
                ),
            ],
            options={
                "verbose_name": "notification",
                "verbose_name_plural": "notifications",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="datedobligation",
            constraint=models.UniqueConstraint(
                fields=("content_type", "object_id"), name="core_obligation_one_per_source"
            ),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(fields=["status", "scheduled_at"], name="core_reminder_due_idx"),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                condition=models.Q(("obligation__isnull", False)),
                fields=("obligation", "kind", "offset_days", "period"),
                name="core_reminder_once_per_obligation",
            ),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                condition=models.Q(("obligation__isnull", True)),
                fields=("agency", "kind", "period"),
                name="core_reminder_once_per_agency_period",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["recipient", "read_at"], name="core_notif_unread_idx"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reminder__isnull", False)),
                fields=("reminder", "recipient"),
                name="core_notification_once_per_reminder",
            ),
        ),
    ]
