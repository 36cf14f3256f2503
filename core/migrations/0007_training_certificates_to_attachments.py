"""Training certificates move from TrainingParticipant.certificate_file to core attachments.

Each stored file becomes an Attachment (role "certificate") of its participant, stored under the
attachments' random name (core.documents.move_file_field_to_attachments); then the field goes.
"""

from django.db import migrations


def certificates_forward(apps, schema_editor):
    from core.documents import move_file_field_to_attachments

    move_file_field_to_attachments(apps, "core", "TrainingParticipant", "certificate_file", "certificate")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_notification_urgent_and_record"),
    ]

    operations = [
        migrations.RunPython(certificates_forward, migrations.RunPython.noop),
        migrations.RemoveField(model_name="trainingparticipant", name="certificate_file"),
    ]
