from django.db import migrations

from core.reference_data import install_species


def forwards(apps, schema_editor):
    install_species(apps.get_model("core", "Species"))


class Migration(migrations.Migration):
    """Tiger, leopard and their prey: the species every installation starts with."""

    dependencies = [("core", "0003_notifications")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
