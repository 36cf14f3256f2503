"""Celery tasks: thin wrappers around services (queue them with transaction.on_commit)."""

from celery import shared_task


@shared_task(bind=True, acks_late=True)
def import_camtrap_dp_task(self, path, agency_code, survey_id=None, sensitivity="partners"):
    """Import a package stored on disk (large uploads); returns counts or the refusal's errors."""
    from core.access import Principal
    from core.models import Agency

    from .camtrap.importer import PackageInvalid, import_package
    from .models import Survey

    agency = Agency.objects.get(code=agency_code)
    survey = Survey.objects.filter(pk=survey_id).first() if survey_id else None
    principal = Principal(agency=agency, role="agency_staff", read_only=False)
    try:
        run = import_package(path, agency, principal=principal, survey=survey, sensitivity=sensitivity)
    except PackageInvalid as exc:
        return {"ok": False, "errors": exc.errors}
    return {
        "ok": True,
        "id": str(run.pk),
        "deployments": run.deployments,
        "media": run.media,
        "observations": run.observations,
    }


@shared_task
def refresh_location_categories_task():
    """Nightly safety net: recompute every deployment's and transect's sensitivity category."""
    from .services import refresh_location_categories, refresh_transect_categories

    refresh_location_categories()
    refresh_transect_categories()
    return True
