"""Survey protocols and their versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core.access import principal_for

from ..forms import ProtocolVersionForm
from ..models import Protocol, ProtocolVersion

# --- protocols ------------------------------------------------------------------------------------


@login_required
def protocol_version_create(request, pk):
    from core.access import can_edit

    principal = principal_for(request)
    protocol = get_object_or_404(Protocol.objects.visible_to(principal), pk=pk)
    if not can_edit(principal, protocol):
        raise PermissionDenied(_("Only the owning agency may change this record."))
    form = ProtocolVersionForm(
        request.POST or None, request.FILES or None, instance=ProtocolVersion(protocol=protocol), principal=principal
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            version = form.save()
            form.save_attachments(version, principal)
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(protocol.get_absolute_url())
    title = _("New version of %(protocol)s") % {"protocol": protocol}
    return render(request, "core/record_form.html", {"form": form, "object": None, "page_title": title})
