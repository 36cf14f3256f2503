"""The individual catalogue, match proposals and the cross-border report."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.access import principal_for
from core.forms import style_form
from core.views_base import PortalCreateView, PortalDetailView, PortalUpdateView

from .. import filters, services
from ..forms import PeriodForm
from ..models import (
    CatalogueEvent,
    Individual,
    MatchProposal,
    Observation,
)
from .base import TableListView, post_decision

# --- individual catalogue -------------------------------------------------------------------------

INDIVIDUAL_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "species",
    "catalogue_code",
    "name",
    "sex",
    "first_detected",
    "notes",
]


class IndividualListView(TableListView):
    model = Individual
    filterset_class = filters.IndividualFilterSet
    title = gettext_lazy("Individual catalogue")
    create_url_name = "monitoring:individual-create"
    select_related_fields = ("owner_agency", "species")
    prefetch_related_fields = ("aliases__agency",)
    columns = (
        (gettext_lazy("Code"), lambda o: o.catalogue_code),
        (gettext_lazy("Species"), lambda o: o.species.common_name),
        (gettext_lazy("Sex"), lambda o: o.get_sex_display()),
        (gettext_lazy("First detected"), lambda o: o.first_detected or "—"),
        (gettext_lazy("Agency IDs"), lambda o: ", ".join(f"{a.agency.code}: {a.local_id}" for a in o.aliases.all())),
        (gettext_lazy("Status"), lambda o: o.get_status_display()),
    )


class IndividualDetailView(PortalDetailView):
    model = Individual
    template_name = "monitoring/individual_detail.html"
    select_related_fields = ("species", "owner_agency", "merged_into")
    prefetch_related_fields = ("aliases__agency",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        detections = (
            Observation.objects.visible_to(self.principal)
            .filter(individual=self.object)
            .select_related("deployment", "deployment__owner_agency", "owner_agency")
            .order_by("event_start")
        )
        owners = services.precise_owner_ids(self.principal)
        sides = {"CN": [], "RU": [], "INT": []}
        for observation in detections[:2000]:
            point = services.deployment_location(self.principal, observation.deployment, owners)
            sides.setdefault(observation.deployment.owner_agency.country, []).append((observation, point))
        context["china"], context["russia"] = sides["CN"], sides["RU"]
        context["chart"] = services.svg_bar_chart(services.detections_by_month(detections), _("Detections per month"))
        context["history"] = (
            (CatalogueEvent.objects.filter(source=self.object) | CatalogueEvent.objects.filter(target=self.object))
            .select_related("source", "target", "actor")
            .order_by("created_at")
        )
        context["candidates"] = (
            Individual.objects.visible_to(self.principal)
            .filter(species=self.object.species, status="active")
            .exclude(pk=self.object.pk)
        )
        context["can_propose"] = self.principal.can_write
        return context


class IndividualCreateView(PortalCreateView):
    model = Individual
    fields = INDIVIDUAL_FIELDS
    template_name = "core/record_form.html"


class IndividualUpdateView(PortalUpdateView):
    model = Individual
    fields = INDIVIDUAL_FIELDS
    template_name = "core/record_form.html"


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


class MatchListView(TableListView):
    model = MatchProposal
    filterset_class = filters.MatchProposalFilterSet
    title = gettext_lazy("Match proposals")
    select_related_fields = ("individual", "other", "owner_agency")
    columns = (
        (gettext_lazy("Our individual"), lambda o: o.individual),
        (gettext_lazy("Their individual"), lambda o: o.other),
        (gettext_lazy("Proposed by"), lambda o: o.owner_agency.code),
        (gettext_lazy("Status"), lambda o: o.get_status_display()),
    )


class MatchDetailView(PortalDetailView):
    model = MatchProposal
    template_name = "monitoring/match_detail.html"
    select_related_fields = ("individual", "other", "owner_agency", "reviewed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_review"] = self.object.status == "proposed" and services.can_review_match(
            self.principal, self.object
        )
        return context


@login_required
@require_POST
def review_match(request, pk):
    principal = principal_for(request)
    proposal = get_object_or_404(MatchProposal.objects.visible_to(principal), pk=pk)
    confirm = request.POST.get("decision") == "confirm"
    return post_decision(request, proposal, lambda note: services.review_match(principal, proposal, confirm, note))


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
