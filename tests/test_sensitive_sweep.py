"""The sensitive-path sweep (issue 9): precise points of every kind (deployment and its twin,
media with EXIF and a path holding the point, observation, transect, patrol track, waypoint and
its time, incident) read through every API endpoint, page, map, export and search as each role.

Roles without precise access never see a digit finer than the withheld grid; the owner and a
precise-locations grantee do see the points (so the sweep fails both ways). Declaring a new
endpoint or page: core/testing/sweep.py (docs/contract-suite.md). Known leaks run as strict
xfails (core/testing/breaches.py SWEEP_BREACHES).
"""

import pytest
from django.db import transaction

from core.testing.breaches import SWEEP_BREACHES
from core.testing.sweep import SWEEP_ROLES, build_sweep_world, leaks, missing, precise_tokens, reads, unswept

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

READS = reads()


@pytest.fixture(scope="module")
def sweep_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield build_sweep_world()
            transaction.set_rollback(True)


def _breach(read, role):
    return SWEEP_BREACHES.get((read.name, role.name)) or SWEEP_BREACHES.get((read.name, "*"))


def _params():
    for read in READS:
        for role in SWEEP_ROLES:
            if read.kind == "page" and role.kind == "key":
                continue  # keys are for the API only
            reason = _breach(read, role)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(read, role, id=f"{read.name}-{role.name}", marks=marks)


def _shown_params():
    for read in READS:
        if not read.shows:
            continue
        for role in (r for r in SWEEP_ROLES if r.precise and not (read.kind == "page" and r.kind == "key")):
            reason = SWEEP_BREACHES.get((read.name, f"shown:{role.name}"))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(read, role, id=f"{read.name}-{role.name}", marks=marks)


def test_every_page_is_swept_or_skipped_with_a_reason():
    assert unswept() == [], "declare these in core/testing/sweep.py SWEEP_DECLARED or SWEEP_SKIPPED"


def test_the_detector_sees_what_it_must():
    """The check itself: exact and sub-grid values are caught, the grid's own answers are not."""
    assert precise_tokens('{"latitude": 44.318734, "longitude": 132.465172}') == {"44.318734", "132.465172"}
    assert precise_tokens("lat 44.32 lon 132.47; 44.319") == {"44.32", "132.47", "44.319"}
    assert precise_tokens('{"latitude": 44.35, "longitude": 132.45, "grid": 0.1}') == set()
    assert precise_tokens("[132.4, 44.3], [132.5, 44.4]; 43.1523, 131.1046") == set()
    assert precise_tokens("GPS 7.4424") and precise_tokens("2019-02-03T03:47:29Z")
    assert not precise_tokens("2026-12-01T03:47:29.123456Z")


def test_the_fixture_holds_the_points(sweep_world):
    deployment, twin = sweep_world.records["deployment"], sweep_world.records["twin"]
    assert (deployment.latitude, twin.latitude, deployment.location_id) == (44.318734, 44.318734, twin.location_id)
    assert sweep_world.records["media"].exif_data["GPSLatitude"][0] == 44
    assert sweep_world.records["leg"].track["coordinates"]


@pytest.mark.parametrize("read, role", _params())
def test_no_precise_digit_where_the_policy_withholds_it(sweep_world, read, role):
    found = leaks(sweep_world, read, role)
    assert not found, f"{read.name} as {role}:\n" + "\n".join(found)


@pytest.mark.parametrize("read, role", _shown_params())
def test_the_owner_and_a_precise_grantee_see_the_points(sweep_world, read, role):
    absent = missing(sweep_world, read, role)
    assert not absent, f"{read.name} as {role} does not show {absent}"
