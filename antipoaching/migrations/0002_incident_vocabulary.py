from django.db import migrations

from antipoaching.reference_data import install_incident_types


def forwards(apps, schema_editor):
    install_incident_types(apps.get_model("antipoaching", "IncidentType"), apps.get_model("core", "Species"))


class Migration(migrations.Migration):
    """Snares, traps, camps, signs of tigers and leopards…: the vocabulary patrols record with."""

    dependencies = [("antipoaching", "0001_initial"), ("core", "0004_reference_species")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
