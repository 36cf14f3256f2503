"""Staff pages: agreements, the calendar of exchanges, rounds with their submissions, compliance."""

import datetime
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.access import principal_for
from core.models import Agency
from core.views_base import (
    PortalCreateView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
    PrincipalViewMixin,
)

from . import services
from .filters import ExchangeAgreementFilterSet, ExchangeRoundFilterSet
from .forms import ExchangeAgreementForm, ManualSubmissionForm
from .models import ExchangeAgreement, ExchangeRound, RoundStatus


class AgreementListView(PortalListView):
    model = ExchangeAgreement
    filterset_class = ExchangeAgreementFilterSet
    template_name = "policy/agreement_list.html"
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("parties",)


class AgreementDetailView(PortalDetailView):
    model = ExchangeAgreement
    template_name = "policy/agreement_detail.html"
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("parties",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rounds = self.object.rounds.select_related("agency").order_by("-period_start", "agency__code")
        context["rounds"] = [(r, r.status_at()) for r in rounds[:200]]
        return context


class _AgreementFormMixin:
    model = ExchangeAgreement
    form_class = ExchangeAgreementForm
    template_name = "core/record_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        services.generate_rounds(self.object)
        return response


class AgreementCreateView(_AgreementFormMixin, PortalCreateView):
    pass


class AgreementUpdateView(_AgreementFormMixin, PortalUpdateView):
    pass


def _selected_agency(request, principal):
    """The agency a page is about: ?agency=CODE for the secretariat, else the user's own."""
    code = request.GET.get("agency")
    if code and (principal.is_secretariat or principal.is_superuser):
        return Agency.objects.filter(code=code).first()
    if principal.is_secretariat or principal.is_superuser:
        return None  # every agency
    return principal.agency


class CalendarView(PrincipalViewMixin, TemplateView):
    """Upcoming and overdue exchanges per agency."""

    template_name = "policy/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        principal = self.principal
        now = timezone.now()
        agency = _selected_agency(self.request, principal)
        rounds = services.rounds_visible_to(principal).select_related("agency", "agreement")
        if agency is not None:
            rounds = rounds.filter(agency=agency)
        elif not (principal.is_secretariat or principal.is_superuser):
            rounds = rounds.none()
        overdue = list(rounds.filter(services.round_status_q(RoundStatus.MISSING, now)).order_by("due_at"))
        horizon = now + datetime.timedelta(days=120)
        upcoming = list(
            rounds.filter(fulfilled_at__isnull=True, due_at__gt=now, due_at__lte=horizon).order_by("due_at")
        )
        recent = list(rounds.filter(fulfilled_at__isnull=False).order_by("-fulfilled_at")[:10])
        context.update(
            {
                "agency": agency,
                "agencies": Agency.objects.filter(exchange_rounds__isnull=False).distinct().order_by("code")
                if (principal.is_secretariat or principal.is_superuser)
                else [],
                "overdue": [(r, (now - r.due_at).days) for r in overdue],
                "months": [
                    (datetime.date(y, m, 1), list(items))
                    for (y, m), items in groupby(upcoming, key=lambda r: (r.due_date.year, r.due_date.month))
                ],
                "recent": [(r, r.status_at(now)) for r in recent],
                "now": now,
            }
        )
        return context


class RoundListView(PortalListView):
    model = ExchangeRound
    filterset_class = ExchangeRoundFilterSet
    template_name = "policy/round_list.html"

    def base_queryset(self):
        return (
            services.rounds_visible_to(self.principal)
            .select_related("agency", "agreement")
            .order_by("-due_at", "agency__code")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["rows"] = [(r, r.status_at(now)) for r in context["object_list"]]
        return context


class RoundDetailView(PrincipalViewMixin, TemplateView):
    template_name = "policy/round_detail.html"

    def get_round(self):
        return get_object_or_404(
            services.rounds_visible_to(self.principal).select_related("agency", "agreement"), pk=self.kwargs["pk"]
        )

    def can_submit(self, round_):
        principal = self.principal
        return principal.is_superuser or (principal.can_write and principal.agency_id == round_.agency_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_ = kwargs.get("round_") or self.get_round()
        context.update(
            {
                "round": round_,
                "status": round_.status_at(),
                "submissions": round_.submissions.visible_to(self.principal).order_by("submitted_at"),
                "can_submit": self.can_submit(round_),
                "form": kwargs.get("form") or ManualSubmissionForm(round_=round_),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        round_ = self.get_round()
        if not self.can_submit(round_):
            raise PermissionDenied(_("Only the obliged agency submits for a round."))
        form = ManualSubmissionForm(request.POST, request.FILES, round_=round_)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(round_=round_, form=form))
        services.submit_manually(
            round_,
            by_agency=round_.agency,
            user=request.user,
            note=form.cleaned_data["note"],
            attachment=form.cleaned_data.get("attachment"),
            dataset=form.cleaned_data.get("dataset") or "",
        )
        messages.success(request, _("Submission recorded."))
        return redirect(round_.get_absolute_url())


class ComplianceView(PrincipalViewMixin, TemplateView):
    """On time, late and missing per agency and period, with a chart drawn as inline SVG."""

    template_name = "policy/compliance.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        principal = principal_for(self.request)
        rounds = services.rounds_visible_to(principal)
        self.filterset = ExchangeRoundFilterSet(self.request.GET or None, queryset=rounds, request=self.request)
        if self.filterset.is_bound and self.filterset.is_valid():
            rounds = self.filterset.qs
        table = services.compliance(rounds)
        bars = services.chart_bars(table["rows"])
        context.update(
            {
                "filter": self.filterset,
                "table": table,
                "bars": bars,
                "chart_height": max(len(bars), 1) * 28 + 8,
                "statuses": list(RoundStatus),
            }
        )
        return context
