"""Import now or queue: the one entry point for uploads (pages and API), and the queued job's run.

A package is checked first (descriptor, PORTAL_MAX_IMPORT_MB, PORTAL_MAX_IMPORT_ROWS, encoding:
`inspect_package`). Up to PORTAL_INLINE_IMPORT_ROWS rows it is imported in the request; a bigger
one is stored as an ImportJob and imported by the task queue (monitoring.tasks.run_import_job_task).
The job is imported in one transaction that also holds the job's row lock: all or nothing, run
once even when the task is delivered twice, and written only as the job's own agency.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import notify, reminders
from core.access import Principal
from core.models import Sensitivity

from ..models import Survey
from ..models.imports import ImportJob, ImportJobStatus
from .importer import Importer, PackageInvalid, format_error, import_package
from .package import PackageSource

logger = logging.getLogger(__name__)

IMPORT_FINISHED = notify.register_event("monitoring.import_finished", gettext_lazy("Camtrap DP import finished"))


@dataclass
class ImportOutcome:
    """What became of an upload: imported at once (`run`) or queued (`job`)."""

    run: object = None
    job: object = None

    @property
    def queued(self):
        return self.job is not None


def inspect_package(path):
    """The checks that come before any work (descriptor, limits, encoding): a PackageSummary.

    Raises PackageInvalid. The row count decides whether the package is imported now or queued.
    """
    with PackageSource(path) as source:
        return Importer(source, agency=None).check()


def submit_import(principal, upload, survey=None, sensitivity=Sensitivity.PARTNERS):
    """Import `upload` (a zip file object) for the principal's agency now, or queue it when big.

    Raises PackageInvalid when the package is refused (nothing changed, nothing queued) and
    PermissionDenied when the principal may not import.
    """
    if not principal.can_write or principal.agency is None:
        raise PermissionDenied(_("Only a partner agency that may write can import data."))
    summary = inspect_package(upload)
    if summary.total_rows <= int(settings.PORTAL_INLINE_IMPORT_ROWS):
        run = import_package(upload, principal.agency, principal=principal, survey=survey, sensitivity=sensitivity)
        return ImportOutcome(run=run)
    return ImportOutcome(job=queue_import(principal, upload, summary.total_rows, survey, sensitivity))


def queue_import(principal, upload, rows, survey=None, sensitivity=Sensitivity.PARTNERS):
    """Store the package and queue its import after the commit. Returns the ImportJob."""
    from ..tasks import run_import_job_task

    user = getattr(principal, "user", None)
    with transaction.atomic():
        job = ImportJob(
            owner_agency=principal.agency,
            sensitivity=Sensitivity.OWNER,
            created_by=user if getattr(user, "pk", None) else None,
            original_name=str(getattr(upload, "name", "") or "")[:255],
            survey=survey,
            record_sensitivity=sensitivity,
            rows=rows,
        )
        upload.seek(0)
        job.package.save("package.zip", upload, save=False)
        job.save()
        job_id = str(job.pk)

        def send():
            try:
                run_import_job_task.delay(job_id)
            except Exception:  # the broker is away: the job stays queued; run_queued_jobs takes it later
                logger.exception("could not queue Camtrap DP import %s", job_id)

        transaction.on_commit(send)
    return job


def run_queued_jobs(older_than_minutes=10, limit=20):
    """The safety net (a beat task): jobs still queued after a while, whose message was lost."""
    before = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    waiting = ImportJob.objects.filter(status=ImportJobStatus.QUEUED, created_at__lte=before).order_by("created_at")
    done = [run_import_job(pk) for pk in list(waiting.values_list("pk", flat=True)[:limit])]
    return sum(1 for job in done if job is not None)


def _principal_for(job):
    """Who the job imports as, now: its creator if still allowed to write for the job's agency."""
    if job.created_by_id is None:
        # Queued through an agency's API key: the agency asked, and may still write.
        return Principal(agency=job.owner_agency, read_only=False)
    principal = Principal.for_user(job.created_by)
    if not job.created_by.is_active or not principal.can_write or principal.agency_id != job.owner_agency_id:
        return None
    return principal


def run_import_job(job_id):
    """Import a queued job; returns the job, or None when it was already taken or done."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("owner_agency", "created_by")
            .filter(pk=job_id, status=ImportJobStatus.QUEUED)
            .first()
        )
        if job is None:
            return None
        language = reminders.language_of(job.created_by) if job.created_by_id else settings.LANGUAGE_CODE
        with translation.override(language):
            job.started_at = timezone.now()
            principal = _principal_for(job)
            survey = None
            problem = None
            if principal is None:
                problem = _("The account that queued this import may no longer import for %(agency)s.") % {
                    "agency": job.owner_agency.code
                }
            elif job.survey_id:
                survey = Survey.objects.editable_by(principal).filter(pk=job.survey_id).first()
                if survey is None:
                    problem = _("The survey chosen for this import may no longer be edited by you.")
            if problem:
                job.status, job.errors = ImportJobStatus.REFUSED, [{"message": problem}]
            else:
                try:
                    with transaction.atomic(), job.package.open("rb") as handle:
                        run = import_package(
                            handle,
                            job.owner_agency,
                            principal=principal,
                            survey=survey,
                            sensitivity=job.record_sensitivity,
                            source_name=job.original_name,
                        )
                except PackageInvalid as exc:
                    job.status, job.errors = ImportJobStatus.REFUSED, exc.errors
                except Exception:
                    # Rolled back to the savepoint: nothing of the package stays; the job says so.
                    logger.exception("queued Camtrap DP import %s failed", job.pk)
                    job.status = ImportJobStatus.FAILED
                    job.errors = [{"message": _("The import failed on the server; nothing was changed.")}]
                else:
                    job.status, job.import_run, job.errors = ImportJobStatus.DONE, run, []
            job.finished_at = timezone.now()
            stored = job.package.name
            job.package = ""
            job.save()
            if stored:
                storage = job.package.storage
                transaction.on_commit(lambda: storage.delete(stored))
            _tell(job)
    return job


def _tell(job):
    """The person who queued the import learns the result (the agency's coordinators for an API key)."""
    recipients = [job.created_by] if job.created_by_id else notify.coordinators_of(job.owner_agency)
    context = {
        "name": job.original_name or _("package"),
        "run": job.import_run,
        "errors": [format_error(e) for e in job.errors[:10]],
        "more": max(len(job.errors) - 10, 0),
    }

    def subject(values):
        if job.status == ImportJobStatus.DONE:
            return _("Camtrap DP import done: %(name)s") % values
        return _("Camtrap DP import refused: %(name)s") % values

    def body(values):
        if job.status == ImportJobStatus.DONE:
            run = values["run"]
            return _("Imported %(d)s deployments, %(m)s media and %(o)s observations.") % {
                "d": run.deployments,
                "m": run.media,
                "o": run.observations,
            }
        lines = [_("The package was refused; nothing was changed."), *values["errors"]]
        if values["more"]:
            lines.append(_("… and %(n)s more errors.") % {"n": values["more"]})
        return "\n".join(lines)

    notify.notify(
        recipients,
        IMPORT_FINISHED,
        subject,
        body,
        url=reverse("monitoring:camtrap-import"),
        record=job,
        context=context,
    )
