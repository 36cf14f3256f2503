"""The Celery application. Without a broker (the demo), tasks run in process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumen_portal.settings.dev")

app = Celery("tumen_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
