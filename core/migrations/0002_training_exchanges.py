# Placeholder owned by the training/exchange-visits work (issue 4): its operations go here.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = []
