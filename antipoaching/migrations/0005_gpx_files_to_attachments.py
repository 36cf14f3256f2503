"""The GPX files of patrol legs become core.documents attachments (role "gpx", checked and
stored like every other file); then PatrolLeg.gpx_file goes."""

from django.db import migrations


def move_files(apps, schema_editor):
    from core.documents import move_file_field_to_attachments

    move_file_field_to_attachments(apps, "antipoaching", "PatrolLeg", "gpx_file", "gpx")


class Migration(migrations.Migration):
    dependencies = [
        ("antipoaching", "0004_scrub_suspects_from_audit_log"),
        ("core", "0006_notification_urgent_and_record"),
    ]

    operations = [
        migrations.RunPython(move_files, migrations.RunPython.noop),
        migrations.RemoveField(model_name="patrolleg", name="gpx_file"),
    ]
