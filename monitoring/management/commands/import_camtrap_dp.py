from django.core.management.base import BaseCommand, CommandError

from core.access import Principal
from core.models import Agency, Sensitivity

from ...camtrap.importer import PackageInvalid, format_error, import_package
from ...models import Survey


class Command(BaseCommand):
    help = "Import a Camtrap DP 1.0.2 package (zip or folder) for an agency: all or nothing; re-imports update."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--agency", required=True, help="Code of the owning agency, e.g. LOTL")
        parser.add_argument("--survey", help="Id of the survey the deployments belong to")
        parser.add_argument("--sensitivity", default=Sensitivity.PARTNERS, choices=Sensitivity.values)

    def handle(self, path, agency, survey=None, sensitivity=Sensitivity.PARTNERS, **options):
        try:
            owner = Agency.objects.get(code=agency)
        except Agency.DoesNotExist:
            raise CommandError(f"Unknown agency {agency}") from None
        survey_obj = Survey.objects.filter(pk=survey, owner_agency=owner).first() if survey else None
        if survey and survey_obj is None:
            raise CommandError(f"No survey {survey} of {agency}")
        principal = Principal(agency=owner, role="agency_staff", read_only=False)
        try:
            run = import_package(path, owner, principal=principal, survey=survey_obj, sensitivity=sensitivity)
        except PackageInvalid as exc:
            for error in exc.errors:
                self.stderr.write(format_error(error))
            raise CommandError("The package was refused; nothing was changed.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {run.deployments} deployments, {run.media} media, {run.observations} observations "
                f"in {run.seconds:.1f} s."
            )
        )
