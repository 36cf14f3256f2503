"""Survey reports: cross-border individuals, joint survey figures, detections per month."""

from collections import defaultdict

from core.models import Country, Species

from ..models import (
    Deployment,
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
    """Per side: deployments, trap-nights, detections and rate per 100 trap-nights per species, individuals."""
    deployments = list(Deployment.objects.visible_to(principal).filter(survey=survey).select_related("owner_agency"))
    sides = {}
    for deployment in deployments:
        side = sides.setdefault(
            deployment.owner_agency.country,
            {
                "country": deployment.owner_agency.country,
                "agencies": set(),
                "deployments": 0,
                "trap_nights": 0.0,
                "species": {},
                "individuals": set(),
            },
        )
        side["agencies"].add(deployment.owner_agency.code)
        side["deployments"] += 1
        side["trap_nights"] += deployment.trap_nights
    country_of = {d.pk: d.owner_agency.country for d in deployments}
    # Detections: independent events of an animal species (event-level observations; media-level
    # ones only where the deployment has no events).
    observations = (
        Observation.objects.visible_to(principal)
        .filter(deployment_id__in=list(country_of), observation_type="animal", species__isnull=False)
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
    detections = defaultdict(set)
    has_event_level = set()
    rows = list(observations)
    for deployment_id, _species, level, _event, _i, _m, _pk in rows:
        if level == "event":
            has_event_level.add(deployment_id)
    for deployment_id, species_id, level, event_id, individual_id, merged_into, pk in rows:
        if level == "media" and deployment_id in has_event_level:
            continue
        country = country_of[deployment_id]
        detections[(country, species_id)].add((deployment_id, event_id or pk))
        if individual_id:
            sides[country]["individuals"].add(merged_into or individual_id)
    species = {s.pk: s for s in Species.objects.filter(pk__in={k[1] for k in detections})}
    for (country, species_id), events in detections.items():
        side = sides[country]
        nights = side["trap_nights"]
        side["species"][species_id] = {
            "species": species[species_id],
            "detections": len(events),
            "rate_per_100": round(len(events) / nights * 100, 2) if nights else None,
        }
    all_individuals = set()
    for side in sides.values():
        all_individuals |= side["individuals"]
    codes = dict(Individual.objects.filter(pk__in=all_individuals).values_list("pk", "catalogue_code"))
    result = []
    for country in sorted(sides):
        side = sides[country]
        result.append(
            {
                "country": country,
                "agencies": sorted(side["agencies"]),
                "deployments": side["deployments"],
                "trap_nights": round(side["trap_nights"], 1),
                "species": sorted(side["species"].values(), key=lambda r: r["species"].scientific_name),
                "individuals": sorted(codes.get(i, str(i)) for i in side["individuals"]),
            }
        )
    in_both = set.intersection(*(s["individuals"] for s in sides.values())) if len(sides) > 1 else set()
    return {
        "survey": survey,
        "sides": result,
        "individuals_total": len(all_individuals),
        "individuals_both_sides": sorted(codes.get(i, str(i)) for i in in_both),
    }


def detections_by_month(observations):
    """[(YYYY-MM, count)] of event starts, oldest first."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    rows = (
        observations.annotate(month=TruncMonth("event_start")).values("month").annotate(n=Count("pk")).order_by("month")
    )
    return [(row["month"].strftime("%Y-%m"), row["n"]) for row in rows if row["month"]]


def svg_bar_chart(series, title="", width=640, height=200):
    """A small inline SVG bar chart (no JavaScript library or CDN is available)."""
    from django.utils.html import escape

    if not series:
        return ""
    pad_left, pad_bottom, pad_top = 32, 36, 16
    plot_w, plot_h = width - pad_left - 8, height - pad_bottom - pad_top
    top = max(n for _label, n in series) or 1
    bar_w = plot_w / len(series)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="monitoring-chart" width="100%">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width - 8}" y2="{pad_top + plot_h}" stroke="#666"/>',
        f'<text x="{pad_left - 4}" y="{pad_top + 4}" font-size="10" text-anchor="end">{top}</text>',
        f'<text x="{pad_left - 4}" y="{pad_top + plot_h}" font-size="10" text-anchor="end">0</text>',
    ]
    step = max(1, len(series) // 12)
    for index, (label, n) in enumerate(series):
        h = plot_h * n / top
        x = pad_left + index * bar_w
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{pad_top + plot_h - h:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" fill="#2f6f4f">'
            f"<title>{escape(label)}: {n}</title></rect>"
        )
        if index % step == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - pad_bottom + 14}" font-size="10" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
