"""Camtrap DP packages too big for a page request: queued, then imported by the task queue."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Sensitivity, SharedRecord

from .surveys import ImportRun, Survey


def import_job_upload_to(instance, filename):
    # A random name: the stored path says nothing about the package (no places, no names).
    return f"import-queue/{uuid.uuid4().hex}.zip"


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DONE = "done", _("Imported")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


class ImportJob(SharedRecord):
    """One queued Camtrap DP import: the stored package, who asked, and what came of it.

    Owner-only (like ImportRun). The package file is deleted once the job has finished.
    """

    status = models.CharField(
        _("status"), max_length=16, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED, db_index=True
    )
    package = models.FileField(_("package"), upload_to=import_job_upload_to, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("survey")
    )
    # The sensitivity the imported records get (the job itself is owner-only).
    record_sensitivity = models.CharField(
        _("sensitivity of the records"), max_length=16, choices=Sensitivity.choices, default=Sensitivity.PARTNERS
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    # The user confirmed points outside PORTAL_REGION_BBOX when queueing the import.
    confirm_outside_region = models.BooleanField(_("points outside the region confirmed"), default=False)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("import")
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta(SharedRecord.Meta):
        verbose_name = _("queued Camtrap DP import")
        verbose_name_plural = _("queued Camtrap DP imports")

    def __str__(self):
        return f"{self.original_name or self.pk} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.REFUSED, ImportJobStatus.FAILED)
