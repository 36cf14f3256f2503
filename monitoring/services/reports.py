"""Survey reports: cross-border individuals, the joint survey report (from the registered figures), detections per month."""

from collections import defaultdict

from core.models import Country, Species

from ..models import (
    Individual,
    Observation,
)


def cross_border_table(principal, start, end, species=None):
    """Vitkalova et al. 2018, table 1: individuals detected in China only, Russia only, in both.

    Counts the catalogue individuals (after merges) behind the observations `principal` may see
    with event start in [start, end].
    """
    observations = Observation.objects.visible_to(principal).filter(
        individual__isnull=False, event_start__date__gte=start, event_start__date__lte=end
    )
    if species is not None:
        observations = observations.filter(species=species)
    pairs = observations.values_list(
        "individual_id", "individual__merged_into_id", "individual__species_id", "deployment__owner_agency__country"
    ).distinct()
    countries = defaultdict(set)
    species_of = {}
    for individual_id, merged_into, species_id, country in pairs:
        key = merged_into or individual_id
        countries[key].add(country)
        species_of[key] = species_id
    rows = {}
    names = {s.pk: s for s in Species.objects.filter(pk__in=set(species_of.values()))}
    for key, seen in countries.items():
        row = rows.setdefault(
            species_of[key],
            {
                "species": names[species_of[key]],
                "china_only": 0,
                "russia_only": 0,
                "both": 0,
                "total": 0,
                "individuals": {"china_only": [], "russia_only": [], "both": []},
            },
        )
        china, russia = Country.CHINA in seen, Country.RUSSIA in seen
        bucket = "both" if china and russia else "china_only" if china else "russia_only" if russia else None
        if bucket is None:
            continue
        row[bucket] += 1
        row["total"] += 1
        row["individuals"][bucket].append(key)
    result = sorted(rows.values(), key=lambda r: r["species"].scientific_name)
    codes = dict(Individual.objects.filter(pk__in=list(countries)).values_list("pk", "catalogue_code"))
    for row in result:
        for bucket, ids in row["individuals"].items():
            row["individuals"][bucket] = sorted(codes.get(i, str(i)) for i in ids)
    totals = {k: sum(r[k] for r in result) for k in ("china_only", "russia_only", "both", "total")}
    return {"start": start, "end": end, "rows": result, "totals": totals}


def joint_survey_report(principal, survey):
    """Per side: deployments, trap-nights, detections and rate per 100 trap-nights per species,
    individuals — read from the registered figures (monitoring.survey_effort / survey_detections)."""
    from .figures import survey_tables

    effort, detections = survey_tables(principal, survey)
    sides, ids = [], []
    for row in effort.rows:
        sides.append(
            {
                "country": row["country"],
                "agencies": row["agencies"],
                "deployments": row["deployments"],
                "trap_nights": row["trap_nights"],
                "species": [
                    {"species": d["species"], "detections": d["detections"], "rate_per_100": d["rate_per_100"]}
                    for d in detections.rows
                    if d["country"] == row["country"]
                ],
                "individuals": row["individual_codes"],
            }
        )
        ids.append(row["individual_ids"])
    everyone = set().union(*ids) if ids else set()
    in_both = set.intersection(*ids) if len(ids) > 1 else set()
    codes = dict(Individual.objects.filter(pk__in=in_both).values_list("pk", "catalogue_code"))
    return {
        "survey": survey,
        "sides": sides,
        "individuals_total": len(everyone),
        "individuals_both_sides": sorted(codes.get(i, str(i)) for i in in_both),
        "effort": effort,
        "detections": detections,
    }


def detections_by_month(observations):
    """([first day of each month], [count]) of event starts, oldest first (for core.charts)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    rows = (
        observations.annotate(month=TruncMonth("event_start")).values("month").annotate(n=Count("pk")).order_by("month")
    )
    rows = [row for row in rows if row["month"]]
    return [row["month"].date() for row in rows], [row["n"] for row in rows]


def detections_chart(observations):
    """The detections-per-month chart of an individual or a deployment (core.charts)."""
    from django.utils.translation import gettext as _

    from core.charts import Series, bar_chart

    months, counts = detections_by_month(observations)
    return bar_chart(
        _("Detections per month"),
        months,
        [Series(_("Detections"), counts)],
        category_label=_("Month"),
        empty_text=_("No detections yet."),
    )
