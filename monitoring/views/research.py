"""Research projects and data requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.access import principal_for

from .. import services
from ..forms import RequestForm
from ..models import (
    ResearchProject,
)

# --- research -------------------------------------------------------------------------------------


@login_required
def request_create(request):
    principal = principal_for(request)
    if not principal.can_write:
        raise PermissionDenied(_("Your account is read-only."))
    form = RequestForm(request.POST or None)
    form.fields["project"].queryset = ResearchProject.objects.visible_to(principal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.submit_data_request(
                principal,
                data["requested_from"],
                data["requested_dataset"],
                data["purpose"],
                data["needed_until"],
                data["project"],
            )
        except ValidationError as exc:
            form.add_error("requested_from", exc)
        else:
            messages.success(request, _("Request sent."))
            return HttpResponseRedirect(created.get_absolute_url())
    return render(request, "monitoring/request_form.html", {"form": form})
