"""Dashboard figures and dataset sources."""

from ..models import (
    Individual,
    Observation,
)


def count_observations(agency, start, end):
    return Observation.objects.filter(owner_agency=agency, created_at__gte=start, created_at__lt=end).count()


def count_catalogue_updates(agency, start, end):
    from django.db.models import Q as _Q

    return (
        Individual.objects.filter(owner_agency=agency)
        .filter(_Q(created_at__gte=start, created_at__lt=end) | _Q(updated_at__gte=start, updated_at__lt=end))
        .count()
    )
