from django.core.management.base import BaseCommand

from ...camtrap.exporter import export_package
from ._export_args import add_export_arguments, resolve


class Command(BaseCommand):
    help = "Write a Camtrap DP 1.0.2 zip of what an agency may see (sensitive points generalized for it)."

    def add_arguments(self, parser):
        add_export_arguments(parser)

    def handle(self, **options):
        principal, filters = resolve(options)
        summary = export_package(principal, options["output"], **filters)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {options['output']}: {summary['deployments']} deployments, {summary['media']} media, "
                f"{summary['observations']} observations."
            )
        )
