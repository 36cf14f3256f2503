"""Pages of attachments: the one download route (every setting), add and remove from a record page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .access import principal_for
from .audit import record_read
from .documents import (
    FORBIDDEN_MIME_TYPES,
    AttachmentField,
    attach,
    attachments_for,
    delete_attachment,
    display_name,
    display_title,
    may_edit_record,
    may_read_attachment,
    record_sensitivity,
    visible_record,
)
from .models.documents import Attachment

# The file is data, never a page of the portal: no script, no plugin, no frame, no form.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"


def record_of(attachment, principal):
    """The attachment's record if `principal` may see it, else None."""
    model = attachment.content_type.model_class()
    if model is None:
        return None
    return visible_record(model, attachment.object_id, principal)


def attachment_context(record, principal, role=None):
    """What core/_attachments.html needs: the files and whether the viewer may add or remove."""
    files = [item for item in attachments_for(record, role) if may_read_attachment(principal, item, record)]
    for item in files:
        item.display_name = display_name(item, principal, record)
        item.display_title = display_title(item, principal, record)
    return {
        "attachments": files,
        "attachments_record": record,
        "attachments_editable": may_edit_record(principal, record),
        "attachments_upload_url": reverse(
            "core:attachment-add",
            args=[f"{record._meta.app_label}.{record._meta.model_name}", record.pk],
        ),
        "attachments_limit_mb": settings.PORTAL_MAX_UPLOAD_MB,
    }


class AttachmentsMixin:
    """Detail-view mixin: puts the record's attachments in the context for core/_attachments.html."""

    attachments_role = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(attachment_context(self.object, principal_for(self.request), self.attachments_role))
        return context


def download_response(attachment, filename=None):
    """A FileResponse that a browser saves and never renders as the portal."""
    content_type = attachment.mime_type or "application/octet-stream"
    if content_type in FORBIDDEN_MIME_TYPES or any(part in content_type for part in ("html", "svg", "xml")):
        # An XML document (GPX too) can carry XHTML script: such types are only ever bytes.
        content_type = "application/octet-stream"
    if content_type.startswith("text/"):
        content_type = f"{content_type}; charset=utf-8"
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404(_("The file of this attachment is missing.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename or attachment.original_name or "file", content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def download(request, pk):
    principal = principal_for(request)
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    record = record_of(attachment, principal)
    if record is None or not may_read_attachment(principal, attachment, record):
        # An invisible record's file, or a file that carries locations the reader may not see
        # precisely (a GPX track), does not exist for this reader.
        raise Http404(_("No such file."))
    record_read(record, principal, detail={"attachment": str(attachment.pk)}, sensitivity=record_sensitivity(record))
    return download_response(attachment, display_name(attachment, principal, record))


def _back(request, record):
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    url = getattr(record, "get_absolute_url", None)
    return HttpResponseRedirect(url() if callable(url) else reverse("core:dashboard"))


def _record_or_404(record_type, pk, principal):
    app_label, _dot, model_name = record_type.partition(".")
    try:
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except ContentType.DoesNotExist:
        model = None
    record = visible_record(model, pk, principal) if model is not None else None
    if record is None:
        raise Http404(_("No such record."))
    return record


@require_POST
def add(request, record_type, pk):
    """Add files from the form of core/_attachments.html, then go back to the record."""
    principal = principal_for(request)
    record = _record_or_404(record_type, pk, principal)
    if not may_edit_record(principal, record):
        messages.error(request, _("Only the owning agency may attach files to this record."))
        return _back(request, record)
    field = AttachmentField(required=True)
    try:
        checked = field.clean(request.FILES.getlist("attachments"))
        for item in checked:
            attach(
                record,
                item,
                principal,
                title=request.POST.get("title", ""),
                language=request.POST.get("language", ""),
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(request, record)
    messages.success(request, _("Attached %(count)d file(s).") % {"count": len(checked)})
    return _back(request, record)


@require_POST
def remove(request, pk):
    principal = principal_for(request)
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    record = record_of(attachment, principal)
    if record is None:
        raise Http404(_("No such file."))
    try:
        delete_attachment(attachment, principal)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(request, record)
    messages.success(request, _("Removed “%(name)s”.") % {"name": attachment.original_name})
    return _back(request, record)
