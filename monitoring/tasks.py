"""Celery tasks: thin wrappers around services (queue them with transaction.on_commit)."""

from celery import shared_task


@shared_task(bind=True, acks_late=True)
def import_camtrap_dp_task(
    self, path, agency_code, survey_id=None, sensitivity="partners", confirm_outside_region=False, dry_run=False
):
    """Import a package stored on the server for an agency (operators, like the import_camtrap_dp command).

    Uploads are queued as ImportJobs instead (run_import_job_task). The limits and the shared
    species list, other agencies' records and the region hold here as on every path
    (monitoring.camtrap.importer); `dry_run` answers what the import would do.
    """
    from core.access import Principal
    from core.models import Agency

    from .camtrap.importer import PackageInvalid, import_package
    from .models import Survey

    agency = Agency.objects.get(code=agency_code)
    survey = Survey.objects.filter(pk=survey_id).first() if survey_id else None
    principal = Principal(agency=agency, role="agency_staff", read_only=False)
    try:
        run = import_package(
            path,
            agency,
            principal=principal,
            survey=survey,
            sensitivity=sensitivity,
            confirm_outside_region=confirm_outside_region,
            dry_run=dry_run,
        )
    except PackageInvalid as exc:
        return {"ok": False, "errors": exc.errors}
    return {
        "ok": True,
        "id": None if dry_run else str(run.pk),
        "deployments": run.deployments,
        "media": run.media,
        "observations": run.observations,
        "report": run.import_report.as_dict(),
    }


@shared_task(bind=True, acks_late=True)
def run_import_job_task(self, job_id):
    """Import a package queued by a page or API upload (monitoring.camtrap.jobs): all or nothing.

    Delivered twice (acks_late after a lost worker), the job is imported once: its row is locked
    for the whole import and only a queued job is taken.
    """
    from .camtrap.jobs import run_import_job

    job = run_import_job(job_id)
    if job is None:
        return None
    return {"id": str(job.pk), "status": job.status, "run": str(job.import_run_id) if job.import_run_id else None}


@shared_task
def run_queued_imports_task(older_than_minutes=10):
    """Beat safety net: import jobs still queued after a while (their message was lost); returns how many ran."""
    from .camtrap.jobs import run_queued_jobs

    return run_queued_jobs(older_than_minutes)


@shared_task
def refresh_location_categories_task():
    """Nightly safety net: recompute every deployment's and transect's sensitivity category."""
    from .services import refresh_derived_locations, refresh_location_categories, refresh_transect_categories

    refresh_location_categories()
    refresh_transect_categories()
    # Anchors, protected areas and covers-cell flags: catches what bypassed the hooks (an
    # update() in a shell, a changed PORTAL_WITHHELD_LOCATION_CATEGORY).
    refresh_derived_locations()
    return True
