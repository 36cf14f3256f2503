"""Small builders for monitoring tests."""

import datetime
import itertools

from django.utils import timezone

from monitoring.models import Deployment, Observation
from monitoring.services import deployment_saved, refresh_location_categories

_numbers = itertools.count(1)


def make_deployment(agency, lat, lon, code=None, days=30, start=None, survey=None, **extra):
    start = start or timezone.make_aware(datetime.datetime(2024, 1, 1))
    deployment = Deployment.objects.create(
        owner_agency=agency,
        deployment_id=code or f"D{next(_numbers)}",
        latitude=lat,
        longitude=lon,
        start=start,
        end=start + datetime.timedelta(days=days),
        survey=survey,
        location_name="Secret ravine",
        coordinate_uncertainty=30,
        **extra,
    )
    return deployment_saved(deployment)


def make_observation(
    deployment, species=None, when=None, individual_local_id="", level="event", event_id=None, **extra
):
    when = when or deployment.start + datetime.timedelta(days=1)
    n = next(_numbers)
    observation = Observation.objects.create(
        owner_agency=deployment.owner_agency,
        deployment=deployment,
        observation_id=f"O{n}",
        event_id=event_id or f"E{n}",
        event_start=when,
        event_end=when,
        observation_level=level,
        observation_type="animal" if species else "blank",
        species=species,
        scientific_name=species.scientific_name if species else "",
        count=1 if species else None,
        individual_local_id=individual_local_id,
        **extra,
    )
    refresh_location_categories([deployment.pk])
    deployment.refresh_from_db()
    return observation
