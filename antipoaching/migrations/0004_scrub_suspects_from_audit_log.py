"""Suspects are now declared personal data (Incident.personal_data_fields): the values written to
the audit log before the declaration are replaced by the "[personal data]" marker."""

from django.db import migrations


def scrub(apps, schema_editor):
    # The real model: its declaration says which columns to scrub (core.personal_data).
    from antipoaching.models import Incident
    from core.personal_data import scrub_audit_history

    scrub_audit_history(Incident)


class Migration(migrations.Migration):
    dependencies = [("antipoaching", "0003_plan_history_to_status_change")]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
