"""The KPI table (SMART-like effort and encounter rates), plan evaluation and dataset counts."""

import datetime
from collections import OrderedDict
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.utils.translation import gettext as _

from core.models import Country

from ..models import Incident, IncidentType, JointOperation, Patrol, TargetMetric, TargetPeriod, Waypoint

GROUPS = {
    "country": ("owner_agency__country", "patrol__owner_agency__country", "owner_agency__country"),
    "agency": ("owner_agency__code", "patrol__owner_agency__code", "owner_agency__code"),
    "area": ("protected_area_id", "patrol__protected_area_id", "protected_area_id"),
    "month": (TruncMonth("start"), TruncMonth("patrol__start"), TruncMonth("occurred_on")),
    "year": (ExtractYear("start"), ExtractYear("patrol__start"), ExtractYear("occurred_on")),
}


def _period_q(prefix, start, end, date_field):
    q = Q()
    if start:
        q &= Q(**{f"{prefix}{date_field}__gte": start})
    if end:
        q &= Q(**{f"{prefix}{date_field}__lte": end})
    return q


def _area_conditions(principal):
    """Per record kind (patrol, waypoint, incident): when its protected area may be named to
    `principal` (services.tracks.AreaRule: seen precisely, or an allowed area); None when every
    area may be named (superuser). A small area would place a withheld line or a generalized
    point more finely than the grid."""
    from .tracks import AreaRule, incident_precise_q, patrol_precise_ids

    ids = patrol_precise_ids(principal)
    if ids is None:
        return None
    allowed = AreaRule(principal).allowed_ids()
    return (
        Q(owner_agency_id__in=ids) | Q(protected_area_id__in=allowed),
        Q(patrol__owner_agency_id__in=ids) | Q(patrol__protected_area_id__in=allowed),
        incident_precise_q(principal) | Q(protected_area_id__in=allowed),
    )


def _annotate_group(queryset, group, index, area_conditions=None):
    names = []
    for name in group:
        expression = GROUPS[name][index]
        if name == "area" and area_conditions is not None:
            expression = Case(When(area_conditions[index], then=F(expression)), default=Value(None))
        alias = f"g_{name}"
        if isinstance(expression, str):
            queryset = queryset.annotate(**{alias: _as_is(expression)})
        else:
            queryset = queryset.annotate(**{alias: expression})
        names.append(alias)
    return queryset, names


def _as_is(path):
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
    area_conditions = _area_conditions(principal) if (areas or "area" in group) else None
    if areas:
        patrols = patrols.filter(protected_area__in=areas)
        incidents = incidents.filter(protected_area__in=areas)
        if area_conditions is not None:
            patrols, incidents = patrols.filter(area_conditions[0]), incidents.filter(area_conditions[2])

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

    effort_qs, names = _annotate_group(patrols, group, 0, area_conditions)
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
    waypoints, names = _annotate_group(waypoints, group, 1, area_conditions)
    for item in (
        waypoints.values(*names, "incident_type_id").annotate(c=Sum("count"), r=Sum("removed")).order_by(*names)
    ):
        row = row_for(_key(item, names))
        row["observed"][item["incident_type_id"]] = row["observed"].get(item["incident_type_id"], 0) + (item["c"] or 0)
        row["removed"] += item["r"] or 0

    incident_qs, names = _annotate_group(incidents, group, 2, area_conditions)
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
    return {
        "country": _("Country"),
        "agency": _("Agency"),
        "area": _("Protected area"),
        "month": _("Month"),
        "year": _("Year"),
    }[name]


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
    """Targets against achievement, per country and in total, over the plan's agencies and period.

    Reads the same registered figure as the KPI page (antipoaching.kpis), grouped by agency (and
    protected area when the plan names some), so both always agree.
    """
    from core.figures import Period

    from ..figures import kpi_table

    agencies = list(plan.participating_agencies.all())
    areas = {a.pk for a in plan.protected_areas.all()}
    group = ("agency", "area") if areas else ("agency",)
    table = kpi_table(principal, Period.between(plan.period_start, plan.period_end), group)
    country_of = {a.code: a.country for a in agencies}
    achieved = {}
    for row in table.rows:
        if row.get("agency") not in country_of or (areas and row.get("area") not in areas):
            continue
        side = achieved.setdefault(country_of[row.get("agency")], {})
        for field in METRIC_FIELDS.values():
            side[field] = side.get(field, 0) + float(row.get(field) or 0)
    countries = sorted(set(country_of.values()))
    operations = JointOperation.objects.visible_to(principal).filter(plan=plan).count()
    months = months_in(plan.period_start, plan.period_end)
    rows = []
    for target in plan.targets.all():
        goal = float(target.value) * (months if target.per == TargetPeriod.MONTH else 1)
        if target.metric == TargetMetric.JOINT_OPERATIONS:
            by_country = {country: operations for country in countries}
            total = operations
        else:
            field = METRIC_FIELDS[target.metric]
            by_country = {country: achieved.get(country, {}).get(field, 0) for country in countries}
            total = sum(by_country.values())
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


def patrols_submitted(agency, start, end):
    return Patrol.objects.filter(owner_agency=agency, start__gte=start, start__lt=end).count()


def incidents_submitted(agency, start, end):
    return Incident.objects.filter(owner_agency=agency, created_at__gte=start, created_at__lt=end).count()
