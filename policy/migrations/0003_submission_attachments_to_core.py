"""Submission files move from Submission.attachment to core attachments (role "attachment")."""

from django.db import migrations


def forward(apps, schema_editor):
    from core.documents import move_file_field_to_attachments

    move_file_field_to_attachments(apps, "policy", "Submission", "attachment", "attachment")


class Migration(migrations.Migration):
    dependencies = [
        ("policy", "0002_beat_schedule"),
        ("core", "0007_training_certificates_to_attachments"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveField(model_name="submission", name="attachment"),
    ]
