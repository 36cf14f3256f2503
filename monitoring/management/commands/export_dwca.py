from django.core.management.base import BaseCommand

from ...dwca.exporter import export_dwca
from ._export_args import add_export_arguments, resolve


class Command(BaseCommand):
    help = "Write a Darwin Core Archive of the occurrences an agency may see (sensitive points generalized for it)."

    def add_arguments(self, parser):
        add_export_arguments(parser)

    def handle(self, **options):
        principal, filters = resolve(options)
        count = export_dwca(principal, options["output"], **filters)
        self.stdout.write(self.style.SUCCESS(f"Wrote {options['output']}: {count} occurrences."))
