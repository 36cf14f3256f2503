from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_status_history_and_documents_to_core")]

    operations = [
        migrations.DeleteModel(name="DataRequestStatusChange"),
        migrations.RemoveField(model_name="protocolversion", name="document"),
    ]
