"""Camtrap DP import page and the agency's crosswalk."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.access import principal_for
from core.forms import style_form

from ..camtrap.importer import PackageInvalid, format_error
from ..camtrap.jobs import job_messages, job_progress, submit_import
from ..forms import CrosswalkForm, ImportForm
from ..models import (
    Crosswalk,
    ImportRun,
    Survey,
)
from ..models.imports import ImportJob

# --- data sharing: Camtrap DP import page ---------------------------------------------------------


@login_required
def camtrap_import(request):
    principal = principal_for(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    form.fields["survey"].queryset = Survey.objects.editable_by(principal)
    errors, report, outside_region = [], None, False
    if request.method == "POST":
        if not principal.can_write or principal.agency is None:
            raise PermissionDenied(_("Your account is read-only."))
        if form.is_valid():
            preview = request.POST.get("action") == "preview"
            try:
                outcome = submit_import(
                    principal,
                    form.cleaned_data["file"],
                    survey=form.cleaned_data["survey"],
                    preview=preview,
                    confirm_outside_region=form.cleaned_data["confirm_outside_region"],
                )
            except PackageInvalid as exc:
                errors = [format_error(e) for e in exc.errors]
                outside_region = any(e.get("code") == "outside_region" for e in exc.errors)
            else:
                if outcome.preview:
                    report = outcome.report.as_dict()
                elif outcome.queued:
                    messages.info(
                        request,
                        _(
                            "The package has %(rows)s rows: it is queued and imported in the background. "
                            "You will be notified of the result; its progress is listed below."
                        )
                        % {"rows": outcome.job.rows},
                    )
                    return HttpResponseRedirect(reverse("monitoring:camtrap-import"))
                else:
                    run = outcome.run
                    messages.success(
                        request,
                        _("Imported %(d)s deployments, %(m)s media and %(o)s observations.")
                        % {"d": run.deployments, "m": run.media, "o": run.observations},
                    )
                    for notice in outcome.report.notices:
                        messages.warning(request, format_error(notice))
                    return HttpResponseRedirect(reverse("monitoring:deployment-list"))
    recent = ImportRun.objects.visible_to(principal).select_related("owner_agency").order_by("-created_at")[:20]
    jobs = [
        (job, [format_error(e) for e in job_messages(job)[:10]], job_progress(job))
        for job in ImportJob.objects.visible_to(principal)
        .select_related("owner_agency", "import_run")
        .order_by("-created_at")[:20]
    ]
    crosswalk = Crosswalk.objects.filter(agency_id=principal.agency_id).order_by("vocabulary", "local_code")
    return render(
        request,
        "monitoring/camtrap_import.html",
        {
            "form": form,
            "errors": errors,
            "report": report,
            "outside_region": outside_region,
            "tables": [("deployments", _("Deployments")), ("media", _("Media")), ("observations", _("Observations"))],
            "running": any(not job.finished for job, _e, _p in jobs),
            "recent": recent,
            "jobs": jobs,
            "inline_rows": settings.PORTAL_INLINE_IMPORT_ROWS,
            "crosswalk": crosswalk,
            "crosswalk_form": style_form(CrosswalkForm()) if principal.can_write and principal.agency else None,
        },
    )


@login_required
def crosswalk_edit(request):
    """An agency maps its own local codes to the shared keys (used by every import it makes)."""
    principal = principal_for(request)
    if request.method != "POST":
        return HttpResponseRedirect(reverse("monitoring:camtrap-import"))
    if not principal.can_write or principal.agency is None:
        raise PermissionDenied(_("Your account is read-only."))
    delete_id = request.POST.get("delete")
    if delete_id:
        Crosswalk.objects.filter(pk=delete_id, agency=principal.agency).delete()
        messages.success(request, _("The crosswalk entry was removed."))
        return HttpResponseRedirect(reverse("monitoring:camtrap-import"))
    form = style_form(CrosswalkForm(request.POST, instance=Crosswalk(agency=principal.agency)))
    if form.is_valid():
        form.save()
        messages.success(request, _("The crosswalk entry was added."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return HttpResponseRedirect(reverse("monitoring:camtrap-import"))
