"""Demo monitoring data inside the demo parks (reserves/demo.py): a joint winter camera-trap survey
with a leopard photographed on both sides of the border and confirmed as one animal.

Idempotent: every record has a fixed id; existing records are left alone.
"""

import datetime
import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.models import Agency, Sensitivity, Species

from .models import (
    CatalogueEvent,
    DataRequest,
    Deployment,
    EffortUnit,
    FeatureType,
    Individual,
    IndividualAlias,
    MatchProposal,
    Observation,
    ObservationType,
    Protocol,
    ProtocolVersion,
    Publication,
    ResearchProject,
    SnowTrackTransect,
    Survey,
)
from .services import refresh_deployment_areas, refresh_location_categories, replace_transect_tracks
from .vocabularies import seed_vocabularies

_NS = uuid.UUID("8d1f3a52-4c0e-4f57-9a34-0b6f5e2c7d11")


def _id(key):
    return uuid.uuid5(_NS, key)


def _dt(day, hour=0):
    return timezone.make_aware(datetime.datetime(2024, 12, 1) + datetime.timedelta(days=day, hours=hour), datetime.UTC)


# key, agency, latitude, longitude, feature type, days in the field
DEPLOYMENTS = [
    ("cn-1", "NECTLNP", 43.3512, 130.6034, "trailGame", 90),
    ("cn-2", "NECTLNP", 43.5487, 130.7521, "ridge", 90),
    ("cn-3", "NECTLNP", 43.0931, 130.9456, "roadUnderpass", 75),
    ("ru-1", "LOTL", 43.1523, 131.1046, "trailGame", 90),
    ("ru-2", "LOTL", 43.3018, 131.2977, "scentMark", 90),
    ("ru-3", "LOTL", 42.9544, 131.1532, "waterSource", 60),
]

# deployment, day, hour, species, agency's own individual ID
OBSERVATIONS = [
    ("cn-1", 3, 22, "Panthera pardus orientalis", "NE-L12"),
    ("cn-1", 17, 4, "Panthera pardus orientalis", "NE-L12"),
    ("cn-2", 9, 1, "Panthera pardus orientalis", "NE-L07"),
    ("cn-3", 12, 23, "Panthera tigris altaica", "NE-T03"),
    ("cn-1", 5, 7, "Sus scrofa", ""),
    ("cn-2", 20, 16, "Cervus nippon", ""),
    ("cn-3", 30, 6, "Capreolus pygargus", ""),
    ("ru-1", 25, 3, "Panthera pardus orientalis", "Л-3"),
    ("ru-1", 41, 2, "Panthera pardus orientalis", "Л-3"),
    ("ru-2", 33, 21, "Panthera pardus orientalis", "Л-15"),
    ("ru-2", 8, 12, "Cervus nippon", ""),
    ("ru-3", 14, 18, "Sus scrofa", ""),
    ("ru-3", 50, 5, "Panthera tigris altaica", "Т-21"),
]


def seed(stdout=None):
    say = stdout.write if stdout else (lambda *_: None)
    agencies = {a.code: a for a in Agency.objects.filter(code__in=["SEC", "NECTLNP", "LOTL", "WWFAMUR"])}
    species = {s.scientific_name: s for s in Species.objects.all()}
    if len(agencies) < 4 or "Panthera pardus orientalis" not in species:
        say("  monitoring: core demo data missing, skipped")
        return
    seed_vocabularies(ObservationType, FeatureType, EffortUnit)
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["lotl_coordinator", "nectlnp_coordinator", "expert", "lotl_ranger"]
        )
    }

    protocol, created = Protocol.objects.get_or_create(
        id=_id("protocol-camera"),
        defaults=dict(
            owner_agency=agencies["SEC"],
            sensitivity=Sensitivity.PUBLIC,
            key="camera-trapping",
            method="camera_trapping",
            title_en="Joint camera-trap survey protocol",
            title_zh_hans="红外相机联合调查规程",
            title_ru="Протокол совместного учёта фотоловушками",
        ),
    )
    if created:
        say("  survey protocol camera-trapping")
    versions = {}
    for version, start, until, summary in (
        (
            "1.0",
            datetime.date(2019, 2, 1),
            datetime.date(2024, 5, 31),
            (
                "One camera pair per 25 km² cell, 60 days minimum.",
                "每25平方公里网格布设一对相机，至少60天。",
                "Пара камер на ячейку 25 км², не менее 60 суток.",
            ),
        ),
        (
            "2.0",
            datetime.date(2024, 6, 1),
            None,
            (
                "Shared grid across the border; Camtrap DP exchange every quarter.",
                "跨境统一网格；每季度以Camtrap DP格式交换数据。",
                "Единая сетка по обе стороны границы; обмен в формате Camtrap DP ежеквартально.",
            ),
        ),
    ):
        versions[version], made = ProtocolVersion.objects.get_or_create(
            protocol=protocol,
            version=version,
            defaults=dict(
                effective_from=start,
                effective_until=until,
                title_en=f"Camera-trap protocol {version}",
                title_zh_hans=f"红外相机规程 {version}",
                title_ru=f"Протокол фотоучёта {version}",
                summary_en=summary[0],
                summary_zh_hans=summary[1],
                summary_ru=summary[2],
            ),
        )
        if made:
            versions[version].adopted_by.set([agencies["NECTLNP"], agencies["LOTL"]])

    survey, created = Survey.objects.get_or_create(
        id=_id("survey-winter-2024"),
        defaults=dict(
            owner_agency=agencies["NECTLNP"],
            sensitivity=Sensitivity.PARTNERS,
            kind="joint",
            method="camera_trapping",
            name_en="Joint winter camera-trap survey 2024–2025",
            name_zh_hans="2024—2025年冬季跨境红外相机联合调查",
            name_ru="Совместный зимний фотоучёт 2024–2025",
            protocol_version=versions["2.0"],
            start_date=datetime.date(2024, 12, 1),
            end_date=datetime.date(2025, 2, 28),
        ),
    )
    if created:
        survey.participating_agencies.set([agencies["NECTLNP"], agencies["LOTL"]])
        say("  joint survey winter 2024–2025")

    deployments = {}
    for key, code, lat, lon, feature, days in DEPLOYMENTS:
        deployment = Deployment.objects.filter(pk=_id(f"dep-{key}")).first()
        if deployment is None:
            deployment = Deployment.objects.create(
                id=_id(f"dep-{key}"),
                owner_agency=agencies[code],
                survey=survey,
                deployment_id=key.upper(),
                location_id=f"{code}-{key}",
                latitude=lat,
                longitude=lon,
                coordinate_uncertainty=10,
                start=_dt(0),
                end=_dt(days),
                camera_id=f"CAM-{key.upper()}",
                camera_model="Reconyx HF2X",
                feature_type_id=feature,
            )
        deployments[key] = deployment

    individuals = {}
    for number, (key, day, hour, name, local_id) in enumerate(OBSERVATIONS, start=1):
        if Observation.objects.filter(pk=_id(f"obs-{number}")).exists():
            continue
        deployment = deployments[key]
        individual = None
        if local_id:
            individual = individuals.get((deployment.owner_agency_id, local_id)) or _individual(
                deployment.owner_agency, local_id, species[name], _dt(day, hour)
            )
            individuals[(deployment.owner_agency_id, local_id)] = individual
        Observation.objects.create(
            id=_id(f"obs-{number}"),
            owner_agency=deployment.owner_agency,
            deployment=deployment,
            observation_id=f"{key}-o{number}",
            event_id=f"{key}-e{number}",
            event_start=_dt(day, hour),
            event_end=_dt(day, hour),
            observation_level="event",
            observation_type="animal",
            scientific_name=name,
            species=species[name],
            count=1,
            life_stage="adult",
            individual_local_id=local_id,
            individual=individual,
            classification_method="human",
            classified_by="demo",
        )
    refresh_deployment_areas(deployments.values())
    refresh_location_categories([d.pk for d in deployments.values()])

    # The Chinese NE-L12 and the Russian Л-3 are one leopard: proposed by NECTLNP, confirmed by a Russian expert.
    proposal_id = _id("match-l12-l3")
    if not MatchProposal.objects.filter(pk=proposal_id).exists():
        ours = _alias(agencies["NECTLNP"], "NE-L12")
        theirs = _alias(agencies["LOTL"], "Л-3")
        if ours and theirs and ours.pk != theirs.pk:
            proposal = MatchProposal.objects.create(
                id=proposal_id,
                owner_agency=agencies["NECTLNP"],
                individual=ours,
                other=theirs,
                status="confirmed",
                evidence="Identical rosette pattern on the left flank and tail tip (photos of 2024-12-04 and 2024-12-26).",
                reviewed_by=users.get("expert"),
                reviewed_at=timezone.now(),
                review_note="Confirmed.",
            )
            moved = list(theirs.aliases.values_list("pk", flat=True))
            IndividualAlias.objects.filter(individual=theirs).update(individual=ours)
            Observation.objects.filter(individual=theirs).update(individual=ours)
            theirs.status, theirs.merged_into = "merged", ours
            theirs.save()
            CatalogueEvent.objects.create(
                kind="merge",
                source=theirs,
                target=ours,
                proposal=proposal,
                moved_aliases=moved,
                actor=users.get("expert"),
            )
            say("  leopard NE-L12 = Л-3 confirmed across the border")

    # An open proposal waiting for a Russian expert: the tiger NE-T03 may be the Russian Т-21.
    open_id = _id("match-proposed-1")
    if not MatchProposal.objects.filter(pk=open_id).exists():
        ours, theirs = _alias(agencies["NECTLNP"], "NE-T03"), _alias(agencies["LOTL"], "Т-21")
        if ours and theirs and ours.pk != theirs.pk:
            from core.workflow import workflow_for

            proposal = MatchProposal.objects.create(
                id=open_id,
                owner_agency=agencies["NECTLNP"],
                individual=ours,
                other=theirs,
                evidence="Stripe pattern above the right eye (camera CN-3, 2024-12-13; RU-3, 2025-01-19).",
                created_by=users.get("nectlnp_coordinator"),
            )
            workflow_for(proposal).started(proposal, None)
            say("  tiger NE-T03 = Т-21 proposed, waiting for a Russian expert")

    if not SnowTrackTransect.objects.filter(pk=_id("transect-1")).exists():
        transect = SnowTrackTransect.objects.create(
            id=_id("transect-1"),
            owner_agency=agencies["LOTL"],
            survey=survey,
            name="Кедровая падь — маршрут 4",
            date=datetime.date(2025, 1, 20),
            route={
                "type": "LineString",
                "coordinates": [[131.45, 43.08], [131.5, 43.1], [131.55, 43.12], [131.58, 43.14]],
            },
            snow_age_days=2,
            observers="I. Sokolov, A. Petrova",
        )
        replace_transect_tracks(
            transect,
            [
                {"species": species["Panthera pardus orientalis"], "tracks": 2},
                {"species": species["Cervus nippon"], "tracks": 14},
            ],
        )

    project, created = ResearchProject.objects.get_or_create(
        id=_id("project-vitkalova"),
        defaults=dict(
            owner_agency=agencies["LOTL"],
            sensitivity=Sensitivity.PUBLIC,
            title_en="Transboundary Amur leopard population estimate",
            title_zh_hans="远东豹跨境种群数量估算",
            title_ru="Оценка трансграничной популяции дальневосточного леопарда",
            researchers="A. Vitkalova\nL. Feng\nA. Rybin",
            start_date=datetime.date(2014, 1, 1),
            end_date=datetime.date(2018, 12, 31),
        ),
    )
    if created:
        project.agencies.set([agencies["LOTL"], agencies["NECTLNP"]])
        project.datasets_used.set([survey])
        Publication.objects.create(
            project=project,
            title="Transboundary cooperation improves endangered species monitoring and conservation actions: "
            "A case study of the global population of Amur leopards",
            authors="Vitkalova A.V., Feng L., Rybin A.N., et al.",
            year=2018,
            journal="Conservation Letters",
            doi="10.1111/conl.12450",
        )
        say("  research project with its publication")

    if users.get("lotl_coordinator") and not DataRequest.objects.filter(pk=_id("request-1")).exists():
        data_request = DataRequest.objects.create(
            id=_id("request-1"),
            owner_agency=agencies["LOTL"],
            sensitivity=Sensitivity.RESTRICTED,
            requested_from=agencies["NECTLNP"],
            requester=users["lotl_coordinator"],
            project=project,
            requested_dataset="monitoring.deployment",
            purpose="Home ranges of leopards that cross the border.",
            needed_until=datetime.date(2026, 12, 31),
        )
        data_request.shared_with.add(agencies["NECTLNP"])
        from core.access import Principal
        from core.workflow import workflow_for

        workflow_for(data_request).started(data_request, Principal.for_user(users["lotl_coordinator"]))


def _individual(agency, local_id, species, seen):
    alias = IndividualAlias.objects.filter(agency=agency, local_id=local_id).select_related("individual").first()
    if alias:
        return alias.individual.current()
    prefix = "AL" if species.scientific_name == "Panthera pardus orientalis" else "AT"
    code = f"{prefix}-{agency.code}-{local_id}"
    individual = Individual.objects.create(
        id=_id(f"ind-{agency.code}-{local_id}"),
        owner_agency=agency,
        species=species,
        catalogue_code=code,
        name=local_id,
        first_detected=seen.date(),
        sensitivity=Sensitivity.PARTNERS,
    )
    IndividualAlias.objects.create(individual=individual, agency=agency, local_id=local_id)
    return individual


def _alias(agency, local_id):
    alias = IndividualAlias.objects.filter(agency=agency, local_id=local_id).select_related("individual").first()
    return alias.individual.current() if alias else None
