# Placeholder owned by the reminders work (issue 5): its operations go here.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0002_training_exchanges")]
    operations = []
