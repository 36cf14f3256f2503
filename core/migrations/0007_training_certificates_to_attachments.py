"""Training certificates move from TrainingParticipant.certificate_file to core attachments.

Each stored file becomes an Attachment (role "certificate") of its participant, stored under the
attachments' random name; the old file is removed and then the field. `move_files_to_attachments`
is also used by the policy app's migration of submission attachments.
"""

import hashlib
import os
import uuid

from django.core.files.base import ContentFile
from django.db import migrations

UNSAFE_TYPES = ("text/html", "image/svg+xml")


def _mime_type(data, name):
    from core.documents import FILE_TYPES, detect_kind

    kind = detect_kind(data, name)
    mime = FILE_TYPES[kind][0] if kind in FILE_TYPES else "application/octet-stream"
    # An old upload that is markup is kept but never described as a web page (it downloads only).
    return "application/octet-stream" if mime in UNSAFE_TYPES else mime


def move_files_to_attachments(apps, app_label, model_name, field_name, role):
    """Copy every non-empty `field_name` of `app_label.model_name` into an Attachment row."""
    model = apps.get_model(app_label, model_name)
    Attachment = apps.get_model("core", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(app_label=app_label, model=model_name.lower())
    for record in model.objects.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True}).iterator():
        field_file = getattr(record, field_name)
        try:
            with field_file.open("rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError, ValueError):
            continue  # the file was already lost: nothing to move
        name = os.path.basename(field_file.name) or "file"
        attachment = Attachment(
            id=uuid.uuid4(),
            content_type=content_type,
            object_id=str(record.pk),
            role=role,
            original_name=name[-255:],
            mime_type=_mime_type(data, name),
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
        old_name = field_file.name
        field_file.storage.delete(old_name)


def certificates_forward(apps, schema_editor):
    move_files_to_attachments(apps, "core", "TrainingParticipant", "certificate_file", "certificate")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_notification_urgent_and_record"),
    ]

    operations = [
        migrations.RunPython(certificates_forward, migrations.RunPython.noop),
        migrations.RemoveField(model_name="trainingparticipant", name="certificate_file"),
    ]
