from django.core.management.base import BaseCommand, CommandError

from core.access import Principal
from core.models import Agency, Sensitivity

from ...camtrap.importer import PackageInvalid, format_error, import_package
from ...models import Survey


class Command(BaseCommand):
    help = (
        "Import a Camtrap DP 1.0, 1.0.1 or 1.0.2 package (zip or folder) for an agency: all or nothing; "
        "re-imports update. --dry-run says what would be created, updated, left unchanged and refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--agency", required=True, help="Code of the owning agency, e.g. LOTL")
        parser.add_argument("--survey", help="Id of the survey the deployments belong to")
        parser.add_argument("--sensitivity", default=Sensitivity.PARTNERS, choices=Sensitivity.values)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the package and report what it would do; write nothing"
        )
        parser.add_argument(
            "--confirm-outside-region",
            action="store_true",
            help="Import points outside PORTAL_REGION_BBOX (refused otherwise)",
        )

    def handle(
        self,
        path,
        agency,
        survey=None,
        sensitivity=Sensitivity.PARTNERS,
        dry_run=False,
        confirm_outside_region=False,
        **options,
    ):
        try:
            owner = Agency.objects.get(code=agency)
        except Agency.DoesNotExist:
            raise CommandError(f"Unknown agency {agency}") from None
        survey_obj = Survey.objects.filter(pk=survey, owner_agency=owner).first() if survey else None
        if survey and survey_obj is None:
            raise CommandError(f"No survey {survey} of {agency}")
        principal = Principal(agency=owner, role="agency_staff", read_only=False)
        try:
            run = import_package(
                path,
                owner,
                principal=principal,
                survey=survey_obj,
                sensitivity=sensitivity,
                dry_run=dry_run,
                confirm_outside_region=confirm_outside_region,
            )
        except PackageInvalid as exc:
            for error in exc.errors:
                self.stderr.write(format_error(error))
            raise CommandError("The package was refused; nothing was changed.") from None
        report = run.import_report
        for table, counts in report.counts.items():
            self.stdout.write(
                f"{table}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged, {counts['refused']} refused"
            )
        for notice in report.notices:
            self.stdout.write(format_error(notice))
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {run.deployments} deployments, {run.media} media, {run.observations} observations "
                f"in {run.seconds:.1f} s."
            )
        )
