"""Camtrap DP imports over the API: preview, import now or queued, and the status of a queued job.

The same entry point as the page (monitoring.camtrap.jobs.submit_import): a package above
PORTAL_INLINE_IMPORT_ROWS is queued (202, with the URL of its status resource) instead of being
imported inside the request; `dry_run=true` answers what would be created, updated, left
unchanged and refused, and writes nothing.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.views import PrincipalMixin
from core.models import Sensitivity

from ..camtrap.importer import PackageInvalid, format_error
from ..camtrap.jobs import job_status, submit_import
from ..models import ImportRun, Survey
from ..models.imports import ImportJob


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A Camtrap DP 1.0, 1.0.1 or 1.0.2 package as a zip archive."))
    survey = serializers.UUIDField(
        required=False, help_text=_("Put the deployments in this survey; left out, they keep the survey they have.")
    )
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, required=False, default=Sensitivity.PARTNERS)
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=_("Answer what the import would do; write nothing.")
    )
    confirm_outside_region = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Import points outside the portal's region (refused otherwise)."),
    )


def _status_url(request, job):
    return request.build_absolute_uri(reverse("api:camtrap-import-job", args=[job.pk]))


def _run(run):
    return {
        "id": str(run.pk),
        "deployments": run.deployments,
        "media": run.media,
        "observations": run.observations,
        "seconds": run.seconds,
    }


class CamtrapImportView(PrincipalMixin, APIView):
    """POST a Camtrap DP zip: previewed, imported (all or nothing) or queued when big."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        """The last 50 imports your agency may see."""
        runs = ImportRun.objects.visible_to(self.principal).select_related("owner_agency").order_by("-created_at")[:50]
        return Response(
            {
                "results": [
                    {
                        **_run(run),
                        "agency": run.owner_agency.code,
                        "package_name": run.package_name,
                        "package_id": run.package_id,
                        "created_at": run.created_at.isoformat(),
                    }
                    for run in runs
                ]
            }
        )

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: OpenApiTypes.OBJECT,
            201: OpenApiTypes.OBJECT,
            202: OpenApiTypes.OBJECT,
            400: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request):
        principal = self.principal
        if not principal.can_write or principal.agency is None:
            raise PermissionDenied(_("Only a partner agency that may write can import data."))
        upload = ImportRequestSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        survey = None
        if data.get("survey"):
            survey = get_object_or_404(Survey.objects.editable_by(principal), pk=data["survey"])
        try:
            outcome = submit_import(
                principal,
                data["file"],
                survey=survey,
                sensitivity=data["sensitivity"],
                preview=data["dry_run"],
                confirm_outside_region=data["confirm_outside_region"],
            )
        except PackageInvalid as exc:
            return Response(
                {
                    "detail": _("The package was refused; nothing was changed."),
                    "errors": [{**e, "text": format_error(e)} for e in exc.errors],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        if outcome.preview:
            return Response(outcome.report.as_dict(), status=status.HTTP_200_OK)
        if outcome.queued:
            return Response(
                {**job_status(outcome.job), "status_url": _status_url(request, outcome.job)},
                status=status.HTTP_202_ACCEPTED,
            )
        return Response({**_run(outcome.run), "report": outcome.report.as_dict()}, status=status.HTTP_201_CREATED)


class ImportJobListView(PrincipalMixin, APIView):
    """Your agency's queued imports, newest first (owner-only, like the jobs themselves)."""

    @extend_schema(operation_id="monitoring_camtrap_dp_import_jobs_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        jobs = ImportJob.objects.visible_to(self.principal).select_related("import_run").order_by("-created_at")[:50]
        return Response({"results": [job_status(job) for job in jobs]})


class ImportJobStatusView(PrincipalMixin, APIView):
    """One queued import: status, progress (rows done of the total), errors or notices, the import made."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    def get(self, request, pk):
        job = get_object_or_404(ImportJob.objects.visible_to(self.principal).select_related("import_run"), pk=pk)
        return Response(job_status(job))
