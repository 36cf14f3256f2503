"""The individual catalogue, match proposals and the cross-border report."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import principal_for
from core.forms import style_form

from .. import services
from ..forms import PeriodForm
from ..models import (
    Individual,
)

# --- individual catalogue -------------------------------------------------------------------------


@login_required
@require_POST
def propose_match(request, pk):
    principal = principal_for(request)
    visible = Individual.objects.visible_to(principal)
    individual = get_object_or_404(visible, pk=pk)
    other = get_object_or_404(visible, pk=request.POST.get("other"))
    try:
        proposal = services.propose_match(principal, individual, other, request.POST.get("evidence", ""))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(individual.get_absolute_url())
    messages.success(request, _("Match proposed; an expert of the other country will review it."))
    return HttpResponseRedirect(proposal.get_absolute_url())


@login_required
def cross_border_report(request):
    principal = principal_for(request)
    form = style_form(PeriodForm(request.GET or None))
    start, end, species = datetime.date(1900, 1, 1), datetime.date.today(), None
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        species = form.cleaned_data["species"]
    report = services.cross_border_table(principal, start, end, species=species)
    return render(request, "monitoring/cross_border_report.html", {"form": form, "report": report})
