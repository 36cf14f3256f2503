import time

from django.core.management.base import BaseCommand

from core.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Send the reminders, escalations and digests that are due (what the beat task does). "
        "With --loop it keeps running: the demo uses it instead of a Celery worker and beat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run again every --interval seconds.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between runs (default 60).")
        parser.add_argument("--sync", action="store_true", help="Also run every app's obligation sync first.")

    def handle(self, *args, loop=False, interval=60.0, sync=False, **options):
        while True:
            if sync:
                self._sync()
            result = send_due_reminders()
            if result["dispatched"] or result["emailed"] or not loop:
                self.stdout.write(f"{result['dispatched']} reminder(s) dispatched, {result['emailed']} email(s) sent.")
            if not loop:
                return
            time.sleep(max(interval, 1.0))

    def _sync(self):
        # Topic apps that generate their own obligations (policy rounds) expose sync_obligations().
        from importlib import import_module

        from django.apps import apps

        for config in apps.get_app_configs():
            try:
                services = import_module(f"{config.name}.services")
            except ModuleNotFoundError:
                continue
            if hasattr(services, "sync_obligations"):
                services.sync_obligations()
