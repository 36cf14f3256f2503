"""Staff pages: agreements, the calendar of exchanges, rounds with their submissions, compliance."""

import datetime
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.charts import Series, bar_chart
from core.documents import with_files
from core.figures import Period, figure_table
from core.models import Agency
from core.views_base import PrincipalViewMixin

from . import services
from .figures import COMPLIANCE
from .forms import ComplianceFilterForm, ManualSubmissionForm
from .models import ATTACHMENT_ROLE, RoundStatus

DUE = (RoundStatus.ON_TIME, RoundStatus.LATE, RoundStatus.MISSING)


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


class RoundDetailView(PrincipalViewMixin, TemplateView):
    template_name = "policy/round_detail.html"

    def get_round(self):
        return get_object_or_404(
            services.rounds_visible_to(self.principal).select_related("agency", "agreement"), pk=self.kwargs["pk"]
        )

    def can_submit(self, round_):
        principal = self.principal
        return principal.is_superuser or (principal.can_write and principal.agency_id == round_.agency_id)

    def submissions(self, round_):
        return with_files(round_.submissions.visible_to(self.principal).order_by("submitted_at"), ATTACHMENT_ROLE)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_ = kwargs.get("round_") or self.get_round()
        context.update(
            {
                "round": round_,
                "status": round_.status_at(),
                "submissions": self.submissions(round_),
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
        try:
            services.submit_manually(
                round_,
                by_agency=round_.agency,
                user=request.user,
                note=form.cleaned_data["note"],
                files=form.cleaned_data.get("attachments") or (),
                dataset=form.cleaned_data.get("dataset") or "",
                principal=self.principal,
            )
        except ValidationError as error:
            form.add_model_errors(error)
            return self.render_to_response(self.get_context_data(round_=round_, form=form))
        messages.success(request, _("Submission recorded."))
        return redirect(round_.get_absolute_url())


class ComplianceView(PrincipalViewMixin, TemplateView):
    """On time, late and missing per agency and period: the figure policy.compliance, drawn by core.charts."""

    template_name = "policy/compliance.html"

    def get(self, request, *args, **kwargs):
        form = ComplianceFilterForm(request.GET or None)
        period = form.period() if form.is_bound and form.is_valid() else Period.all_time()
        if period is None or (form.is_bound and not form.is_valid()):
            return self.render_to_response(self.get_context_data(filter_form=form, invalid=True), status=400)
        wanted = {key: form.cleaned_data.get(key) for key in ("country", "agency")} if form.is_bound else {}
        return self.render_to_response(self.get_context_data(filter_form=form, period=period, wanted=wanted))

    def get_context_data(self, filter_form=None, period=None, wanted=None, invalid=False, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = filter_form
        if invalid:
            context.update({"totals": None, "grid": None, "chart": None})
            return context
        wanted = {k: v for k, v in (wanted or {}).items() if v}

        def keep(row):
            return all(str(row.get(key, "")).upper() == str(value).upper() for key, value in wanted.items())

        totals = figure_table(COMPLIANCE, self.principal, period, ("country", "agency"))
        totals.rows = [row for row in totals.rows if keep(row)]
        cells = figure_table(COMPLIANCE, self.principal, period, ("country", "agency", "period"))
        cells.rows = [row for row in cells.rows if keep(row)]
        periods = sorted({(row["period"], row["period_label"]) for row in cells.rows})
        grid = [
            {
                "total": total,
                "cells": [cells.row(agency=total["agency"], period=start) for start, _label in periods],
            }
            for total in totals.rows
        ]
        agencies = [row["agency"] for row in totals.rows]
        chart = bar_chart(
            _("Share of due rounds per agency"),
            agencies,
            [Series(status.label, [row[status.value] for row in totals.rows], status.value) for status in DUE],
            horizontal=True,
            percent=True,
            chart_id="compliance-chart",
            empty_text=_("No rounds are due yet."),
        )
        context.update(
            {
                "totals": totals,
                "grid": grid,
                "periods": [label for _start, label in periods],
                "chart": chart if any(row["due"] for row in totals.rows) else None,
                "statuses": DUE,
            }
        )
        return context
