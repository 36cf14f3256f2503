"""reserves.services.area_for: a record is placed only in its owner's or the secretariat's areas."""

import pytest

from reserves.models import ProtectedArea
from reserves.services import AreaLocator, area_for

pytestmark = pytest.mark.django_db


def _square(south, west, size):
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _area(agency, name, size):
    return ProtectedArea.objects.create(
        owner_agency=agency, name_en=name, country="CN", boundary=_square(43.5 - size / 2, 131.5 - size / 2, size)
    )


def test_only_the_owners_and_the_secretariats_areas_are_candidates(
    cn_agency, ru_agency, ngo_agency, secretariat_agency
):
    large = _area(secretariat_agency, "Reserve", 2.0)
    own = _area(cn_agency, "Own", 0.5)
    for other in (ru_agency, ngo_agency):  # smaller than both, hidden, another agency's
        _area(other, f"Tile of {other.code}", 0.001)
    assert area_for(cn_agency, 43.5, 131.5) == own  # the smallest of the eligible ones
    assert area_for(cn_agency.pk, 43.5, 131.5) == own
    assert area_for(cn_agency, 42.8, 130.8) == large
    assert area_for(None, 43.5, 131.5) == large  # no owner: the secretariat's only
    assert area_for(cn_agency, 10.0, 10.0) is None
    locate = AreaLocator(cn_agency)
    assert {area.owner_agency_id for area, _geometry in locate.areas} == {cn_agency.pk, secretariat_agency.pk}
    assert locate(None, 131.5) is None
    # A queryset narrows the candidates; it never widens them to another agency's areas.
    assert area_for(cn_agency, 43.5, 131.5, queryset=ProtectedArea.objects.exclude(pk=own.pk)) == large
    assert area_for(cn_agency, 43.5, 131.5, queryset=ProtectedArea.objects.exclude(owner_agency=cn_agency)) == large


def test_covers_is_true_only_for_a_box_inside_the_area(cn_agency):
    area = _area(cn_agency, "Own", 0.5)
    locate = AreaLocator(cn_agency)
    assert locate.covers(area, 43.4, 131.4, 43.5, 131.5)
    assert not locate.covers(area, 43.7, 131.4, 43.8, 131.5)  # crosses the boundary
    assert not locate.covers(None, 43.4, 131.4, 43.5, 131.5)
