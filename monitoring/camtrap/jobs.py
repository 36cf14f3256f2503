"""Import now or queue: the one entry point for uploads (pages and API), and the queued job's run.

A package is checked first (descriptor, PORTAL_MAX_IMPORT_MB, PORTAL_MAX_IMPORT_ROWS, encoding:
`inspect_package`). Up to PORTAL_INLINE_IMPORT_ROWS rows it is imported in the request; a bigger
one is stored as an ImportJob and imported by the task queue (monitoring.tasks.run_import_job_task).
The job is imported in one transaction that also holds the job's row lock: all or nothing, run
once even when the task is delivered twice, and written only as the job's own agency.

A dry run (`preview=True`) answers what the import would create, update, leave unchanged and
refuse, and writes nothing. A running job reports its progress (rows done of the total) through
the cache, which every web and worker process shares (Redis in production): the job's own row
is locked by the import's transaction until it ends.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
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
from .importer import Importer, PackageInvalid, format_error, import_package, region_bbox
from .package import PackageSource

logger = logging.getLogger(__name__)

IMPORT_FINISHED = notify.register_event("monitoring.import_finished", gettext_lazy("Camtrap DP import finished"))


@dataclass
class ImportOutcome:
    """What became of an upload: imported at once (`run`) or queued (`job`)."""

    run: object = None
    job: object = None
    report: object = None  # the ImportReport (a preview's, or what the import did)

    @property
    def queued(self):
        return self.job is not None

    @property
    def preview(self):
        return self.report is not None and self.report.dry_run


# --- progress of queued jobs -------------------------------------------------------------------

PROGRESS_TIMEOUT = 7 * 24 * 3600


def _progress_key(job_id):
    return f"monitoring:import-job:{job_id}:progress"


def set_progress(job_id, done, total, state="running"):
    cache.set(_progress_key(job_id), {"done": int(done), "total": int(total), "state": state}, PROGRESS_TIMEOUT)


def job_progress(job):
    """{done, total, percent, state} of a job: from the running import, or final once it ended."""
    if job.finished:
        total = job.rows or 0
        done = total if job.status == ImportJobStatus.DONE else (cache.get(_progress_key(job.pk)) or {}).get("done", 0)
        return {
            "done": done,
            "total": total,
            "percent": 100 if total == 0 else round(100 * done / total),
            "state": job.status,
        }
    found = cache.get(_progress_key(job.pk)) or {}
    total = max(found.get("total") or job.rows or 0, 1)
    done = min(found.get("done", 0), total)
    return {"done": done, "total": total, "percent": round(100 * done / total), "state": found.get("state", "queued")}


def job_messages(job):
    """The job's errors (or, once imported, its notices)."""
    return list(job.errors or [])


def job_status(job):
    """What the API's status resource and the page show of a job."""
    run = job.import_run
    messages = job_messages(job)
    return {
        "id": str(job.pk),
        "status": job.status,
        "file": job.original_name,
        "rows": job.rows,
        "progress": job_progress(job),
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "import": (
            {
                "id": str(run.pk),
                "deployments": run.deployments,
                "media": run.media,
                "observations": run.observations,
            }
            if run
            else None
        ),
        "errors": [{**e, "text": format_error(e)} for e in messages if e.get("level") != "notice"],
        "notices": [{**e, "text": format_error(e)} for e in messages if e.get("level") == "notice"],
    }


def inspect_package(path):
    """The checks that come before any work (descriptor, limits, encoding): a PackageSummary.

    Raises PackageInvalid. The row count decides whether the package is imported now or queued.
    """
    with PackageSource(path) as source:
        return Importer(source, agency=None).check()


def submit_import(
    principal, upload, survey=None, sensitivity=Sensitivity.PARTNERS, preview=False, confirm_outside_region=False
):
    """Import `upload` (a zip file object) for the principal's agency now, or queue it when big.

    With `preview`, nothing is written: the outcome's report says what the import would do.
    Raises PackageInvalid when the package is refused (nothing changed, nothing queued) and
    PermissionDenied when the principal may not import.
    """
    if not principal.can_write or principal.agency is None:
        raise PermissionDenied(_("Only a partner agency that may write can import data."))
    summary = inspect_package(upload)
    inline = summary.total_rows <= int(settings.PORTAL_INLINE_IMPORT_ROWS)
    options = {"survey": survey, "sensitivity": sensitivity, "confirm_outside_region": confirm_outside_region}
    if preview:
        if not inline:
            raise PackageInvalid(
                [
                    {
                        "message": _(
                            "A preview is made for packages of up to %(limit)s rows; this one has %(rows)s. "
                            "Import it: it is checked completely before anything is written, and the result "
                            "lists what was created, updated, left unchanged and refused."
                        )
                        % {"limit": settings.PORTAL_INLINE_IMPORT_ROWS, "rows": summary.total_rows}
                    }
                ]
            )
        run = import_package(upload, principal.agency, principal=principal, dry_run=True, **options)
        return ImportOutcome(report=run.import_report)
    if inline:
        run = import_package(upload, principal.agency, principal=principal, **options)
        return ImportOutcome(run=run, report=run.import_report)
    if region_bbox() is not None and not confirm_outside_region:
        # Deployments are few: a queued package with points outside the region is refused now,
        # not hours later (the rows are checked in full when the job runs).
        _check_region_now(upload, principal)
    return ImportOutcome(
        job=queue_import(principal, upload, summary.total_rows, survey, sensitivity, confirm_outside_region)
    )


def _check_region_now(upload, principal):
    with PackageSource(upload) as source:
        importer = Importer(source, agency=principal.agency, principal=principal)
        importer.check()
        importer.region = region_bbox()
        importer.outside_region = []
        for number, r in importer.rows("deployments", crosswalked=("featureType",)):
            importer.check_region(number, r)
        importer.errors = []
        importer.refuse_outside_region()
        if importer.errors:
            raise PackageInvalid(importer.errors)


def queue_import(principal, upload, rows, survey=None, sensitivity=Sensitivity.PARTNERS, confirm_outside_region=False):
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
            # Stored with the job: a lost queue message loses nothing.
            confirm_outside_region=bool(confirm_outside_region),
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
                job_id = job.pk
                set_progress(job_id, 0, job.rows, "running")
                try:
                    with transaction.atomic(), job.package.open("rb") as handle:
                        run = import_package(
                            handle,
                            job.owner_agency,
                            principal=principal,
                            survey=survey,
                            sensitivity=job.record_sensitivity,
                            source_name=job.original_name,
                            confirm_outside_region=job.confirm_outside_region,
                            progress=lambda done, total: set_progress(job_id, done, total),
                        )
                except PackageInvalid as exc:
                    job.status, job.errors = ImportJobStatus.REFUSED, exc.errors
                except Exception:
                    # Rolled back to the savepoint: nothing of the package stays; the job says so.
                    logger.exception("queued Camtrap DP import %s failed", job.pk)
                    job.status = ImportJobStatus.FAILED
                    job.errors = [{"message": _("The import failed on the server; nothing was changed.")}]
                else:
                    # What was left out or not linked stays with the job (level "notice").
                    notices = [{**n, "level": "notice"} for n in run.import_report.notices]
                    job.status, job.import_run, job.errors = ImportJobStatus.DONE, run, notices
                    set_progress(job_id, job.rows, job.rows, "done")
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
        "errors": [format_error(e) for e in job_messages(job)[:10]],
        "more": max(len(job_messages(job)) - 10, 0),
    }

    def subject(values):
        if job.status == ImportJobStatus.DONE:
            return _("Camtrap DP import done: %(name)s") % values
        return _("Camtrap DP import refused: %(name)s") % values

    def body(values):
        if job.status == ImportJobStatus.DONE:
            run = values["run"]
            lines = [
                _("Imported %(d)s deployments, %(m)s media and %(o)s observations.")
                % {"d": run.deployments, "m": run.media, "o": run.observations},
                *values["errors"],
            ]
            return "\n".join(lines)
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
