"""Business rules of the monitoring app, used by the API, the pages, the commands and the tasks."""

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Floor
from django.utils import timezone
from django.utils.translation import gettext as _

from core.geo import GRID_DEGREES, generalize_point
from core.models import Country, DataSharingGrant, GrantScope, Species

from .models import (
    CatalogueEvent,
    Crosswalk,
    DataRequest,
    DataRequestStatus,
    DataRequestStatusChange,
    Deployment,
    EffortUnit,
    FeatureType,
    Individual,
    IndividualAlias,
    IndividualStatus,
    LifeStage,
    MatchProposal,
    MatchStatus,
    Observation,
    ObservationType,
    Sex,
    Vocabulary,
)

# --- vocabularies and crosswalks --------------------------------------------------------------


def shared_keys(vocabulary):
    """The keys of a shared vocabulary."""
    if vocabulary == Vocabulary.SPECIES:
        return set(Species.objects.values_list("scientific_name", flat=True))
    if vocabulary == Vocabulary.OBSERVATION_TYPE:
        return set(ObservationType.objects.values_list("key", flat=True))
    if vocabulary == Vocabulary.FEATURE_TYPE:
        return set(FeatureType.objects.values_list("key", flat=True))
    if vocabulary == Vocabulary.EFFORT_UNIT:
        return set(EffortUnit.objects.values_list("key", flat=True))
    if vocabulary == Vocabulary.LIFE_STAGE:
        return set(LifeStage.values)
    if vocabulary == Vocabulary.SEX:
        return set(Sex.values)
    return set()


class CodeMapper:
    """Applies an agency's crosswalks: a local code becomes the shared key; unknown codes are errors."""

    def __init__(self, agency):
        self.agency = agency
        self.crosswalk = defaultdict(dict)
        for vocabulary, local, shared in Crosswalk.objects.filter(agency=agency).values_list(
            "vocabulary", "local_code", "shared_key"
        ):
            self.crosswalk[vocabulary][local] = shared
        self.keys = {}

    def known(self, vocabulary):
        if vocabulary not in self.keys:
            self.keys[vocabulary] = shared_keys(vocabulary)
        return self.keys[vocabulary]

    def map(self, vocabulary, value):
        """The shared key for `value`, or raise ValueError naming the unknown code."""
        if value in ("", None):
            return value
        mapped = self.crosswalk[vocabulary].get(value)
        if mapped is not None:
            return mapped
        if value in self.known(vocabulary):
            return value
        raise ValueError(
            _(
                "unknown code “%(code)s” in vocabulary %(vocabulary)s: it is no shared key and %(agency)s has no crosswalk for it"
            )
            % {"code": value, "vocabulary": vocabulary, "agency": self.agency.code}
        )


# --- sensitive locations ----------------------------------------------------------------------

# Deployments, media and observations share one set of points: a precise-location grant on any
# of them reveals the deployment's point, so all of them are treated alike.
LOCATION_MODELS = ("monitoring.deployment", "monitoring.media", "monitoring.observation")


def precise_owner_ids(principal, dataset_types=LOCATION_MODELS):
    """Owners whose camera-trap points `principal` sees exactly (None: all of them)."""
    if principal.is_superuser:
        return None
    if principal.agency is None:
        return set()
    owners = {principal.agency.pk}
    for dataset_type in dataset_types:
        owners |= principal.granting_agency_ids(GrantScope.PRECISE_LOCATIONS, dataset_type)
    return owners


def _grid_expression(column, category_column):
    """SQL: the centre of the grid cell of the record's category (NULL when there is no grid)."""
    whens = []
    for category, step in GRID_DEGREES.items():
        if step is None:
            continue
        whens.append(
            When(
                **{category_column: category},
                then=Floor(F(column) / Value(step)) * Value(step) + Value(step / 2),
            )
        )
    return Case(*whens, default=Value(None), output_field=FloatField())


def annotate_view_location(queryset, principal, prefix=""):
    """Add `view_latitude` / `view_longitude`: what this principal may see, computed in SQL.

    Filters (bounding box) and ordering use these, so a generalized record cannot be narrowed down
    beyond its grid cell. The public gets NULL for sensitive points.
    """
    lat, lon = f"{prefix}latitude", f"{prefix}longitude"
    category = f"{prefix}location_category"
    owners = precise_owner_ids(principal)
    if owners is None:
        return queryset.annotate(view_latitude=F(lat), view_longitude=F(lon))
    exact = Q(**{category: 0}) | Q(**{f"{prefix}owner_agency_id__in": owners})
    if not principal.is_authenticated:
        exact = Q(**{category: 0})
        return queryset.annotate(
            view_latitude=Case(When(exact, then=F(lat)), default=Value(None), output_field=FloatField()),
            view_longitude=Case(When(exact, then=F(lon)), default=Value(None), output_field=FloatField()),
        )
    return queryset.annotate(
        view_latitude=Case(
            When(exact, then=F(lat)), default=_grid_expression(lat, category), output_field=FloatField()
        ),
        view_longitude=Case(
            When(exact, then=F(lon)), default=_grid_expression(lon, category), output_field=FloatField()
        ),
    )


def deployment_location(principal, deployment, owners="unset"):
    """The GeneralizedPoint of a deployment for `principal`, or None (public, sensitive)."""
    if owners == "unset":
        owners = precise_owner_ids(principal)
    category = deployment.location_category
    precise = category == 0 or owners is None or deployment.owner_agency_id in owners
    if not precise and not principal.is_authenticated:
        return None
    point = generalize_point(deployment.latitude, deployment.longitude, 0 if precise else category)
    if not point.generalized:
        return point.__class__(point.latitude, point.longitude, None, deployment.coordinate_uncertainty)
    uncertainty = max(point.uncertainty_m, deployment.coordinate_uncertainty or 0)
    return point.__class__(point.latitude, point.longitude, point.grid_degrees, uncertainty)


def transect_location(principal, transect, owners="unset"):
    """(route or None, generalized centre or None) that `principal` may see of a transect."""
    from shapely.geometry import shape

    if owners == "unset":
        owners = precise_owner_ids(principal, ("monitoring.snowtracktransect",))
    category = transect.location_category
    precise = category == 0 or owners is None or transect.owner_agency_id in owners
    if precise:
        return transect.route, None
    if not principal.is_authenticated:
        return None, None
    centre = shape(transect.route).centroid
    return None, generalize_point(centre.y, centre.x, category)


def refresh_location_categories(deployment_ids=None):
    """Recompute each deployment's most restrictive category from the species recorded there."""
    deployments = Deployment.objects.all()
    if deployment_ids is not None:
        deployments = deployments.filter(pk__in=list(deployment_ids))
    with connection.cursor() as cursor:
        table = Deployment._meta.db_table
        sql = (
            f"UPDATE {table} SET location_category = COALESCE(("
            f" SELECT MIN(s.sensitivity_category) FROM {Observation._meta.db_table} o"
            f" JOIN {Species._meta.db_table} s ON s.id = o.species_id"
            f" WHERE o.deployment_id = {table}.id AND s.sensitivity_category > 0), 0)"
        )
        if deployment_ids is None:
            cursor.execute(sql)
        else:
            prep = Deployment._meta.pk.get_db_prep_value  # UUIDs are hex text on SQLite
            ids = [prep(pk, connection) for pk in deployments.values_list("pk", flat=True)]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"{sql} WHERE {table}.id IN ({placeholders})", chunk)


# --- the individual catalogue -----------------------------------------------------------------


def next_catalogue_code(species):
    prefix = {"Panthera pardus orientalis": "AL", "Panthera tigris altaica": "AT"}.get(species.scientific_name, "IND")
    taken = Individual.objects.filter(catalogue_code__startswith=f"{prefix}-").count()
    number = taken + 1
    while Individual.objects.filter(catalogue_code=f"{prefix}-{number:03d}").exists():
        number += 1
    return f"{prefix}-{number:03d}"


def individual_for_alias(agency, local_id, species, sex="", first_detected=None, create=True):
    """The catalogue individual behind an agency's ID (following merges); new IDs start a record."""
    alias = IndividualAlias.objects.select_related("individual").filter(agency=agency, local_id=local_id).first()
    if alias is not None:
        return alias.individual.current()
    if not create:
        return None
    individual = Individual.objects.create(
        owner_agency=agency,
        species=species,
        catalogue_code=next_catalogue_code(species),
        name=local_id,
        sex=sex or "unknown",
        first_detected=first_detected,
    )
    IndividualAlias.objects.create(individual=individual, agency=agency, local_id=local_id)
    return individual


def propose_match(principal, individual, other, evidence=""):
    if not principal.can_write or principal.agency is None:
        raise PermissionDenied(_("Your account is read-only."))
    if individual.pk == other.pk:
        raise ValidationError(_("An individual cannot be matched with itself."))
    if individual.species_id != other.species_id:
        raise ValidationError(_("Both individuals must be of the same species."))
    return MatchProposal.objects.create(
        owner_agency=principal.agency,
        individual=individual,
        other=other,
        evidence=evidence,
        created_by=principal.user,
    )


def _other_country(country):
    return {Country.CHINA: Country.RUSSIA, Country.RUSSIA: Country.CHINA}.get(country)


def can_review_match(principal, proposal):
    """An expert of the other country than the proposing agency's."""
    if principal.is_superuser:
        return True
    if not principal.is_expert or principal.agency is None:
        return False
    return principal.agency.country == _other_country(proposal.owner_agency.country)


@transaction.atomic
def review_match(principal, proposal, confirm, note=""):
    proposal = MatchProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != MatchStatus.PROPOSED:
        raise ValidationError(_("This proposal has already been reviewed."))
    if not can_review_match(principal, proposal):
        raise PermissionDenied(_("Only an expert of the other country may confirm or reject this match."))
    proposal.status = MatchStatus.CONFIRMED if confirm else MatchStatus.REJECTED
    proposal.reviewed_by = principal.user
    proposal.reviewed_at = timezone.now()
    proposal.review_note = note
    proposal.save()
    if confirm:
        survivor, merged = proposal.individual.current(), proposal.other.current()
        if survivor.pk != merged.pk:
            merge_individuals(principal, merged, survivor, proposal=proposal, note=note)
    return proposal


def merge_individuals(principal, source, target, proposal=None, note=""):
    """Fold `source` into `target`: its agency IDs and detections move; the history keeps them."""
    aliases = list(source.aliases.values_list("pk", flat=True))
    observations = [str(pk) for pk in Observation.objects.filter(individual=source).values_list("pk", flat=True)]
    IndividualAlias.objects.filter(pk__in=aliases).update(individual=target)
    Observation.objects.filter(individual=source).update(individual=target)
    source.status = IndividualStatus.MERGED
    source.merged_into = target
    source.save()
    dates = [d for d in (source.first_detected, target.first_detected) if d]
    if dates and target.first_detected != min(dates):
        target.first_detected = min(dates)
    if target.sex == "unknown" and source.sex != "unknown":
        target.sex = source.sex
    target.save()
    return CatalogueEvent.objects.create(
        kind=CatalogueEvent.Kind.MERGE,
        source=source,
        target=target,
        proposal=proposal,
        moved_aliases=aliases,
        moved_observations=observations,
        actor=principal.user,
        note=note,
    )


@transaction.atomic
def split_individual(principal, individual, alias_ids, note="", catalogue_code=None):
    """Separate the detections behind some agency IDs into a new individual."""
    if not (
        principal.is_superuser
        or principal.is_expert
        or (principal.can_write and principal.agency_id == individual.owner_agency_id)
    ):
        raise PermissionDenied(_("Only the owning agency or an expert may split an individual."))
    aliases = list(IndividualAlias.objects.filter(individual=individual, pk__in=alias_ids))
    if not aliases:
        raise ValidationError(_("Choose the agency IDs that belong to the other animal."))
    new = Individual.objects.create(
        owner_agency=individual.owner_agency,
        species=individual.species,
        catalogue_code=catalogue_code or next_catalogue_code(individual.species),
        name=aliases[0].local_id,
        sex=individual.sex,
    )
    moved = Observation.objects.filter(individual=individual).filter(
        Q(*[Q(owner_agency=a.agency, individual_local_id=a.local_id) for a in aliases], _connector=Q.OR)
    )
    observation_ids = [str(pk) for pk in moved.values_list("pk", flat=True)]
    Observation.objects.filter(pk__in=observation_ids).update(individual=new)
    IndividualAlias.objects.filter(pk__in=[a.pk for a in aliases]).update(individual=new)
    first = (
        Observation.objects.filter(individual=new).order_by("event_start").values_list("event_start", flat=True).first()
    )
    if first:
        new.first_detected = first.date()
        new.save()
    CatalogueEvent.objects.create(
        kind=CatalogueEvent.Kind.SPLIT,
        source=individual,
        target=new,
        moved_aliases=[a.pk for a in aliases],
        moved_observations=observation_ids,
        actor=principal.user,
        note=note,
    )
    return new


def _country_expression():
    return F("deployment__owner_agency__country")


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


# --- research cooperation: data requests ------------------------------------------------------


def _log_status(request, from_status, to_status, user, note=""):
    DataRequestStatusChange.objects.create(
        request=request, from_status=from_status, to_status=to_status, by=user, note=note
    )


@transaction.atomic
def submit_data_request(principal, requested_from, dataset_type, purpose, needed_until, project=None):
    from core.models import Sensitivity

    if not principal.can_write or principal.agency is None:
        raise PermissionDenied(_("Your account is read-only."))
    if requested_from.pk == principal.agency_id:
        raise ValidationError(_("Your agency already sees its own data precisely."))
    request = DataRequest.objects.create(
        owner_agency=principal.agency,
        sensitivity=Sensitivity.RESTRICTED,
        requested_from=requested_from,
        requester=principal.user,
        project=project,
        requested_dataset=dataset_type,
        purpose=purpose,
        needed_until=needed_until,
        created_by=principal.user,
    )
    request.shared_with.add(requested_from)
    _log_status(request, "", DataRequestStatus.SUBMITTED, principal.user)
    return request


def can_decide(principal, request):
    return principal.is_superuser or (
        principal.is_coordinator and principal.agency_id == request.requested_from_id and principal.can_write
    )


@transaction.atomic
def decide_data_request(principal, request, approve, note="", valid_until=None):
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if not can_decide(principal, request):
        raise PermissionDenied(_("Only a coordinator of the agency asked may decide on this request."))
    if request.status != DataRequestStatus.SUBMITTED:
        raise ValidationError(_("This request has already been decided."))
    previous = request.status
    request.status = DataRequestStatus.APPROVED if approve else DataRequestStatus.DECLINED
    request.decided_by = principal.user
    request.decided_at = timezone.now()
    request.decision_note = note
    if approve:
        request.grant = DataSharingGrant.objects.create(
            grantor=request.requested_from,
            grantee=request.owner_agency,
            scope=GrantScope.PRECISE_LOCATIONS,
            dataset_type=request.requested_dataset,
            valid_from=timezone.localdate(),
            valid_until=valid_until or request.needed_until or timezone.localdate() + datetime.timedelta(days=365),
            note=_("Data request %(id)s") % {"id": request.pk},
        )
    request.save()
    _log_status(request, previous, request.status, principal.user, note)
    return request


@transaction.atomic
def withdraw_data_request(principal, request):
    if principal.agency_id != request.owner_agency_id and not principal.is_superuser:
        raise PermissionDenied(_("Only the requesting agency may withdraw its request."))
    if request.status != DataRequestStatus.SUBMITTED:
        raise ValidationError(_("This request has already been decided."))
    request.status = DataRequestStatus.WITHDRAWN
    request.save()
    _log_status(request, DataRequestStatus.SUBMITTED, DataRequestStatus.WITHDRAWN, principal.user)
    return request


# --- dashboard figures, dataset sources -------------------------------------------------------


def count_observations(agency, start, end):
    return Observation.objects.filter(owner_agency=agency, created_at__gte=start, created_at__lt=end).count()


def count_catalogue_updates(agency, start, end):
    from django.db.models import Q as _Q

    return (
        Individual.objects.filter(owner_agency=agency)
        .filter(_Q(created_at__gte=start, created_at__lt=end) | _Q(updated_at__gte=start, updated_at__lt=end))
        .count()
    )
