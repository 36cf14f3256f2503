import datetime

import pytest
from django.utils import timezone

from antipoaching import services
from antipoaching.models import IncidentType, Patrol
from core.models import Role
from core.tests.factories import AgencyFactory, SpeciesFactory, make_member

# A short track inside the demo Land of the Leopard outline (about 4.4 km).
TRACK = {"type": "LineString", "coordinates": [[131.20, 43.10], [131.23, 43.12], [131.25, 43.13]]}


@pytest.fixture
def vocabulary(db):
    tiger = SpeciesFactory(
        scientific_name="Panthera tigris altaica", common_name_en="Amur tiger", sensitivity_category=2
    )
    # The tests define their own small vocabulary in place of the one the migration installs.
    IncidentType.objects.all().delete()
    types = {
        "snare": IncidentType.objects.create(
            code="snare",
            name_en="Snare",
            name_zh_hans="套子",
            name_ru="Петля",
            category="threat",
            removable=True,
            order=1,
        ),
        "camp": IncidentType.objects.create(code="camp", name_en="Poaching camp", category="threat", order=2),
        "carcass": IncidentType.objects.create(code="carcass", name_en="Carcass", category="threat", order=3),
        "tiger_sign": IncidentType.objects.create(
            code="tiger_sign", name_en="Tiger sign", category="wildlife", species=tiger, order=4
        ),
    }
    return types


@pytest.fixture
def cn_coord(cn_agency):
    return make_member(cn_agency, Role.AGENCY_COORDINATOR, username="cn_coord")


@pytest.fixture
def ru_coord(ru_agency):
    return make_member(ru_agency, Role.AGENCY_COORDINATOR, username="ru_coord")


@pytest.fixture
def third_agency(db):
    return AgencyFactory(code="THIRD", country="CN")


@pytest.fixture
def third_staff(third_agency):
    return make_member(third_agency, Role.AGENCY_STAFF, username="third_staff")


def make_patrol(agency, start=None, days=1, **kwargs):
    start = start or timezone.make_aware(datetime.datetime(2026, 3, 2, 8, 0))
    defaults = {
        "leader": "Ivan",
        "members": ["Petr", "Oleg"],
        "start": start,
        "end": start + datetime.timedelta(days=days - 1, hours=9),
    }
    defaults.update(kwargs)
    return services.save_patrol(Patrol(owner_agency=agency, **defaults))


def body(response):
    """The bytes of a response, streamed (core.exports) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
