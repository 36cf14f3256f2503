"""Issue 9, side channel 4 follow-up: no exact time of a generalized record on any path.

A waypoint or incident shown generalized, and a leg whose line is withheld, keep their dates
only: `created_at`/`updated_at` (and a leg's first and last fix, `start`/`end`) are null for those
viewers, and no list's cursor (base64 of the last row's ordering value) carries a time for them,
whatever ordering is asked for. Every role, every API path and the pages.
"""

import base64
import datetime
from urllib.parse import parse_qs, unquote_plus, urlparse

import pytest

from antipoaching.models import Incident, Patrol, PatrolLeg, Waypoint

from .test_tracks_and_times import API, PUBLIC, _roles, field  # noqa: F401 (the fixture)

STAMP = datetime.datetime(2026, 3, 2, 2, 37, 41, 123456, tzinfo=datetime.UTC)
LEG_START = datetime.datetime(2026, 3, 2, 1, 13, 29, tzinfo=datetime.UTC)
LEG_END = datetime.datetime(2026, 3, 2, 5, 19, 53, tzinfo=datetime.UTC)
# Minutes and seconds: the same in every zone with a whole-hour offset.
CREATED = ("37:41",)
LEG_FIXES = ("13:29", "19:53")


@pytest.fixture
def stamped(field):  # noqa: F811
    # Every other time on these paths is fixed too, so that no clock reading matches by chance.
    calm = datetime.datetime(2026, 3, 1, 6, 0, 0, tzinfo=datetime.UTC)
    for model in (Waypoint, Incident, PatrolLeg, Patrol):
        model.objects.update(created_at=calm, updated_at=calm)
    Waypoint.objects.filter(pk=field["sign"].pk).update(created_at=STAMP, updated_at=STAMP)
    Incident.objects.filter(pk=field["incident"].pk).update(created_at=STAMP, updated_at=STAMP)
    PatrolLeg.objects.filter(pk=field["leg"].pk).update(
        start=LEG_START, end=LEG_END, created_at=STAMP, updated_at=STAMP
    )
    return field


def _decoded_cursors(api, url, params):
    """The decoded cursors of the first pages of `url` (page size 1)."""
    found, next_url = [], None
    response = api.get(url, {**params, "page_size": 1})
    for _page in range(6):
        assert response.status_code == 200, (url, params, response.status_code)
        next_url = response.json().get("next")
        if not next_url:
            break
        cursor = parse_qs(urlparse(next_url).query)["cursor"][0]
        found.append(unquote_plus(base64.b64decode(cursor + "=" * (-len(cursor) % 4)).decode()))
        response = api.get(next_url)
    return found, response


def _api_texts(api, records):
    texts = []
    if api.get(f"{API}/waypoints/").status_code in (401, 403):
        return texts  # the public: the API answers nothing at all
    for url, orderings in (
        (f"{API}/waypoints/", ["", "created_at", "-created_at", "time", "-updated_at"]),
        (f"{API}/incidents/", ["", "created_at", "-created_at", "updated_at", "occurred_on"]),
        (f"{API}/patrol-legs/", ["", "created_at", "-created_at", "start"]),
        (f"{API}/patrols/", [""]),
    ):
        for ordering in orderings:
            params = {"ordering": ordering} if ordering else {}
            response = api.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            texts.append(("list " + url + ordering, response.content.decode()))
            cursors, _last = _decoded_cursors(api, url, params)
            texts.extend(("cursor " + url + ordering, c) for c in cursors)
    for url in (
        f"{API}/waypoints/{records['sign'].pk}/",
        f"{API}/incidents/{records['incident'].pk}/",
        f"{API}/patrol-legs/{records['leg'].pk}/",
        f"{API}/patrols/{records['patrol'].pk}/",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        texts.append((url, response.content.decode()))
    return texts


@pytest.mark.django_db
def test_no_path_gives_the_exact_time_of_a_withheld_record(stamped, cn_staff, ru_staff, ru_agency, third_staff):
    for role, expected, api, page in _roles(cn_staff, ru_staff, ru_agency, third_staff):
        texts = _api_texts(api, stamped)
        if page is not None:
            for url in (f"/en/antipoaching/patrols/{stamped['patrol'].pk}/",):
                response = page.get(url)
                assert response.status_code in ((200, 302) if expected == PUBLIC else (200,)), (role, url)
                texts.append((url, response.content.decode()))
        joined = "\n".join(text for _where, text in texts)
        if role == "owner":
            # The rule is not vacuous: the owner is given every time.
            assert all(pattern in joined for pattern in CREATED + LEG_FIXES), role
            continue
        # Waypoints and legs follow the patrol grant; incidents have no grant here.
        patterns = CREATED if role == "grantee" else CREATED + LEG_FIXES
        for where, text in texts:
            if role == "grantee" and ("waypoints" in where or "patrol" in where) and "incidents" not in where:
                continue
            for pattern in patterns:
                assert pattern not in text, f"{role} ({expected}): {pattern} in {where}"
        if expected == PUBLIC:
            continue
        withheld_leg = api.get(f"{API}/patrol-legs/{stamped['leg'].pk}/").json()
        if role != "grantee":
            assert withheld_leg["start"] is None and withheld_leg["created_at"] is None
            assert withheld_leg["start_date"] == "2026-03-02" and withheld_leg["end_date"] == "2026-03-02"
        incident = api.get(f"{API}/incidents/{stamped['incident'].pk}/").json()
        assert incident["created_at"] is None and incident["updated_at"] is None, role


@pytest.mark.django_db
def test_the_cursor_of_a_withheld_list_is_no_time(stamped, ru_staff):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(ru_staff)
    for url in (f"{API}/waypoints/", f"{API}/incidents/", f"{API}/patrol-legs/"):
        for ordering in ("", "created_at", "-updated_at"):
            cursors, _ = _decoded_cursors(api, url, {"ordering": ordering} if ordering else {})
            for cursor in cursors:
                position = parse_qs(cursor).get("p", [""])[0]
                assert not position[:4].isdigit() or "-" in position[8:], (url, ordering, cursor)
                assert "T" not in position or len(position) == 36, (url, ordering, cursor)  # a uuid, no time
