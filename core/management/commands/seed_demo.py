from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.audit import acting_as


class Command(BaseCommand):
    help = "Load the demo data (agencies, users for each role, protected areas, each app's demo). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, quiet_logins=False, **options):
        from core.demo import demo_logins

        with transaction.atomic(), acting_as(None):
            # core first, then reserves, then the topic apps: each app's demo.seed() may use the former.
            for config in apps.get_app_configs():
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name == f"{config.name}.demo":
                        continue
                    raise
                if hasattr(module, "seed"):
                    module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        if not quiet_logins:
            self.stdout.write("Demo logins (username / password):")
            for username, password, what in demo_logins():
                self.stdout.write(f"  {username:22} {password:20} {what}")
