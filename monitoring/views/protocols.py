"""Survey protocols and their versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import principal_for
from core.views_base import PortalCreateView, PortalDetailView, PortalUpdateView

from .. import filters
from ..forms import ProtocolVersionForm
from ..models import (
    Protocol,
)
from .base import TableListView

# --- protocols ------------------------------------------------------------------------------------

PROTOCOL_FIELDS = ["owner_agency", "sensitivity", "shared_with", "key", "method", "title"]


class ProtocolListView(TableListView):
    model = Protocol
    filterset_class = filters.ProtocolFilterSet
    title = gettext_lazy("Survey protocols")
    create_url_name = "monitoring:protocol-create"
    select_related_fields = ("owner_agency",)
    columns = (
        (gettext_lazy("Key"), lambda o: o.key),
        (gettext_lazy("Title"), lambda o: o.title),
        (gettext_lazy("Method"), lambda o: o.get_method_display()),
    )


class ProtocolDetailView(PortalDetailView):
    model = Protocol
    template_name = "monitoring/protocol_detail.html"
    prefetch_related_fields = ("versions__adopted_by",)


@login_required
def protocol_version_create(request, pk):
    from core.access import can_edit

    principal = principal_for(request)
    protocol = get_object_or_404(Protocol.objects.visible_to(principal), pk=pk)
    if not can_edit(principal, protocol):
        raise PermissionDenied(_("Only the owning agency may change this record."))
    form = ProtocolVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        version = form.save(commit=False)
        version.protocol = protocol
        version.save()
        form.save_m2m()
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(protocol.get_absolute_url())
    return render(request, "core/record_form.html", {"form": form, "object": None})


class ProtocolCreateView(PortalCreateView):
    model = Protocol
    fields = PROTOCOL_FIELDS
    template_name = "core/record_form.html"


class ProtocolUpdateView(PortalUpdateView):
    model = Protocol
    fields = PROTOCOL_FIELDS
    template_name = "core/record_form.html"
