"""The GPX files of patrol legs become core.documents attachments (role "gpx", checked and
stored like every other file); then PatrolLeg.gpx_file goes."""

from django.db import migrations


def move_files(apps, schema_editor):
    # The real models and service: the attachment is checked and stored as on every other path.
    from django.core.files import File

    from antipoaching.models import PatrolLeg as Leg
    from core.documents import attach

    Historical = apps.get_model("antipoaching", "PatrolLeg")
    for row in Historical.objects.exclude(gpx_file="").exclude(gpx_file__isnull=True).iterator():
        leg = Leg.objects.get(pk=row.pk)
        try:
            handle = row.gpx_file.open("rb")
        except FileNotFoundError:
            continue  # a missing file cannot be moved; the track itself is kept
        with handle:
            named = File(handle, name=row.gpx_file.name.rsplit("/", 1)[-1])
            attach(leg, named, None, role="gpx", check=False)


class Migration(migrations.Migration):
    dependencies = [
        ("antipoaching", "0004_scrub_suspects_from_audit_log"),
        ("core", "0006_notification_urgent_and_record"),
    ]

    operations = [
        migrations.RunPython(move_files, migrations.RunPython.noop),
        migrations.RemoveField(model_name="patrolleg", name="gpx_file"),
    ]
