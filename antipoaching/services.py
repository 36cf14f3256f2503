"""Business rules of the anti-poaching app: effort, GPX, plan workflow, incidents, alerts, KPIs.

Called by the API, the staff pages, the admin actions and the tasks alike.
"""

import datetime
import xml.etree.ElementTree as ET
import zoneinfo
from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry import shape

from core.access import can_edit
from core.geo import generalize_point, geodesic_length_km, validate_geojson
from core.models import Country, Sensitivity

from .models import (
    URGENT_LEVELS,
    ActionPlan,
    Alert,
    AlertReceipt,
    Incident,
    IncidentLink,
    IncidentType,
    JointOperation,
    Patrol,
    PlanStatus,
    PlanTransition,
    TargetMetric,
    TargetPeriod,
    Waypoint,
)

# --- patrol effort ---------------------------------------------------------------------------


def _km(value):
    return Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def leg_distance_km(track):
    """Geodesic length of a GeoJSON LineString on the WGS84 ellipsoid, in km."""
    if not track:
        return Decimal("0.000")
    geometry = validate_geojson(track, ("LineString",))
    return _km(geodesic_length_km(geometry))


def team_names(patrol):
    names = [patrol.leader] + [m for m in (patrol.members or []) if isinstance(m, str)]
    return {n.strip().casefold() for n in names if n and n.strip()}


def patrol_days_between(start, end, tz_name="UTC"):
    """Calendar days a patrol covered, in the agency's time zone (SMART: a day with patrolling)."""
    if not start or not end or end < start:
        return 0
    tz = zoneinfo.ZoneInfo(tz_name)
    return (end.astimezone(tz).date() - start.astimezone(tz).date()).days + 1


def apply_patrol_effort(patrol):
    """Fill the derived effort fields of `patrol` (not saved here)."""
    patrol.team_size = max(len(team_names(patrol)), 1)
    tz_name = patrol.owner_agency.effective_timezone if patrol.owner_agency_id else "UTC"
    legs = list(patrol.legs.all().only("start", "end", "distance_km")) if not patrol._state.adding else []
    if legs:
        patrol.distance_km = _km(sum((leg.distance_km for leg in legs), Decimal(0)))
        hours = sum(max((leg.end - leg.start).total_seconds(), 0) for leg in legs) / 3600
        days = set()
        tz = zoneinfo.ZoneInfo(tz_name)
        for leg in legs:
            day = leg.start.astimezone(tz).date()
            while day <= leg.end.astimezone(tz).date():
                days.add(day)
                day += datetime.timedelta(days=1)
        patrol.patrol_days = len(days)
    else:
        patrol.distance_km = Decimal("0.000")
        hours = max((patrol.end - patrol.start).total_seconds(), 0) / 3600 if patrol.start and patrol.end else 0
        patrol.patrol_days = patrol_days_between(patrol.start, patrol.end, tz_name)
    patrol.hours = Decimal(str(hours)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    patrol.person_days = patrol.patrol_days * patrol.team_size


def recompute_effort(patrol):
    """After a leg changed: recompute the patrol's totals and save them."""
    patrol = Patrol.objects.get(pk=patrol.pk)
    patrol.save()
    return patrol


# --- GPX -------------------------------------------------------------------------------------

_GPX_POINTS = ("trkpt", "rtept")


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def parse_gpx(data):
    """Read a GPX file (bytes or file) into a GeoJSON LineString plus the first and last time.

    Uses the standard library only; namespaces of GPX 1.0 and 1.1 are both accepted.
    """
    if hasattr(data, "read"):
        data = data.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValidationError(_("The GPX file could not be read: %(error)s") % {"error": exc}, code="gpx") from exc
    if _local(root.tag) != "gpx":
        raise ValidationError(_("This is not a GPX file (the root element is not <gpx>)."), code="gpx")
    coordinates, times = [], []
    for element in root.iter():
        if _local(element.tag) not in _GPX_POINTS:
            continue
        try:
            lat = float(element.attrib["lat"])
            lon = float(element.attrib["lon"])
        except (KeyError, ValueError) as exc:
            raise ValidationError(_("A GPX point has no valid lat/lon."), code="gpx") from exc
        coordinates.append([lon, lat])
        for child in element:
            if _local(child.tag) == "time" and child.text:
                try:
                    times.append(datetime.datetime.fromisoformat(child.text.strip().replace("Z", "+00:00")))
                except ValueError:
                    pass
    if len(coordinates) < 2:
        raise ValidationError(_("The GPX file holds no track with at least two points."), code="gpx")
    track = {"type": "LineString", "coordinates": coordinates}
    validate_geojson(track, ("LineString",))
    return track, (min(times) if times else None), (max(times) if times else None)


# --- locations of sensitive points -----------------------------------------------------------


def point_for(principal, owner_id, latitude, longitude, category, precise_ids):
    """Like core.access.location_for, for list paths: `precise_ids` from principal.precise_owner_ids()."""
    if latitude is None or longitude is None:
        return None
    precise = category == 0 or precise_ids is None or owner_id in precise_ids
    if not precise and not principal.is_authenticated:
        return None
    return generalize_point(latitude, longitude, 0 if precise else category)


def visible_patrols(principal):
    return Patrol.objects.visible_to(principal)


def visible_waypoints(principal):
    return Waypoint.objects.filter(patrol__in=Patrol.objects.visible_to(principal).values("pk"))


# --- plans: the two-country workflow ---------------------------------------------------------


class WorkflowError(ValidationError):
    """A transition that the plan's state does not allow."""


def plan_countries(plan):
    # .all() so that a prefetched list (API lists) is reused instead of a query per plan.
    return {agency.country for agency in plan.participating_agencies.all()}


def required_countries(plan):
    """The countries whose coordinators must approve: China and Russia when they take part."""
    countries = plan_countries(plan)
    sides = countries & {Country.CHINA, Country.RUSSIA}
    return sides or countries


def is_joint(plan):
    return {Country.CHINA, Country.RUSSIA} <= plan_countries(plan)


def approvals(plan):
    """Approvals given since the plan was last submitted for review (in the order given)."""
    transitions = sorted(plan.transitions.all(), key=lambda t: t.pk)
    submissions = [
        t.pk for t in transitions if t.from_status == PlanStatus.DRAFT and t.to_status == PlanStatus.UNDER_REVIEW
    ]
    since = submissions[-1] if submissions else 0
    return [t for t in transitions if t.is_approval and t.pk > since]


def approved_countries(plan):
    return {t.country for t in approvals(plan)}


def _record(plan, principal, from_status, to_status, note="", is_approval=False, country=""):
    return PlanTransition.objects.create(
        plan=plan,
        from_status=from_status,
        to_status=to_status,
        is_approval=is_approval,
        country=country,
        user=principal.user if getattr(principal.user, "pk", None) else None,
        agency=principal.agency,
        note=note or "",
    )


def _locked(plan):
    return ActionPlan.objects.select_for_update().get(pk=plan.pk)


def _expect(plan, *statuses):
    if plan.status not in statuses:
        raise WorkflowError(
            _("This step is not possible while the plan is “%(status)s”.") % {"status": plan.get_status_display()},
            code="state",
        )


def _is_participant_coordinator(principal, plan):
    return (
        principal.is_coordinator
        and principal.agency is not None
        and plan.participating_agencies.filter(pk=principal.agency.pk).exists()
    )


def _may_run(principal, plan):
    if not (can_edit(principal, plan) or _is_participant_coordinator(principal, plan)):
        raise PermissionDenied(_("Only the owning agency or a coordinator of a participating agency may do this."))


def _set_status(plan, status, **fields):
    plan.status = status
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save()
    for activity in plan.activities.all():
        sync_activity_obligation(activity, plan=plan)


# --- plan activities in the shared reminder machinery ------------------------------------------

REMINDED_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.ACTIVE)


def sync_activity_obligation(activity, plan=None):
    """Keep the activity's dated obligation (core.reminders) in step with its due date and state.

    Activities of approved or active plans are reminded to their owning agency; done ones are
    fulfilled; cancelled ones, those without a due date and those of other plans are dropped.
    """
    from core.reminders import cancel_obligation, obligation_for, upsert_obligation

    from .models import ActivityStatus

    plan = plan or activity.plan
    wanted = (
        activity.due_date is not None
        and activity.status != ActivityStatus.CANCELLED
        and (plan.status in REMINDED_PLAN_STATUSES or activity.status == ActivityStatus.DONE)
    )
    if not wanted:
        if obligation_for(activity) is not None:
            cancel_obligation(activity)
        return None
    title = {
        code: getattr(activity, f"title_{code.replace('-', '_')}", "") or activity.title_en or ""
        for code in ("zh-hans", "en", "ru")
    }
    existing = obligation_for(activity)
    fulfilled = None
    if activity.status == ActivityStatus.DONE:
        fulfilled = existing.fulfilled_at if existing and existing.fulfilled_at else timezone.now()
    return upsert_obligation(
        activity,
        agency=activity.agency,
        due_date=activity.due_date,
        title=title,
        category="antipoaching.planactivity",
        escalate_after_days=14,
        fulfilled_at=fulfilled,
    )


def sync_obligations():
    """Called by `manage.py run_reminders --sync`: every plan activity's obligation, re-derived."""
    from .models import PlanActivity

    count = 0
    for activity in PlanActivity.objects.select_related("plan", "agency"):
        sync_activity_obligation(activity)
        count += 1
    return count


@transaction.atomic
def submit_plan(plan, principal, note=""):
    plan = _locked(plan)
    if not can_edit(principal, plan):
        raise PermissionDenied(_("Only the owning agency may submit its plan for review."))
    _expect(plan, PlanStatus.DRAFT)
    if not plan.participating_agencies.exists():
        raise WorkflowError(_("List the participating agencies before submitting the plan."), code="agencies")
    _record(plan, principal, PlanStatus.DRAFT, PlanStatus.UNDER_REVIEW, note)
    _set_status(plan, PlanStatus.UNDER_REVIEW)
    return plan


@transaction.atomic
def approve_plan(plan, principal, note=""):
    """One country's approval. The plan becomes approved when every required country approved."""
    plan = _locked(plan)
    _expect(plan, PlanStatus.UNDER_REVIEW)
    if not principal.is_coordinator or principal.agency is None:
        raise PermissionDenied(_("Only a coordinator may approve a plan."))
    if not plan.participating_agencies.filter(pk=principal.agency.pk).exists():
        raise PermissionDenied(_("Only a coordinator of a participating agency may approve this plan."))
    country = principal.agency.country
    needed = required_countries(plan)
    if country not in needed:
        raise PermissionDenied(
            _("Approval is needed from the coordinators of: %(countries)s.")
            % {"countries": ", ".join(str(Country(c).label) for c in sorted(needed))}
        )
    done = approved_countries(plan)
    if country in done:
        raise WorkflowError(_("Your country has already approved this plan."), code="already_approved")
    complete = needed <= done | {country}
    to_status = PlanStatus.APPROVED if complete else PlanStatus.UNDER_REVIEW
    _record(plan, principal, PlanStatus.UNDER_REVIEW, to_status, note, is_approval=True, country=country)
    if complete:
        _set_status(plan, PlanStatus.APPROVED)
    return plan


@transaction.atomic
def return_plan_to_draft(plan, principal, note=""):
    plan = _locked(plan)
    _expect(plan, PlanStatus.UNDER_REVIEW)
    _may_run(principal, plan)
    _record(plan, principal, PlanStatus.UNDER_REVIEW, PlanStatus.DRAFT, note)
    _set_status(plan, PlanStatus.DRAFT)
    return plan


@transaction.atomic
def activate_plan(plan, principal, note=""):
    plan = _locked(plan)
    _expect(plan, PlanStatus.APPROVED)
    _may_run(principal, plan)
    _record(plan, principal, PlanStatus.APPROVED, PlanStatus.ACTIVE, note)
    _set_status(plan, PlanStatus.ACTIVE)
    return plan


@transaction.atomic
def complete_plan(plan, principal, note=""):
    plan = _locked(plan)
    _expect(plan, PlanStatus.ACTIVE)
    _may_run(principal, plan)
    _record(plan, principal, PlanStatus.ACTIVE, PlanStatus.COMPLETED, note)
    _set_status(plan, PlanStatus.COMPLETED)
    return plan


@transaction.atomic
def evaluate_plan(plan, principal, evaluation=None, note=""):
    """Close the plan with its written evaluation ({"en": …, "ru": …, "zh-hans": …} or a string)."""
    plan = _locked(plan)
    _expect(plan, PlanStatus.COMPLETED)
    _may_run(principal, plan)
    fields = {}
    if isinstance(evaluation, str):
        evaluation = {"en": evaluation}
    for code, text in (evaluation or {}).items():
        fields[f"evaluation_{code.replace('-', '_')}"] = text or ""
    if not any(fields.values()):
        raise WorkflowError(_("Write the evaluation before closing the plan."), code="evaluation")
    _record(plan, principal, PlanStatus.COMPLETED, PlanStatus.EVALUATED, note)
    _set_status(plan, PlanStatus.EVALUATED, **fields)
    return plan


TRANSITIONS = OrderedDict(
    [
        ("submit", (submit_plan, gettext_lazy("Submit for review"))),
        ("approve", (approve_plan, gettext_lazy("Approve"))),
        ("return", (return_plan_to_draft, gettext_lazy("Return to draft"))),
        ("activate", (activate_plan, gettext_lazy("Start (make active)"))),
        ("complete", (complete_plan, gettext_lazy("Mark completed"))),
        ("evaluate", (evaluate_plan, gettext_lazy("Close with evaluation"))),
    ]
)


def available_transitions(plan, principal):
    """Names of the steps `principal` may take now (for buttons)."""
    result = []
    coordinator = _is_participant_coordinator(principal, plan)
    runner = can_edit(principal, plan) or coordinator
    if plan.status == PlanStatus.DRAFT and can_edit(principal, plan):
        result.append("submit")
    if plan.status == PlanStatus.UNDER_REVIEW:
        if coordinator and principal.agency.country in required_countries(plan) - approved_countries(plan):
            result.append("approve")
        if runner:
            result.append("return")
    if plan.status == PlanStatus.APPROVED and runner:
        result.append("activate")
    if plan.status == PlanStatus.ACTIVE and runner:
        result.append("complete")
    if plan.status == PlanStatus.COMPLETED and runner:
        result.append("evaluate")
    return result


def check_plan_agencies_change(plan, new_agencies):
    """Participating agencies are fixed once a plan left draft (the approvals are for them)."""
    if plan is None or plan.status == PlanStatus.DRAFT:
        return
    if {a.pk for a in new_agencies} != set(plan.participating_agencies.values_list("pk", flat=True)):
        raise WorkflowError(
            _("Return the plan to draft before changing its participating agencies."), code="agencies_locked"
        )


# --- incidents -------------------------------------------------------------------------------

SUSPECT_KEYS = {"name", "nationality", "year_of_birth", "document", "role", "note"}


def incident_errors(incident):
    """Field errors of an incident that its own fields show (M2M rules are in the forms/serializers)."""
    errors = {}
    suspects = incident.suspects or []
    if not isinstance(suspects, list) or not all(isinstance(s, dict) for s in suspects):
        errors["suspects"] = _("Suspects must be a list of objects (name, nationality, …).")
    elif suspects and incident.sensitivity != Sensitivity.RESTRICTED:
        errors["suspects"] = _(
            "Suspects' personal data may only be kept on a restricted record; make the record restricted "
            "and list the agencies that may see it."
        )
    elif any(set(s) - SUSPECT_KEYS for s in suspects):
        errors["suspects"] = _("Unknown suspect field; use name, nationality, year_of_birth, document, role, note.")
    transit = incident.transit_countries or []
    if not isinstance(transit, list) or any(
        not isinstance(c, str) or len(c) != 2 or not c.isalpha() or not c.isupper() for c in transit
    ):
        errors["transit_countries"] = _('Give the countries of transit as two-letter ISO codes, e.g. ["MN", "KZ"].')
    if (incident.latitude is None) != (incident.longitude is None):
        errors["longitude"] = _("Give both latitude and longitude, or neither.")
    elif incident.latitude is not None:
        if not -90 <= float(incident.latitude) <= 90 or not -180 <= float(incident.longitude) <= 180:
            errors["latitude"] = _("Latitude must lie between -90 and 90, longitude between -180 and 180.")
    if incident.quantity is not None and not incident.unit:
        errors["unit"] = _("Give the unit of the quantity.")
    if incident.estimated_value is not None and not incident.currency:
        errors["currency"] = _("Give the currency of the estimated value.")
    if incident.suspects_count is not None and incident.arrests is not None and incident.suspects_count < len(suspects):
        errors["suspects_count"] = _("The number of suspects is smaller than the suspects listed.")
    return errors


def can_see_suspects(principal, incident):
    """Suspects' personal data: only on restricted records, only for the owner and listed agencies."""
    if incident.sensitivity != Sensitivity.RESTRICTED:
        return False
    if principal.is_superuser:
        return True
    if principal.agency is None:
        return False
    if incident.owner_agency_id == principal.agency.pk:
        return True
    return any(a.pk == principal.agency.pk for a in incident.shared_with.all())


def visible_incidents(principal):
    return Incident.objects.visible_to(principal)


def linked_incidents(incident, principal):
    """Cases linked to `incident` (either direction) that `principal` may see."""
    visible = Incident.objects.visible_to(principal)
    ids = IncidentLink.objects.filter(Q(from_incident=incident) | Q(to_incident=incident)).values_list(
        "from_incident_id", "to_incident_id"
    )
    others = {b if a == incident.pk else a for a, b in ids}
    return visible.filter(pk__in=others).select_related("owner_agency", "incident_type")


def link_incidents(principal, first, second, note=""):
    """Link two cases; the caller must see both and be allowed to write."""
    if not principal.can_write:
        raise PermissionDenied(_("This account or key is read-only."))
    visible = Incident.objects.visible_to(principal)
    if first.pk == second.pk:
        raise ValidationError(_("A case cannot be linked to itself."))
    if visible.filter(pk__in=[first.pk, second.pk]).count() != 2:
        raise PermissionDenied(_("You can only link cases you can see."))
    if IncidentLink.objects.filter(
        Q(from_incident=first, to_incident=second) | Q(from_incident=second, to_incident=first)
    ).exists():
        raise ValidationError(_("These cases are already linked."))
    return IncidentLink.objects.create(
        from_incident=first, to_incident=second, note=note, created_by_agency=principal.agency
    )


# --- alerts ----------------------------------------------------------------------------------


def set_recipients(alert, agencies):
    """Make the receipts match `agencies` (kept receipts keep their opened/acknowledged times)."""
    wanted = {a.pk for a in agencies}
    alert.receipts.exclude(agency_id__in=wanted).delete()
    existing = set(alert.receipts.values_list("agency_id", flat=True))
    AlertReceipt.objects.bulk_create([AlertReceipt(alert=alert, agency_id=pk) for pk in wanted - existing])


def _receipt_for(alert, principal):
    if principal.agency is None:
        return None
    return AlertReceipt.objects.filter(alert=alert, agency=principal.agency).first()


def mark_opened(alert, principal):
    """The first time someone of a recipient agency opens the alert."""
    receipt = _receipt_for(alert, principal)
    if receipt is None or receipt.opened_at:
        return receipt
    receipt.opened_at = timezone.now()
    receipt.opened_by = principal.user if getattr(principal.user, "pk", None) else None
    receipt.save(update_fields=["opened_at", "opened_by"])
    return receipt


def acknowledge_alert(alert, principal):
    receipt = _receipt_for(alert, principal)
    if receipt is None:
        raise PermissionDenied(_("Only a recipient agency can acknowledge this alert."))
    now = timezone.now()
    user = principal.user if getattr(principal.user, "pk", None) else None
    if not receipt.opened_at:
        receipt.opened_at, receipt.opened_by = now, user
    if not receipt.acknowledged_at:
        receipt.acknowledged_at, receipt.acknowledged_by = now, user
        receipt.acknowledged_via_key = principal.api_key.prefix if principal.api_key else ""
    receipt.save()
    return receipt


def with_alert_state(queryset):
    """Annotate `unacknowledged_count` (recipients that have not acknowledged yet)."""
    return queryset.annotate(
        unacknowledged_count=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=True), distinct=True)
    )


def unacknowledged_urgent_alerts(principal):
    """The sender's urgent alerts that some recipient has not acknowledged (for the badge)."""
    if principal.agency is None:
        return Alert.objects.none()
    pending = AlertReceipt.objects.filter(alert=OuterRef("pk"), acknowledged_at__isnull=True)
    return Alert.objects.filter(owner_agency=principal.agency, urgency__in=URGENT_LEVELS).filter(Exists(pending))


# --- KPIs ------------------------------------------------------------------------------------

# One definition for both sides: each group key maps to the expression per source table.
GROUPS = {
    "country": ("owner_agency__country", "patrol__owner_agency__country", "owner_agency__country"),
    "agency": ("owner_agency__code", "patrol__owner_agency__code", "owner_agency__code"),
    "area": ("protected_area_id", "patrol__protected_area_id", "protected_area_id"),
    "month": (TruncMonth("start"), TruncMonth("patrol__start"), TruncMonth("occurred_on")),
}


def _period_q(prefix, start, end, date_field):
    q = Q()
    if start:
        q &= Q(**{f"{prefix}{date_field}__gte": start})
    if end:
        q &= Q(**{f"{prefix}{date_field}__lte": end})
    return q


def _annotate_group(queryset, group, index):
    names = []
    for name in group:
        expression = GROUPS[name][index]
        alias = f"g_{name}"
        if isinstance(expression, str):
            queryset = queryset.annotate(**{alias: _as_is(expression)})
        else:
            queryset = queryset.annotate(**{alias: expression})
        names.append(alias)
    return queryset, names


def _as_is(path):
    from django.db.models import F

    return F(path)


def _key(row, names):
    values = tuple(row[n] for n in names)
    return tuple(v.date() if isinstance(v, datetime.datetime) else v for v in values)


def compute_kpis(principal, start=None, end=None, agencies=None, country=None, areas=None, group=("country",)):
    """The KPI table: one row per group (country, agency, area and/or month).

    Four queries whatever the number of patrols: patrol effort, waypoint observations, incidents,
    and the (small) vocabulary. Only records visible to `principal` are counted.
    """
    group = tuple(group)
    patrols = Patrol.objects.visible_to(principal).filter(_period_q("", start, end, "start__date"))
    incidents = Incident.objects.visible_to(principal).filter(_period_q("", start, end, "occurred_on"))
    if agencies:
        patrols = patrols.filter(owner_agency__in=agencies)
        incidents = incidents.filter(owner_agency__in=agencies)
    if country:
        patrols = patrols.filter(owner_agency__country=country)
        incidents = incidents.filter(owner_agency__country=country)
    if areas:
        patrols = patrols.filter(protected_area__in=areas)
        incidents = incidents.filter(protected_area__in=areas)

    types = list(IncidentType.objects.order_by("order", "code"))
    rows = OrderedDict()

    def row_for(key):
        if key not in rows:
            rows[key] = {
                "key": dict(zip(group, key, strict=True)),
                "patrols": 0,
                "distance_km": Decimal(0),
                "hours": Decimal(0),
                "patrol_days": 0,
                "person_days": 0,
                "removed": 0,
                "incidents": 0,
                "arrests": 0,
                "seizures": 0,
                "observed": {},
                "incidents_by_type": {},
            }
        return rows[key]

    effort_qs, names = _annotate_group(patrols, group, 0)
    effort = (
        effort_qs.values(*names)
        .annotate(
            n=Count("id"),
            km=Coalesce(Sum("distance_km"), Value(Decimal(0))),
            h=Coalesce(Sum("hours"), Value(Decimal(0))),
            days=Coalesce(Sum("patrol_days"), Value(0, output_field=IntegerField())),
            pdays=Coalesce(Sum("person_days"), Value(0, output_field=IntegerField())),
        )
        .order_by(*names)
    )
    for item in effort:
        row = row_for(_key(item, names))
        row.update(
            patrols=item["n"],
            distance_km=item["km"],
            hours=item["h"],
            patrol_days=item["days"],
            person_days=item["pdays"],
        )

    waypoints = Waypoint.objects.filter(patrol__in=patrols.values("pk"))
    waypoints, names = _annotate_group(waypoints, group, 1)
    for item in (
        waypoints.values(*names, "incident_type_id").annotate(c=Sum("count"), r=Sum("removed")).order_by(*names)
    ):
        row = row_for(_key(item, names))
        row["observed"][item["incident_type_id"]] = row["observed"].get(item["incident_type_id"], 0) + (item["c"] or 0)
        row["removed"] += item["r"] or 0

    incident_qs, names = _annotate_group(incidents, group, 2)
    for item in (
        incident_qs.values(*names, "incident_type_id")
        .annotate(n=Count("id"), a=Sum("arrests"), s=Count("id", filter=Q(is_seizure=True)))
        .order_by(*names)
    ):
        row = row_for(_key(item, names))
        row["incidents_by_type"][item["incident_type_id"]] = item["n"]
        row["incidents"] += item["n"]
        row["arrests"] += item["a"] or 0
        row["seizures"] += item["s"]

    for row in rows.values():
        km, days = float(row["distance_km"] or 0), row["patrol_days"] or 0
        row["rates"] = {
            t.pk: {
                "count": row["observed"].get(t.pk, 0),
                "per_100km": round(row["observed"].get(t.pk, 0) / km * 100, 3) if km else None,
                "per_patrol_day": round(row["observed"].get(t.pk, 0) / days, 3) if days else None,
            }
            for t in types
        }
    return KpiTable(group=group, rows=list(rows.values()), types=types)


class KpiTable:
    def __init__(self, group, rows, types):
        self.group, self.rows, self.types = group, rows, types

    def row(self, **key):
        for row in self.rows:
            if all(row["key"].get(k) == v for k, v in key.items()):
                return row
        return None

    def used_types(self):
        """Types observed or reported in at least one row (keeps tables narrow)."""
        used = set()
        for row in self.rows:
            used |= {k for k, v in row["observed"].items() if v}
            used |= {k for k, v in row["incidents_by_type"].items() if v}
        return [t for t in self.types if t.pk in used]

    def headers(self):
        headers = [_group_label(g) for g in self.group] + [
            _("Patrols"),
            _("Patrol km"),
            _("Hours"),
            _("Patrol days"),
            _("Person-days"),
            _("Snares and traps removed"),
            _("Incidents"),
            _("Arrests"),
            _("Seizures"),
        ]
        for t in self.used_types():
            headers += [
                _("%(type)s: observed") % {"type": t.name},
                _("%(type)s per 100 km") % {"type": t.name},
                _("%(type)s per patrol-day") % {"type": t.name},
                _("%(type)s: incidents") % {"type": t.name},
            ]
        return headers

    def flat_rows(self):
        used = self.used_types()
        for row in self.rows:
            values = [_group_value(g, row["key"][g]) for g in self.group] + [
                row["patrols"],
                float(row["distance_km"]),
                float(row["hours"]),
                row["patrol_days"],
                row["person_days"],
                row["removed"],
                row["incidents"],
                row["arrests"],
                row["seizures"],
            ]
            for t in used:
                rate = row["rates"][t.pk]
                values += [
                    rate["count"],
                    rate["per_100km"],
                    rate["per_patrol_day"],
                    row["incidents_by_type"].get(t.pk, 0),
                ]
            yield values


def _group_label(name):
    return {"country": _("Country"), "agency": _("Agency"), "area": _("Protected area"), "month": _("Month")}[name]


def _group_value(name, value):
    if name == "country" and value:
        return str(Country(value).label)
    if name == "month" and value:
        return value.strftime("%Y-%m")
    if name == "area":
        if value is None:
            return _("No protected area")
        from reserves.models import ProtectedArea

        area = ProtectedArea.objects.filter(pk=value).first()
        return str(area) if area else str(value)
    return value if value is not None else "—"


def country_side_by_side(table):
    """{"CN": row, "RU": row} for the KPI page (missing side: zeros)."""
    empty = {
        "patrols": 0,
        "distance_km": 0,
        "hours": 0,
        "patrol_days": 0,
        "person_days": 0,
        "removed": 0,
        "incidents": 0,
        "arrests": 0,
        "seizures": 0,
        "rates": {},
        "incidents_by_type": {},
        "observed": {},
    }
    return {c: (table.row(country=c) or dict(empty)) for c in (Country.CHINA, Country.RUSSIA)}


# --- plan evaluation -------------------------------------------------------------------------

METRIC_FIELDS = {
    TargetMetric.PATROLS: "patrols",
    TargetMetric.DISTANCE_KM: "distance_km",
    TargetMetric.PATROL_DAYS: "patrol_days",
    TargetMetric.PERSON_DAYS: "person_days",
    TargetMetric.SNARES_REMOVED: "removed",
    TargetMetric.INCIDENTS: "incidents",
    TargetMetric.ARRESTS: "arrests",
    TargetMetric.SEIZURES: "seizures",
}


def months_in(start, end):
    return max((end.year - start.year) * 12 + end.month - start.month + 1, 1)


def plan_evaluation(plan, principal):
    """Targets against achievement, per country and in total, over the plan's agencies and period."""
    agencies = list(plan.participating_agencies.all())
    areas = list(plan.protected_areas.all())
    table = compute_kpis(
        principal,
        start=plan.period_start,
        end=plan.period_end,
        agencies=agencies,
        areas=areas or None,
        group=("country",),
    )
    countries = sorted({a.country for a in agencies})
    operations = JointOperation.objects.visible_to(principal).filter(plan=plan).count()
    months = months_in(plan.period_start, plan.period_end)
    rows = []
    for target in plan.targets.all():
        goal = float(target.value) * (months if target.per == TargetPeriod.MONTH else 1)
        by_country = {}
        for country in countries:
            row = table.row(country=country)
            if target.metric == TargetMetric.JOINT_OPERATIONS:
                by_country[country] = operations
            else:
                by_country[country] = float(row[METRIC_FIELDS[target.metric]]) if row else 0
        total = operations if target.metric == TargetMetric.JOINT_OPERATIONS else sum(by_country.values())
        rows.append(
            {
                "target": target,
                "goal": round(goal, 2),
                "by_country": by_country,
                "achieved": round(total, 2),
                "percent": round(total / goal * 100, 1) if goal else None,
            }
        )
    return {"rows": rows, "countries": countries, "table": table, "months": months}


# --- dashboard / datasets --------------------------------------------------------------------


def patrols_submitted(agency, start, end):
    return Patrol.objects.filter(owner_agency=agency, start__gte=start, start__lt=end).count()


def incidents_submitted(agency, start, end):
    return Incident.objects.filter(owner_agency=agency, created_at__gte=start, created_at__lt=end).count()


def track_feature_collection(principal, patrols):
    """Patrol tracks for the map. Tracks are effort, not animal locations: shown as recorded."""
    features = []
    for leg in (
        __import__("antipoaching.models", fromlist=["PatrolLeg"])
        .PatrolLeg.objects.filter(patrol__in=patrols)
        .exclude(track=None)
        .select_related("patrol", "patrol__owner_agency")
    ):
        features.append(
            {
                "type": "Feature",
                "geometry": leg.track,
                "properties": {
                    "name": str(leg.patrol),
                    "url": leg.patrol.get_absolute_url(),
                    "country": leg.patrol.owner_agency.country,
                    "note": f"{leg.patrol.owner_agency.code} · {leg.distance_km} km",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _point_feature(point, properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [point.longitude, point.latitude]},
        "properties": {**properties, "generalized": point.generalized, "grid_degrees": point.grid_degrees},
    }


def incident_feature_collection(principal, incidents):
    precise_ids = principal.precise_owner_ids(Incident)
    features = []
    for incident in incidents.exclude(latitude=None).select_related(
        "owner_agency", "incident_type__species", "species"
    ):
        point = point_for(
            principal,
            incident.owner_agency_id,
            incident.latitude,
            incident.longitude,
            incident.sensitivity_category,
            precise_ids,
        )
        if point is None:
            continue
        note = f"{incident.owner_agency.code} · {incident.occurred_on:%Y-%m-%d}"
        if point.generalized:
            note += " · " + _("location generalized to a %(grid)s° grid") % {"grid": point.grid_degrees}
        features.append(
            _point_feature(
                point, {"name": str(incident), "url": incident.get_absolute_url(), "note": note, "color": "#dc3545"}
            )
        )
    return {"type": "FeatureCollection", "features": features}


def waypoint_feature_collection(principal, waypoints):
    precise_ids = principal.precise_owner_ids(Patrol)
    features = []
    for wp in waypoints.select_related("patrol__owner_agency", "incident_type__species"):
        point = point_for(
            principal,
            wp.patrol.owner_agency_id,
            wp.latitude,
            wp.longitude,
            wp.incident_type.sensitivity_category,
            precise_ids,
        )
        if point is None:
            continue
        note = f"{wp.patrol.owner_agency.code} · {wp.time:%Y-%m-%d} · ×{wp.count}"
        if point.generalized:
            note += " · " + _("location generalized to a %(grid)s° grid") % {"grid": point.grid_degrees}
        color = "#fd7e14" if wp.incident_type.category == "wildlife" else "#6f42c1"
        features.append(
            _point_feature(
                point,
                {"name": str(wp.incident_type), "url": wp.patrol.get_absolute_url(), "note": note, "color": color},
            )
        )
    return {"type": "FeatureCollection", "features": features}


def geometry_bounds(track):
    return shape(track).bounds if track else None
