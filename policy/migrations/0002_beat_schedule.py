# The beat entries of the data-exchange reminders. Admins edit them under Periodic tasks
# (django_celery_beat); one beat process reads them. Expiry keeps missed runs from piling up.
from django.db import migrations

ENTRIES = [
    # name, task, every (minutes), expires (seconds)
    ("Send due reminders", "core.send_due_reminders", 5, 240),
    ("Sync data-exchange rounds", "policy.sync_exchange_rounds", 60, 3000),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes, expires in ENTRIES:
        schedule, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": schedule, "expire_seconds": expires, "enabled": True}
        )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_rest in ENTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("policy", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
