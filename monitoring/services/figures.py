"""The monitoring app's figures (core.figures) and dataset sources.

Dashboard counters and the joint survey report's numbers are registered figures; the report
page, the API's report and the dashboard read them through core.figures, so one computation
serves every place that shows them. Every figure counts only what the principal may see.
"""

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.figures import (
    Column,
    FigureTable,
    Period,
    Row,
    get_figure,
    queryset_figure,
    register_figure,
    register_grouping,
    scalar_figure,
)
from core.models import Species

from ..models import Deployment, Individual, Observation

OBSERVATIONS = "monitoring.observations"
INDIVIDUALS = "monitoring.individuals"
ACTIVE_DEPLOYMENTS = "monitoring.active_deployments"
SURVEY_EFFORT = "monitoring.survey_effort"
SURVEY_DETECTIONS = "monitoring.survey_detections"


def count_observations(agency, start, end):
    return Observation.objects.filter(owner_agency=agency, created_at__gte=start, created_at__lt=end).count()


def count_catalogue_updates(agency, start, end):
    return (
        Individual.objects.filter(owner_agency=agency)
        .filter(Q(created_at__gte=start, created_at__lt=end) | Q(updated_at__gte=start, updated_at__lt=end))
        .count()
    )


# --- the joint survey report -----------------------------------------------------------------------


def _survey_sides(principal, period, surveys=None):
    """Per (survey, country side): deployments, trap-nights, agencies, detections per species and
    individuals, over the deployments `principal` may see (started in `period`)."""
    deployments = Deployment.objects.visible_to(principal).filter(survey__isnull=False).select_related("owner_agency")
    if surveys is not None:
        deployments = deployments.filter(survey__in=surveys)
    if period.is_bounded:
        deployments = deployments.filter(period.q("start", is_datetime=True))
    sides, side_of = {}, {}
    for deployment in deployments.select_related("survey"):
        key = (deployment.survey, deployment.owner_agency.country)
        side = sides.setdefault(
            key, {"agencies": set(), "deployments": 0, "trap_nights": 0.0, "events": defaultdict(set), "ids": set()}
        )
        side["agencies"].add(deployment.owner_agency.code)
        side["deployments"] += 1
        side["trap_nights"] += deployment.trap_nights
        side_of[deployment.pk] = key
    # Detections: independent events of an animal species (event-level observations; media-level
    # ones only where the deployment has no events).
    rows = list(
        Observation.objects.visible_to(principal)
        .filter(deployment_id__in=list(side_of), observation_type="animal", species__isnull=False)
        .values_list(
            "deployment_id",
            "species_id",
            "observation_level",
            "event_id",
            "individual_id",
            "individual__merged_into_id",
            "pk",
        )
    )
    with_events = {row[0] for row in rows if row[2] == "event"}
    for deployment_id, species_id, level, event_id, individual_id, merged_into, pk in rows:
        if level == "media" and deployment_id in with_events:
            continue
        side = sides[side_of[deployment_id]]
        side["events"][species_id].add((deployment_id, event_id or pk))
        if individual_id:
            side["ids"].add(merged_into or individual_id)
    return sides


def _rate(detections, nights):
    return round(detections / nights * 100, 2) if nights else None


def _codes(sides):
    ids = set().union(*(side["ids"] for side in sides.values())) if sides else set()
    return dict(Individual.objects.filter(pk__in=ids).values_list("pk", "catalogue_code"))


def survey_effort(principal, period, group_by, surveys=None):
    """Figure: per survey and country side — deployments, trap-nights, detections, the rate per
    100 trap-nights and individuals. Rows also carry `agencies` and `individual_codes` (not columns)."""
    sides = _survey_sides(principal, period, surveys)
    codes = _codes(sides)
    columns = [
        Column("survey", _("Survey"), is_dimension=True),
        Column("country", _("Country"), is_dimension=True),
        Column("deployments", _("Deployments")),
        Column("trap_nights", _("Camera-trap nights")),
        Column("detections", _("Detections")),
        Column("rate_per_100", _("Detections per 100 trap-nights")),
        Column("individuals", _("Individuals")),
    ]
    rows = []
    for (survey, country), side in sorted(sides.items(), key=lambda item: (item[0][0].name, item[0][1])):
        detections = sum(len(events) for events in side["events"].values())
        rows.append(
            Row(
                {
                    "survey": survey,
                    "country": country,
                    "deployments": side["deployments"],
                    "trap_nights": round(side["trap_nights"], 1),
                    "detections": detections,
                    "rate_per_100": _rate(detections, side["trap_nights"]),
                    "individuals": len(side["ids"]),
                    "agencies": sorted(side["agencies"]),
                    "individual_codes": sorted(codes.get(i, str(i)) for i in side["ids"]),
                    "individual_ids": set(side["ids"]),
                },
                survey.get_absolute_url(),
            )
        )
    return _grouped(FigureTable(columns=columns, rows=rows), group_by)


def survey_detections(principal, period, group_by, surveys=None):
    """Figure: detections and the rate per 100 trap-nights per survey, country side and species."""
    sides = _survey_sides(principal, period, surveys)
    species = Species.objects.in_bulk({sid for side in sides.values() for sid in side["events"]})
    columns = [
        Column("survey", _("Survey"), is_dimension=True),
        Column("country", _("Country"), is_dimension=True),
        Column("species", _("Species"), is_dimension=True),
        Column("detections", _("Detections")),
        Column("rate_per_100", _("Detections per 100 trap-nights")),
    ]
    rows = []
    for (survey, country), side in sides.items():
        for species_id, events in side["events"].items():
            rows.append(
                Row(
                    {
                        "survey": survey,
                        "country": country,
                        "species": species[species_id],
                        "detections": len(events),
                        "rate_per_100": _rate(len(events), side["trap_nights"]),
                    }
                )
            )
    rows.sort(key=lambda r: (r["survey"].name, r["country"], r["species"].scientific_name))
    return _grouped(FigureTable(columns=columns, rows=rows), group_by)


def _grouped(table, group_by):
    """The full table shows every dimension; a caller asking for fewer gets the others summed."""
    keep = set(group_by)
    dropped = [c.key for c in table.dimension_columns if c.key not in keep]
    if not dropped:
        return table
    summable = {"deployments", "trap_nights", "detections", "individuals"}
    merged = {}
    for row in table.rows:
        key = tuple(row.get(c.key) for c in table.dimension_columns if c.key in keep)
        target = merged.setdefault(key, {c.key: row.get(c.key) for c in table.dimension_columns if c.key in keep})
        for name in summable & set(row.values):
            target[name] = (target.get(name) or 0) + (row.get(name) or 0)
    for values in merged.values():
        if "trap_nights" in values and "detections" in values:
            values["rate_per_100"] = _rate(values["detections"], values["trap_nights"])
    columns = [c for c in table.columns if not c.is_dimension or c.key in keep]
    columns = [c for c in columns if c.is_dimension or c.key in summable | {"rate_per_100"}]
    return FigureTable(columns=columns, rows=[Row(values) for values in merged.values()])


def survey_tables(principal, survey):
    """The report page's figures for one survey: (effort table, detections table)."""
    tables = []
    for key, compute in ((SURVEY_EFFORT, survey_effort), (SURVEY_DETECTIONS, survey_detections)):
        figure = get_figure(key)
        table = compute(principal, Period.all_time(), figure.dimensions, surveys=[survey])
        table.key, table.label, table.unit, table.group_by = figure.key, figure.label, figure.unit, figure.dimensions
        tables.append(table)
    return tuple(tables)


# --- registration (AppConfig.ready) ----------------------------------------------------------------


def _active_deployments(principal):
    return Deployment.objects.visible_to(principal).filter(end__gte=timezone.now()).count()


def register_figures():
    register_grouping("survey", _("Survey"))
    register_grouping("species", _("Species"))
    register_figure(
        OBSERVATIONS,
        _("Camera-trap observations"),
        _("observations"),
        queryset_figure(
            lambda principal: Observation.objects.visible_to(principal),
            value_label=_("Camera-trap observations"),
            date_field="event_start",
            is_datetime=True,
            url_name="monitoring:observation-list",
        ),
        app_label="monitoring",
        url_name="monitoring:observation-list",
        dimensions=("country", "agency", "month", "year"),
        dashboard=True,
        order=30,
    )
    register_figure(
        INDIVIDUALS,
        _("Catalogued individuals"),
        _("individuals"),
        scalar_figure(
            lambda principal: Individual.objects.visible_to(principal).filter(status="active").count(),
            _("Catalogued individuals"),
        ),
        app_label="monitoring",
        url_name="monitoring:individual-list",
        periodic=False,
        dashboard=True,
        order=31,
    )
    register_figure(
        ACTIVE_DEPLOYMENTS,
        _("Active deployments"),
        _("deployments"),
        scalar_figure(_active_deployments, _("Active deployments")),
        app_label="monitoring",
        url_name="monitoring:deployment-list",
        periodic=False,
        dashboard=True,
        order=32,
    )
    register_figure(
        SURVEY_EFFORT,
        _("Survey effort and detections by side"),
        "",
        survey_effort,
        app_label="monitoring",
        url_name="monitoring:survey-list",
        dimensions=("survey", "country"),
    )
    register_figure(
        SURVEY_DETECTIONS,
        _("Survey detections by species"),
        _("detections"),
        survey_detections,
        app_label="monitoring",
        url_name="monitoring:survey-list",
        dimensions=("survey", "country", "species"),
    )
