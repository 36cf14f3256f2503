"""Staff pages. Same FilterSets, access rules and services as the API."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import can_edit, principal_for
from core.charts import Series, bar_chart, country_series, line_chart
from core.exports import FORMATS, table_export
from core.figures import Period, figure_table
from core.models import Country
from core.personal_data import may_see_personal_data
from core.views_base import PortalDetailView, PortalListView
from core.views_workflow import WorkflowDetailMixin

from . import figures, services
from .filters import (
    AlertFilterSet,
    IncidentTypeFilterSet,
)
from .forms import (
    KpiFilterForm,
    LegForm,
    LinkForm,
    PlanActivityForm,
    PlanTargetForm,
    WaypointForm,
)
from .models import ActionPlan, Alert, Incident, IncidentType, JointOperation, Patrol, PlanStatus, Waypoint

# --- vocabulary ---------------------------------------------------------------------------------


class IncidentTypeListView(PortalListView):
    model = IncidentType
    filterset_class = IncidentTypeFilterSet
    template_name = "antipoaching/incident_type_list.html"
    select_related_fields = ("species",)


# --- plans -------------------------------------------------------------------------------------


class PlanDetailView(WorkflowDetailMixin, PortalDetailView):
    model = ActionPlan
    template_name = "antipoaching/plan_detail.html"
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("participating_agencies", "protected_areas", "targets", "activities__agency")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, principal = self.object, self.principal
        evaluation = services.plan_evaluation(plan, principal)
        countries = evaluation["countries"]
        rows = [row for row in evaluation["rows"] if row["goal"]]
        if rows:
            # Percent of target, so that km and counts share one scale; 100 = target met.
            context["evaluation_chart"] = bar_chart(
                _("Achieved as a percentage of the target"),
                [str(row["target"].get_metric_display()) for row in rows],
                [
                    country_series(
                        c,
                        Country(c).label,
                        [round(row["by_country"].get(c, 0) / row["goal"] * 100, 1) for row in rows],
                    )
                    for c in countries
                ]
                + [Series(_("Total"), [row["percent"] or 0 for row in rows], "total")],
                unit="%",
            )
        done = {a.country for a in context["workflow"]["approvals"]} if context.get("workflow") else set()
        context.update(
            evaluation=evaluation,
            countries=[(c, Country(c).label) for c in countries],
            is_joint=services.is_joint(plan),
            required_countries=[(Country(c).label, c in done) for c in sorted(services.required_countries(plan))],
            target_form=PlanTargetForm(),
            activity_form=PlanActivityForm(principal=principal),
            operations=JointOperation.objects.visible_to(principal).filter(plan=plan),
            closed=plan.status in (PlanStatus.COMPLETED, PlanStatus.EVALUATED),
        )
        return context


def _editable_plan(request, pk):
    principal = principal_for(request)
    plan = get_object_or_404(ActionPlan.objects.visible_to(principal), pk=pk)
    if not can_edit(principal, plan):
        raise PermissionDenied(_("Only the owning agency may change this record."))
    return plan, principal


def _save_child(request, plan, principal, form):
    """Save a target or activity form of `plan`; a refused edit is a message, nothing is saved."""
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return
    try:
        with services.editing_plan(plan, principal):
            form.instance.plan = plan
            form.instance.full_clean()
            form.save()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))


@login_required
@require_POST
def plan_add_target(request, pk):
    plan, principal = _editable_plan(request, pk)
    _save_child(request, plan, principal, PlanTargetForm(request.POST))
    return redirect(plan.get_absolute_url())


@login_required
@require_POST
def plan_add_activity(request, pk):
    plan, principal = _editable_plan(request, pk)
    _save_child(request, plan, principal, PlanActivityForm(request.POST, principal=principal))
    return redirect(plan.get_absolute_url())


# --- joint operations ---------------------------------------------------------------------------


# --- patrols ----------------------------------------------------------------------------------


def _patrol_context(request, patrol, leg_form=None, waypoint_form=None):
    principal = principal_for(request)
    waypoints = Waypoint.objects.filter(patrol=patrol)
    precise = services.sees_track(principal, patrol.owner_agency_id)
    return {
        "object": patrol,
        "patrol": patrol,
        # A small protected area would place the line more finely than the grid.
        "protected_area": services.AreaRule(principal).shown(patrol.protected_area, precise),
        "can_edit": can_edit(principal, patrol),
        # First and last fixes: dates only for those who may not see the line (services.shown_leg_times).
        "legs": [_leg_row(principal, leg) for leg in patrol.legs.select_related("patrol__owner_agency")],
        "waypoints_geojson": services.waypoint_feature_collection(principal, waypoints),
        "tracks_geojson": services.track_feature_collection(principal, Patrol.objects.filter(pk=patrol.pk)),
        "waypoint_rows": _waypoint_rows(principal, waypoints),
        "incidents": Incident.objects.visible_to(principal).filter(patrol=patrol).select_related("incident_type"),
        "leg_form": leg_form or LegForm(),
        "waypoint_form": waypoint_form or WaypointForm(),
    }


def _leg_row(principal, leg):
    start, end, first, last, withheld = services.shown_leg_times(principal, leg)
    return {"leg": leg, "start": start or first, "end": end or last, "withheld": withheld}


def _waypoint_rows(principal, waypoints):
    precise_ids = principal.precise_owner_ids(Patrol)
    rows = []
    for wp in waypoints.select_related("patrol__owner_agency", "incident_type__species"):
        point = services.point_for(
            principal,
            wp.patrol.owner_agency_id,
            wp.latitude,
            wp.longitude,
            wp.incident_type.sensitivity_category,
            precise_ids,
        )
        # A generalized waypoint is given its date only (services.tracks.shown_time).
        rows.append({"waypoint": wp, "point": point, "time": services.shown_time(wp, point)})
    return rows


class PatrolDetailView(PortalDetailView):
    model = Patrol
    template_name = "antipoaching/patrol_detail.html"
    select_related_fields = ("owner_agency", "protected_area", "plan", "operation")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_patrol_context(self.request, self.object))
        return context


def _editable_patrol(request, pk):
    principal = principal_for(request)
    patrol = get_object_or_404(Patrol.objects.visible_to(principal), pk=pk)
    if not can_edit(principal, patrol):
        raise PermissionDenied(_("Only the patrol's agency may change it."))
    return patrol


@login_required
def patrol_add_leg(request, pk):
    patrol = _editable_patrol(request, pk)
    if request.method != "POST":
        return redirect(patrol.get_absolute_url())
    form = LegForm(request.POST, request.FILES, principal=principal_for(request))
    form.instance.patrol = patrol
    if form.is_valid():
        try:
            form.save()
        except ValidationError as exc:  # the GPX file refused as an attachment (type, size)
            form.add_error("gpx_file", exc)
        else:
            messages.success(request, _("Saved."))
            _gpx_messages(request, form)
            return redirect(patrol.get_absolute_url())
    return render(
        request, "antipoaching/patrol_detail.html", _patrol_context(request, patrol, leg_form=form), status=400
    )


def _gpx_messages(request, form):
    """Tell the ranger what the file became: how many legs, and what was left out and why."""
    reading = form.gpx_reading
    if reading is None:
        return
    if form.gpx_legs:
        count = len(form.gpx_legs) + 1
        messages.info(
            request,
            _(
                "The GPX file gave %(count)s legs: one per track, and a new one wherever the unit was off "
                "for more than %(hours)s hours."
            )
            % {"count": count, "hours": f"{services.gpx.leg_gap_hours():g}"},
        )
    if reading.routes_ignored:
        messages.info(
            request,
            _("The file's planned routes (%(count)s) were not counted: only the tracks walked are patrol effort.")
            % {"count": reading.routes_ignored},
        )


@login_required
def patrol_add_waypoint(request, pk):
    patrol = _editable_patrol(request, pk)
    if request.method != "POST":
        return redirect(patrol.get_absolute_url())
    form = WaypointForm(request.POST)
    form.instance.patrol = patrol
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(patrol.get_absolute_url())
    return render(
        request, "antipoaching/patrol_detail.html", _patrol_context(request, patrol, waypoint_form=form), status=400
    )


# --- incidents --------------------------------------------------------------------------------


class IncidentDetailView(PortalDetailView):
    model = Incident
    template_name = "antipoaching/incident_detail.html"
    select_related_fields = ("owner_agency", "incident_type__species", "species", "protected_area", "patrol")
    prefetch_related_fields = ("agencies_involved", "shared_with")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incident, principal = self.object, self.principal
        precise_ids = principal.precise_owner_ids(Incident)
        precise = incident.sensitivity_category == 0 or precise_ids is None or incident.owner_agency_id in precise_ids
        context.update(
            point=services.incident_point(principal, incident, precise_ids),
            protected_area=services.AreaRule(principal).shown(incident.protected_area, precise),
            show_suspects=may_see_personal_data(principal, incident),
            linked=services.linked_incidents(incident, principal),
            link_form=LinkForm(principal=self.principal),
            incident_geojson=services.incident_feature_collection(principal, Incident.objects.filter(pk=incident.pk)),
        )
        return context


@login_required
@require_POST
def incident_link(request, pk):
    principal = principal_for(request)
    incident = get_object_or_404(Incident.objects.visible_to(principal), pk=pk)
    form = LinkForm(request.POST, principal=principal)
    if form.is_valid():
        try:
            services.link_incidents(principal, incident, form.cleaned_data["other"], form.cleaned_data["note"])
            messages.success(request, _("The cases are linked."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(incident.get_absolute_url())


# --- alerts -----------------------------------------------------------------------------------


class AlertListView(PortalListView):
    model = Alert
    filterset_class = AlertFilterSet
    template_name = "antipoaching/alert_list.html"
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("receipts__agency",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending_ids"] = set(services.unacknowledged_urgent_alerts(self.principal).values_list("pk", flat=True))
        return context


class AlertDetailView(PortalDetailView):
    model = Alert
    template_name = "antipoaching/alert_detail.html"
    select_related_fields = ("owner_agency", "incident")
    prefetch_related_fields = ("receipts__agency", "receipts__opened_by", "receipts__acknowledged_by")

    def get_object(self, queryset=None):
        alert = super().get_object(queryset)
        services.mark_opened(alert, self.principal)
        return alert

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        receipts = list(self.object.receipts.select_related("agency", "opened_by", "acknowledged_by"))
        mine = next((r for r in receipts if r.agency_id == self.principal.agency_id), None)
        context.update(
            receipts=receipts,
            my_receipt=mine,
            pending=self.object.is_urgent and any(r.acknowledged_at is None for r in receipts),
        )
        return context


@login_required
@require_POST
def alert_acknowledge(request, pk):
    principal = principal_for(request)
    alert = get_object_or_404(Alert.objects.visible_to(principal), pk=pk)
    try:
        services.acknowledge_alert(alert, principal)
        messages.success(request, _("Receipt acknowledged."))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect(alert.get_absolute_url())


# --- map and KPIs -----------------------------------------------------------------------------


@login_required
def map_view(request):
    principal = principal_for(request)
    form = KpiFilterForm(request.GET or None, principal=principal)
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    patrols = Patrol.objects.visible_to(principal)
    incidents = Incident.objects.visible_to(principal)
    if start:
        patrols, incidents = patrols.filter(start__date__gte=start), incidents.filter(occurred_on__gte=start)
    if end:
        patrols, incidents = patrols.filter(start__date__lte=end), incidents.filter(occurred_on__lte=end)
    from reserves.services import protected_areas_geojson

    return render(
        request,
        "antipoaching/map.html",
        {
            "form": form,
            "areas_geojson": protected_areas_geojson(principal),
            "tracks_geojson": services.track_feature_collection(principal, patrols.values("pk")),
            "incidents_geojson": services.incident_feature_collection(principal, incidents),
            "waypoints_geojson": services.waypoint_feature_collection(
                principal, Waypoint.objects.filter(patrol__in=patrols.values("pk"))
            ),
        },
    )


@login_required
def kpi_view(request):
    """The KPI page: the registered figures (antipoaching.kpis, .encounter_rates) for the period."""
    principal = principal_for(request)
    form = KpiFilterForm(request.GET or None, principal=principal)
    params = {}
    if form.is_bound and form.is_valid():
        params = {k: v for k, v in form.cleaned_data.items() if v}
    elif not form.is_bound:
        today = datetime.date.today()
        params = {"start": today.replace(month=1, day=1), "end": today}
        form = KpiFilterForm(initial=params, principal=principal)
    period = Period.between(params.get("start"), params.get("end"))
    area = params.get("area")

    def table(key, group):
        # A chosen protected area is one more grouping whose other rows are dropped.
        result = figure_table(key, principal, period, (*group, "area") if area else group)
        if area:
            result.rows = [row for row in result.rows if row.get("area") == area.pk]
        return result

    export = request.GET.get("export")
    if export in FORMATS:
        group = ("agency",) if request.GET.get("group") == "agency" else ("country",)
        return table_export(table(figures.KPIS, group), export, label="kpis")
    sides = table(figures.KPIS, ("country",))
    trend = table(figures.KPIS, ("country", "month"))
    rates = table(figures.ENCOUNTER_RATES, ("country",))
    measures = [(field, label) for _key, field, label, _unit in figures.MEASURES]
    type_rows = {}
    for row in rates.rows:
        entry = type_rows.setdefault(
            row.get("type_code"), {"name": row.get("incident_type"), "code": row.get("type_code")}
        )
        entry[row.get("country")] = row.values
    cn, ru = Country.CHINA, Country.RUSSIA

    def side(field, code):
        return figures.kpi_value(sides, field, country=code)

    def monthly(field):
        months, by_country = trend.series("month", "country", value_key=field)
        return months, [country_series(c, Country(c).label, by_country.get(c, [0] * len(months))) for c in (cn, ru)]

    km_months, km_series = monthly("distance_km")
    removed_months, removed_series = monthly("removed")
    context = {
        "form": form,
        "rows": [{"label": label, "cn": side(field, cn), "ru": side(field, ru)} for field, label in measures],
        "type_rows": list(type_rows.values()),
        "summary_chart": bar_chart(
            _("China and Russia side by side"),
            [label for _f, label in measures[:6]],
            [country_series(c, Country(c).label, [side(f, c) for f, _l in measures[:6]]) for c in (cn, ru)],
        ),
        "km_chart": line_chart(_("Patrol km per month"), km_months, km_series) if km_months else None,
        "removed_chart": bar_chart(_("Snares and traps removed per month"), removed_months, removed_series)
        if removed_months
        else None,
        "querystring": request.GET.urlencode(),
        "drill_base": reverse("antipoaching:incident-list"),
        "params": params,
    }
    return render(request, "antipoaching/kpis.html", context)
