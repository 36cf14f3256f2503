"""Data: the data requests' own status log goes into core.StatusChange, and protocol documents
(ProtocolVersion.document) become core attachments (role "document"). The next migration removes
the old model and field."""

import os

from django.db import migrations

# The old log knew only the target status; these are the workflow's transition names.
TRANSITION_TO = {"submitted": "created", "approved": "approve", "declined": "decline", "withdrawn": "withdraw"}


def copy_status_history(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StatusChange = apps.get_model("core", "StatusChange")
    OldChange = apps.get_model("monitoring", "DataRequestStatusChange")
    content_type, _created = ContentType.objects.get_or_create(app_label="monitoring", model="datarequest")
    for old in OldChange.objects.select_related("request").order_by("created_at", "pk").iterator():
        request = old.request
        transition = TRANSITION_TO.get(old.to_status, old.to_status) if old.from_status else "created"
        # Decisions are the agency asked's; submission and withdrawal the requester's.
        agency_id = request.requested_from_id if old.to_status in ("approved", "declined") else request.owner_agency_id
        step = StatusChange.objects.create(
            content_type=content_type,
            object_id=str(request.pk),
            transition=transition,
            from_status=old.from_status or "",
            to_status=old.to_status,
            user_id=old.by_id,
            agency_id=agency_id,
            note=old.note or "",
        )
        StatusChange.objects.filter(pk=step.pk).update(at=old.created_at)  # auto_now_add on create


def remove_copied_history(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StatusChange = apps.get_model("core", "StatusChange")
    OldChange = apps.get_model("monitoring", "DataRequestStatusChange")
    content_type = ContentType.objects.filter(app_label="monitoring", model="datarequest").first()
    if content_type is None:
        return
    steps = StatusChange.objects.filter(content_type=content_type)
    for step in steps.order_by("at", "pk"):
        OldChange.objects.create(
            request_id=step.object_id,
            from_status=step.from_status,
            to_status=step.to_status,
            by_id=step.user_id,
            note=step.note,
        )
    steps.delete()


def move_documents(apps, schema_editor):
    from django.core.exceptions import ValidationError

    from core.documents import check_upload

    ContentType = apps.get_model("contenttypes", "ContentType")
    Attachment = apps.get_model("core", "Attachment")
    ProtocolVersion = apps.get_model("monitoring", "ProtocolVersion")
    content_type, _created = ContentType.objects.get_or_create(app_label="monitoring", model="protocolversion")
    for version in ProtocolVersion.objects.exclude(document="").exclude(document__isnull=True).iterator():
        field_file = version.document
        storage = field_file.storage
        if not storage.exists(field_file.name):
            print(f"\n  protocol version {version.pk}: {field_file.name} is missing, not moved")
            continue
        with storage.open(field_file.name, "rb") as handle:
            handle.name = os.path.basename(field_file.name)
            try:
                checked = check_upload(handle, "document")
            except ValidationError as exc:
                # An HTML or SVG "document" would run in a reader's browser: it is not carried over.
                print(f"\n  protocol version {version.pk}: {field_file.name} not moved ({' '.join(exc.messages)})")
                continue
        from django.core.files.base import ContentFile

        attachment = Attachment(
            content_type=content_type,
            object_id=str(version.pk),
            role="document",
            original_name=checked.name,
            mime_type=checked.mime_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        attachment.file.save(checked.name, ContentFile(checked.data), save=False)
        attachment.save()
        storage.delete(field_file.name)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_notification_urgent_and_record"),
        ("monitoring", "0002_vocabularies"),
    ]

    operations = [
        migrations.RunPython(copy_status_history, remove_copied_history),
        migrations.RunPython(move_documents, migrations.RunPython.noop),
    ]
