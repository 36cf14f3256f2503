"""The anti-poaching KPIs and dashboard counters as core.figures figures (docs/shared-layer/figures.md).

One computation (services.compute_kpis: effort from patrols, observations from waypoints,
incidents) serves every figure, the KPI page and its export, and the plan evaluation.
"""

from django.utils.translation import gettext_lazy as _

from core.figures import (
    Column,
    FigureTable,
    Row,
    dimension_label,
    figure_table,
    register_figure,
    register_grouping,
    scalar_figure,
)

from . import services
from .models import Incident, Patrol

DIMENSIONS = ("country", "agency", "month", "year", "area")

# (figure key suffix, KPI table field, label, unit)
MEASURES = (
    ("patrols", "patrols", _("Patrols"), _("patrols")),
    ("patrol_km", "distance_km", _("Patrol km"), _("km")),
    ("patrol_days", "patrol_days", _("Patrol days"), _("days")),
    ("person_days", "person_days", _("Person-days"), _("person-days")),
    ("removed", "removed", _("Snares and traps removed"), _("items")),
    ("incidents", "incidents", _("Incidents"), _("incidents")),
    ("arrests", "arrests", _("Arrests"), _("persons")),
    ("seizures", "seizures", _("Seizures"), _("seizures")),
)
FIELD_OF = {suffix: field for suffix, field, _label, _unit in MEASURES}
KPIS = "antipoaching.kpis"
ENCOUNTER_RATES = "antipoaching.encounter_rates"


def _number(value):
    return float(value) if value is not None and not isinstance(value, int) else value


def _kpi_rows(principal, period, group_by):
    """The KPI table rows for `group_by` (one total row when ungrouped)."""
    table = services.compute_kpis(principal, start=period.start, end=period.end, group=tuple(group_by) or ("country",))
    if group_by:
        return table, table.rows
    total = {"key": {}}
    for field in (*FIELD_OF.values(), "hours"):
        total[field] = sum(row[field] for row in table.rows)
    return table, [total]


def _dimension_columns(group_by):
    from core.figures import GROUPINGS

    return [Column(name, GROUPINGS.get(name, name), is_dimension=True) for name in group_by]


def kpi_compute(fields):
    """compute(principal, period, group_by) of a table with the KPI `fields` as value columns."""
    labels = {field: (label, unit) for _s, field, label, unit in MEASURES}

    def compute(principal, period, group_by):
        _table, rows = _kpi_rows(principal, period, group_by)
        columns = _dimension_columns(group_by) + [
            Column(field, labels[field][0], unit=labels[field][1]) for field in fields
        ]
        return FigureTable(
            columns=columns,
            rows=[
                Row({**{g: row["key"].get(g) for g in group_by}, **{f: _number(row[f]) for f in fields}})
                for row in rows
            ],
        )

    return compute


def encounter_rates(principal, period, group_by):
    """Observations of each type per 100 km and per patrol day, with the incidents of the type."""
    table, rows = _kpi_rows(principal, period, group_by)
    columns = [
        *_dimension_columns(group_by),
        Column("incident_type", _("Type"), is_dimension=True),
        Column("observed", _("Observed")),
        Column("per_100km", _("per 100 km")),
        Column("per_patrol_day", _("per patrol day")),
        Column("incidents", _("incidents")),
    ]
    result = []
    used = table.used_types()
    for row in rows if group_by else table.rows:
        for kind in used:
            rate = row.get("rates", {}).get(kind.pk, {})
            result.append(
                Row(
                    {
                        **{g: row["key"].get(g) for g in group_by},
                        "incident_type": str(kind.name),
                        "type_code": kind.code,
                        "observed": rate.get("count", 0),
                        "per_100km": rate.get("per_100km"),
                        "per_patrol_day": rate.get("per_patrol_day"),
                        "incidents": row["incidents_by_type"].get(kind.pk, 0),
                    }
                )
            )
    return FigureTable(columns=columns, rows=result)


def kpi_table(principal, period, group_by):
    """The KPI page's table (every measure) for `principal`."""
    return figure_table(KPIS, principal, period, group_by)


def kpi_value(table, field, **dims):
    row = table.row(**dims)
    return (row.get(field) or 0) if row is not None else 0


def register():
    register_grouping("area", _("Protected area"))
    register_figure(
        KPIS,
        _("Anti-poaching effectiveness"),
        "",
        kpi_compute([field for _s, field, _l, _u in MEASURES]),
        app_label="antipoaching",
        url_name="antipoaching:kpis",
        dimensions=DIMENSIONS,
        order=20,
    )
    for order, (suffix, field, label, unit) in enumerate(MEASURES, start=21):
        register_figure(
            f"antipoaching.{suffix}",
            label,
            unit,
            kpi_compute([field]),
            app_label="antipoaching",
            url_name="antipoaching:kpis",
            dimensions=DIMENSIONS,
            order=order,
        )
    register_figure(
        ENCOUNTER_RATES,
        _("Encounter rates by type"),
        _("per 100 km"),
        encounter_rates,
        app_label="antipoaching",
        url_name="antipoaching:kpis",
        dimensions=DIMENSIONS,
        order=30,
    )
    # The dashboard counters: current states, not counts over a period.
    register_figure(
        "antipoaching.patrol_count",
        _("Patrols"),
        "",
        scalar_figure(lambda p: Patrol.objects.visible_to(p).count()),
        app_label="antipoaching",
        url_name="antipoaching:patrol-list",
        periodic=False,
        dashboard=True,
        order=20,
    )
    register_figure(
        "antipoaching.incident_count",
        _("Incidents and seizures"),
        "",
        scalar_figure(lambda p: Incident.objects.visible_to(p).count()),
        app_label="antipoaching",
        url_name="antipoaching:incident-list",
        periodic=False,
        dashboard=True,
        order=21,
    )
    register_figure(
        "antipoaching.urgent_alerts_pending",
        _("My urgent alerts not yet acknowledged"),
        "",
        scalar_figure(lambda p: services.unacknowledged_urgent_alerts(p).count()),
        app_label="antipoaching",
        url_name="antipoaching:alert-list",
        periodic=False,
        dashboard=True,
        order=22,
    )


__all__ = ["DIMENSIONS", "ENCOUNTER_RATES", "KPIS", "MEASURES", "dimension_label", "kpi_table", "kpi_value"]
