"""Staff pages. Same FilterSets, access rules and services as the API."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import can_edit, principal_for
from core.models import Country
from core.views_base import PortalCreateView, PortalDetailView, PortalListView, PortalUpdateView

from . import charts, exports, services
from .filters import (
    ActionPlanFilterSet,
    AlertFilterSet,
    IncidentFilterSet,
    IncidentTypeFilterSet,
    JointOperationFilterSet,
    PatrolFilterSet,
)
from .forms import (
    AlertForm,
    IncidentForm,
    KpiFilterForm,
    LegForm,
    LinkForm,
    OperationForm,
    PatrolForm,
    PlanActivityForm,
    PlanForm,
    PlanTargetForm,
    TransitionForm,
    WaypointForm,
)
from .models import ActionPlan, Alert, Incident, IncidentType, JointOperation, Patrol, Waypoint

# --- vocabulary ---------------------------------------------------------------------------------


class IncidentTypeListView(PortalListView):
    model = IncidentType
    filterset_class = IncidentTypeFilterSet
    template_name = "antipoaching/incident_type_list.html"
    select_related_fields = ("species",)


# --- plans -------------------------------------------------------------------------------------


class PlanListView(PortalListView):
    model = ActionPlan
    filterset_class = ActionPlanFilterSet
    template_name = "antipoaching/plan_list.html"
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("participating_agencies",)


class PlanDetailView(PortalDetailView):
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
            context["evaluation_chart"] = charts.bar_chart(
                _("Achieved as a percentage of the target"),
                [str(row["target"].get_metric_display()) for row in rows],
                [
                    (
                        str(Country(c).label),
                        charts.COLORS.get(c, "#198754"),
                        [round(row["by_country"].get(c, 0) / row["goal"] * 100, 1) for row in rows],
                    )
                    for c in countries
                ]
                + [(_("Total"), "#6c757d", [row["percent"] or 0 for row in rows])],
                unit="%",
            )
        context.update(
            evaluation=evaluation,
            countries=[(c, Country(c).label) for c in countries],
            transitions=plan.transitions.select_related("user", "agency"),
            is_joint=services.is_joint(plan),
            required_countries=[
                (Country(c).label, c in services.approved_countries(plan))
                for c in sorted(services.required_countries(plan))
            ],
            steps=[(name, services.TRANSITIONS[name][1]) for name in services.available_transitions(plan, principal)],
            transition_form=TransitionForm(),
            target_form=PlanTargetForm(),
            activity_form=PlanActivityForm(),
            operations=JointOperation.objects.visible_to(principal).filter(plan=plan),
        )
        return context


class PlanCreateView(PortalCreateView):
    model = ActionPlan
    form_class = PlanForm
    template_name = "core/record_form.html"


class PlanUpdateView(PortalUpdateView):
    model = ActionPlan
    form_class = PlanForm
    template_name = "core/record_form.html"


@login_required
@require_POST
def plan_transition(request, pk, step):
    principal = principal_for(request)
    plan = get_object_or_404(ActionPlan.objects.visible_to(principal), pk=pk)
    if step not in services.TRANSITIONS:
        raise PermissionDenied
    form = TransitionForm(request.POST)
    form.is_valid()
    kwargs = {"note": form.cleaned_data.get("note", "")}
    if step == "evaluate":
        kwargs["evaluation"] = {
            code: form.cleaned_data.get(f"evaluation_{code.replace('-', '_')}", "") for code in ("en", "zh-hans", "ru")
        }
    try:
        services.TRANSITIONS[step][0](plan, principal, **kwargs)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": services.TRANSITIONS[step][1]})
    return redirect(plan.get_absolute_url())


def _editable_plan(request, pk):
    principal = principal_for(request)
    plan = get_object_or_404(ActionPlan.objects.visible_to(principal), pk=pk)
    if not can_edit(principal, plan):
        raise PermissionDenied(_("Only the owning agency may change this record."))
    return plan


@login_required
@require_POST
def plan_add_target(request, pk):
    plan = _editable_plan(request, pk)
    form = PlanTargetForm(request.POST)
    if form.is_valid():
        form.instance.plan = plan
        try:
            form.save()
            messages.success(request, _("Saved."))
        except Exception:  # the unique constraint: one target per measure and period
            messages.error(request, _("This plan already has a target for this measure."))
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect(plan.get_absolute_url())


@login_required
@require_POST
def plan_add_activity(request, pk):
    plan = _editable_plan(request, pk)
    form = PlanActivityForm(request.POST, principal=principal_for(request))
    if form.is_valid():
        form.instance.plan = plan
        form.save()
        messages.success(request, _("Saved."))
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect(plan.get_absolute_url())


# --- joint operations ---------------------------------------------------------------------------


class OperationListView(PortalListView):
    model = JointOperation
    filterset_class = JointOperationFilterSet
    template_name = "antipoaching/operation_list.html"
    select_related_fields = ("owner_agency", "plan")
    prefetch_related_fields = ("agencies",)


class OperationDetailView(PortalDetailView):
    model = JointOperation
    template_name = "antipoaching/operation_detail.html"
    select_related_fields = ("owner_agency", "plan")
    prefetch_related_fields = ("agencies",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["patrols"] = Patrol.objects.visible_to(self.principal).filter(operation=self.object)
        return context


class OperationCreateView(PortalCreateView):
    model = JointOperation
    form_class = OperationForm
    template_name = "core/record_form.html"


class OperationUpdateView(PortalUpdateView):
    model = JointOperation
    form_class = OperationForm
    template_name = "core/record_form.html"


# --- patrols ----------------------------------------------------------------------------------


class PatrolListView(PortalListView):
    model = Patrol
    filterset_class = PatrolFilterSet
    template_name = "antipoaching/patrol_list.html"
    select_related_fields = ("owner_agency", "protected_area")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") in ("csv", "xlsx"):
            headers, rows = exports.patrol_rows(self.principal, self.get_queryset())
            return exports.respond(headers, rows, "patrols", request.GET["export"])
        return super().get(request, *args, **kwargs)


def _patrol_context(request, patrol, leg_form=None, waypoint_form=None):
    principal = principal_for(request)
    waypoints = Waypoint.objects.filter(patrol=patrol)
    return {
        "object": patrol,
        "patrol": patrol,
        "can_edit": can_edit(principal, patrol),
        "legs": patrol.legs.all(),
        "waypoints_geojson": services.waypoint_feature_collection(principal, waypoints),
        "tracks_geojson": services.track_feature_collection(principal, Patrol.objects.filter(pk=patrol.pk)),
        "waypoint_rows": _waypoint_rows(principal, waypoints),
        "incidents": Incident.objects.visible_to(principal).filter(patrol=patrol).select_related("incident_type"),
        "leg_form": leg_form or LegForm(),
        "waypoint_form": waypoint_form or WaypointForm(),
    }


def _waypoint_rows(principal, waypoints):
    precise_ids = principal.precise_owner_ids(Patrol)
    rows = []
    for wp in waypoints.select_related("patrol", "incident_type__species"):
        point = services.point_for(
            principal,
            wp.patrol.owner_agency_id,
            wp.latitude,
            wp.longitude,
            wp.incident_type.sensitivity_category,
            precise_ids,
        )
        rows.append({"waypoint": wp, "point": point})
    return rows


class PatrolDetailView(PortalDetailView):
    model = Patrol
    template_name = "antipoaching/patrol_detail.html"
    select_related_fields = ("owner_agency", "protected_area", "plan", "operation")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_patrol_context(self.request, self.object))
        return context


class PatrolCreateView(PortalCreateView):
    model = Patrol
    form_class = PatrolForm
    template_name = "core/record_form.html"


class PatrolUpdateView(PortalUpdateView):
    model = Patrol
    form_class = PatrolForm
    template_name = "core/record_form.html"


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
    form = LegForm(request.POST, request.FILES)
    form.instance.patrol = patrol
    if form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Saved."))
        return redirect(patrol.get_absolute_url())
    return render(
        request, "antipoaching/patrol_detail.html", _patrol_context(request, patrol, leg_form=form), status=400
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


class IncidentListView(PortalListView):
    model = Incident
    filterset_class = IncidentFilterSet
    template_name = "antipoaching/incident_list.html"
    select_related_fields = ("owner_agency", "incident_type", "species")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") in ("csv", "xlsx"):
            headers, rows = exports.incident_rows(self.principal, self.get_queryset())
            return exports.respond(headers, rows, "incidents", request.GET["export"])
        return super().get(request, *args, **kwargs)


class IncidentDetailView(PortalDetailView):
    model = Incident
    template_name = "antipoaching/incident_detail.html"
    select_related_fields = ("owner_agency", "incident_type__species", "species", "protected_area", "patrol")
    prefetch_related_fields = ("agencies_involved", "shared_with")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incident, principal = self.object, self.principal
        precise_ids = principal.precise_owner_ids(Incident)
        context.update(
            point=services.point_for(
                principal,
                incident.owner_agency_id,
                incident.latitude,
                incident.longitude,
                incident.sensitivity_category,
                precise_ids,
            ),
            show_suspects=services.can_see_suspects(principal, incident),
            linked=services.linked_incidents(incident, principal),
            link_form=LinkForm(),
            incident_geojson=services.incident_feature_collection(principal, Incident.objects.filter(pk=incident.pk)),
        )
        return context


class IncidentCreateView(PortalCreateView):
    model = Incident
    form_class = IncidentForm
    template_name = "core/record_form.html"


class IncidentUpdateView(PortalUpdateView):
    model = Incident
    form_class = IncidentForm
    template_name = "core/record_form.html"


@login_required
@require_POST
def incident_link(request, pk):
    principal = principal_for(request)
    incident = get_object_or_404(Incident.objects.visible_to(principal), pk=pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        other = Incident.objects.visible_to(principal).filter(pk=form.cleaned_data["other"]).first()
        if other is None:
            messages.error(request, _("No case with this id that you can see."))
        else:
            try:
                services.link_incidents(principal, incident, other, form.cleaned_data["note"])
                messages.success(request, _("The cases are linked."))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _("Give the id of the related case."))
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


class AlertCreateView(PortalCreateView):
    model = Alert
    form_class = AlertForm
    template_name = "core/record_form.html"


class AlertUpdateView(PortalUpdateView):
    model = Alert
    form_class = AlertForm
    template_name = "core/record_form.html"


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
    principal = principal_for(request)
    form = KpiFilterForm(request.GET or None, principal=principal)
    params = {}
    if form.is_bound and form.is_valid():
        params = {k: v for k, v in form.cleaned_data.items() if v}
    elif not form.is_bound:
        today = datetime.date.today()
        params = {"start": today.replace(month=1, day=1), "end": today}
        form = KpiFilterForm(initial=params, principal=principal)
    kwargs = {
        "start": params.get("start"),
        "end": params.get("end"),
        "areas": [params["area"]] if params.get("area") else None,
    }
    export = request.GET.get("export")
    group = ("agency",) if request.GET.get("group") == "agency" else ("country",)
    table = services.compute_kpis(principal, group=group, **kwargs)
    if export in ("csv", "xlsx"):
        return exports.respond(table.headers(), list(table.flat_rows()), "kpis", export)
    if group != ("country",):
        table = services.compute_kpis(principal, group=("country",), **kwargs)
    sides = services.country_side_by_side(table)
    trend = services.compute_kpis(principal, group=("country", "month"), **kwargs)
    cn, ru = sides[Country.CHINA], sides[Country.RUSSIA]
    measures = [
        ("patrols", _("Patrols")),
        ("distance_km", _("Patrol km")),
        ("patrol_days", _("Patrol days")),
        ("person_days", _("Person-days")),
        ("removed", _("Snares and traps removed")),
        ("incidents", _("Incidents")),
        ("arrests", _("Arrests")),
        ("seizures", _("Seizures")),
    ]
    type_rows = []
    for t in table.used_types():
        type_rows.append(
            {
                "type": t,
                "cn": cn["rates"].get(t.pk, {}),
                "ru": ru["rates"].get(t.pk, {}),
                "cn_incidents": cn["incidents_by_type"].get(t.pk, 0),
                "ru_incidents": ru["incidents_by_type"].get(t.pk, 0),
            }
        )
    months = sorted({row["key"]["month"] for row in trend.rows if row["key"]["month"]})
    by = {(row["key"]["country"], row["key"]["month"]): row for row in trend.rows}
    cn_label, ru_label = str(Country.CHINA.label), str(Country.RUSSIA.label)
    chart_series = lambda field: [  # noqa: E731
        (cn_label, charts.COLORS["CN"], [float(by.get(("CN", m), {}).get(field, 0) or 0) for m in months]),
        (ru_label, charts.COLORS["RU"], [float(by.get(("RU", m), {}).get(field, 0) or 0) for m in months]),
    ]
    month_labels = [m.strftime("%Y-%m") for m in months]
    context = {
        "form": form,
        "rows": [{"label": label, "cn": cn.get(field, 0), "ru": ru.get(field, 0)} for field, label in measures],
        "type_rows": type_rows,
        "summary_chart": charts.bar_chart(
            _("China and Russia side by side"),
            [str(label) for _f, label in measures[:6]],
            [
                (cn_label, charts.COLORS["CN"], [float(cn.get(f, 0) or 0) for f, _l in measures[:6]]),
                (ru_label, charts.COLORS["RU"], [float(ru.get(f, 0) or 0) for f, _l in measures[:6]]),
            ],
        ),
        "km_chart": charts.bar_chart(_("Patrol km per month"), month_labels, chart_series("distance_km"))
        if months
        else None,
        "removed_chart": charts.bar_chart(
            _("Snares and traps removed per month"), month_labels, chart_series("removed")
        )
        if months
        else None,
        "querystring": request.GET.urlencode(),
        "drill_base": reverse("antipoaching:incident-list"),
        "params": params,
    }
    return render(request, "antipoaching/kpis.html", context)
