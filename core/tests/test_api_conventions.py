"""REST conventions every app follows, exercised on protected areas and the shared resources."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role
from core.tests.factories import make_api_key, make_member
from reserves.models import ProtectedArea

URL = "/api/v1/reserves/protected-areas/"
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[130.0, 43.0], [130.1, 43.0], [130.1, 43.1], [130.0, 43.1], [130.0, 43.0]]],
}


def _areas(owner, count, others=()):
    for i in range(count):
        area = ProtectedArea.objects.create(
            owner_agency=owner,
            name_en=f"Area {i}",
            country=owner.country,
            sensitivity="restricted" if others else "partners",
        )
        area.shared_with.set(others)


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_page_size(api_client, cn_agency, ru_agency):
    _areas(cn_agency, 30, others=[ru_agency])
    api_client.force_authenticate(make_member(ru_agency))

    def count(page_size):
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(URL, {"page_size": page_size})
        assert response.status_code == 200
        assert len(response.data["results"]) == page_size
        return len(ctx.captured_queries)

    count(2)  # warm up: the first request also loads the user's membership
    assert count(2) == count(25)


@pytest.mark.django_db
def test_cursor_pagination_walks_every_record_once(api_client, cn_agency):
    _areas(cn_agency, 7)
    api_client.force_authenticate(make_member(cn_agency))
    seen, url = [], URL + "?page_size=3"
    while url:
        page = api_client.get(url).data
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7
    assert "cursor=" in api_client.get(URL + "?page_size=3").data["next"]


@pytest.mark.django_db
def test_bad_write_is_400_with_field_errors_and_changes_nothing(api_client, cn_staff):
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        URL,
        {"name": {"xx": "?"}, "country": "MARS", "boundary": {"type": "Point", "coordinates": [1, 2]}},
        format="json",
    )
    assert response.status_code == 400
    assert {"name", "country", "boundary"} <= set(response.data)
    assert ProtectedArea.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, expected",
    [
        ("ru", "Укажите этот текст хотя бы на одном языке."),
        ("zh-hans", "请至少用一种语言填写此内容。"),
        ("en", "Give this text in at least one language."),
    ],
)
def test_error_messages_follow_accept_language(api_client, cn_staff, language, expected):
    api_client.force_authenticate(cn_staff)
    response = api_client.post(URL, {"name": {"en": ""}, "country": "CN"}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.data["name"] == [expected]


@pytest.mark.django_db
def test_client_uuid_makes_a_retried_create_harmless(api_client, cn_staff):
    api_client.force_authenticate(cn_staff)
    record_id = str(uuid.uuid4())
    body = {"id": record_id, "name": {"en": "Retry park"}, "country": "CN"}
    first = api_client.post(URL, body, format="json")
    second = api_client.post(URL, body, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.data["id"] == second.data["id"] == record_id
    assert ProtectedArea.objects.count() == 1


@pytest.mark.django_db
def test_client_uuid_of_an_invisible_record_is_refused(api_client, cn_agency, ru_staff):
    hidden = ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Hidden", country="CN", sensitivity="owner")
    api_client.force_authenticate(ru_staff)
    response = api_client.post(URL, {"id": str(hidden.pk), "name": {"en": "Mine"}, "country": "RU"}, format="json")
    assert response.status_code == 400
    assert "id" in response.data
    hidden.refresh_from_db()
    assert hidden.name_en == "Hidden"


@pytest.mark.django_db
def test_client_uuid_of_another_agencys_visible_record_is_refused(api_client, cn_agency, ru_staff):
    theirs = ProtectedArea.objects.create(
        owner_agency=cn_agency, name_en="Theirs", country="CN", sensitivity="partners"
    )
    api_client.force_authenticate(ru_staff)
    response = api_client.post(URL, {"id": str(theirs.pk), "name": {"en": "Mine"}, "country": "RU"}, format="json")
    assert response.status_code == 400 and "id" in response.data


@pytest.mark.django_db
def test_etag_and_if_match_prevent_a_lost_update(api_client, cn_agency):
    area = ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Shared", country="CN")
    first, second = make_member(cn_agency, username="a"), make_member(cn_agency, username="b")
    api_client.force_authenticate(first)
    etag = api_client.get(f"{URL}{area.pk}/")["ETag"]
    assert (
        api_client.patch(
            f"{URL}{area.pk}/", {"name": {"en": "A's name"}}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )
    api_client.force_authenticate(second)
    stale = api_client.patch(f"{URL}{area.pk}/", {"name": {"en": "B's name"}}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert api_client.delete(f"{URL}{area.pk}/", HTTP_IF_MATCH=etag).status_code == 412
    area.refresh_from_db()
    assert area.name_en == "A's name"


@pytest.mark.django_db
def test_other_agencies_cannot_change_or_claim_records(api_client, cn_agency, ru_staff):
    area = ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Chinese park", country="CN")
    api_client.force_authenticate(ru_staff)
    assert api_client.patch(f"{URL}{area.pk}/", {"name": {"en": "Taken"}}, format="json").status_code == 403
    response = api_client.post(URL, {"name": {"en": "Fake"}, "country": "CN", "owner_agency": "CNPARK"}, format="json")
    assert response.status_code == 400
    assert "owner_agency" in response.data


@pytest.mark.django_db
def test_invisible_record_is_404(api_client, cn_agency, ru_staff):
    area = ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Secret", country="CN", sensitivity="owner")
    api_client.force_authenticate(ru_staff)
    assert api_client.get(f"{URL}{area.pk}/").status_code == 404


@pytest.mark.django_db
def test_observer_is_read_only(api_client, cn_agency):
    api_client.force_authenticate(make_member(cn_agency, Role.OBSERVER))
    assert api_client.get(URL).status_code == 200
    assert api_client.post(URL, {"name": {"en": "No"}, "country": "CN"}, format="json").status_code == 403


@pytest.mark.django_db
def test_anonymous_api_request_is_refused(api_client):
    assert api_client.get(URL).status_code in (401, 403)


@pytest.mark.django_db
def test_translated_field_round_trip_and_fallback(api_client, cn_staff):
    api_client.force_authenticate(cn_staff)
    created = api_client.post(URL, {"name": {"zh-hans": "只有中文"}, "country": "CN"}, format="json").data
    assert created["name"] == {"zh-hans": "只有中文", "en": "", "ru": ""}
    area = ProtectedArea.objects.get(pk=created["id"])
    from django.utils import translation

    with translation.override("ru"):
        assert str(area) == "只有中文"  # falls back rather than showing an empty name


@pytest.mark.django_db
def test_search_matches_any_language(api_client, cn_agency):
    ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Land of the Leopard",
        name_zh_hans="豹之乡",
        name_ru="Земля леопарда",
        country="RU",
    )
    ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Other", country="CN")
    api_client.force_authenticate(make_member(cn_agency))
    for term in ("豹之乡", "леопарда", "leopard"):
        names = [
            row["name"]["en"] for row in api_client.get(URL, {"q": term}, HTTP_ACCEPT_LANGUAGE="en").data["results"]
        ]
        assert names == ["Land of the Leopard"], term


@pytest.mark.django_db
def test_me_and_agencies(api_client, cn_agency):
    api_client.force_authenticate(make_member(cn_agency, Role.AGENCY_COORDINATOR, username="coord"))
    me = api_client.get("/api/v1/me/").data
    assert me["username"] == "coord" and me["agency"]["code"] == "CNPARK" and me["role"] == "agency_coordinator"
    agencies = api_client.get("/api/v1/agencies/").data["results"]
    assert agencies[0]["name"] == {"zh-hans": "中国公园", "en": "China park", "ru": "Китайский парк"}
    # Shared reference data is changed by the secretariat only.
    assert (
        api_client.post(
            "/api/v1/agencies/", {"code": "X", "name": {"en": "X"}, "country": "CN", "kind": "ngo"}, format="json"
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_secretariat_coordinator_registers_an_agency(api_client, secretariat_agency):
    api_client.force_authenticate(make_member(secretariat_agency, Role.SECRETARIAT_COORDINATOR))
    response = api_client.post(
        "/api/v1/agencies/",
        {"code": "NEWNGO", "name": {"en": "New NGO", "ru": "Новая НКО"}, "country": "RU", "kind": "ngo"},
        format="json",
    )
    assert response.status_code == 201, response.data


# --- API keys -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_key_reads_and_writes_for_its_agency(api_client, cn_agency):
    _key, raw = make_api_key(cn_agency)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.get("/api/v1/me/").data["authenticated_by"] == "api_key"
    response = api_client.post(URL, {"name": {"en": "Via key"}, "country": "CN"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["owner_agency"] == "CNPARK"


@pytest.mark.django_db
def test_read_only_key_cannot_write(api_client, cn_agency):
    _key, raw = make_api_key(cn_agency, read_only=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.get(URL).status_code == 200
    assert api_client.post(URL, {"name": {"en": "No"}, "country": "CN"}, format="json").status_code == 403


@pytest.mark.django_db
def test_revoked_expired_and_wrong_keys_are_refused_with_the_reason(api_client, cn_agency):
    import datetime

    from django.utils import timezone

    revoked, raw_revoked = make_api_key(cn_agency)
    revoked.revoked = True
    revoked.save()
    _expired, raw_expired = make_api_key(cn_agency, expiry_date=timezone.now() - datetime.timedelta(days=1))
    for raw, reason in ((raw_revoked, "revoked"), (raw_expired, "expired"), ("nope.nope", "not valid")):
        api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        response = api_client.get(URL)
        assert response.status_code == 401
        assert reason in str(response.data["detail"])


@pytest.mark.django_db
def test_session_writes_need_csrf(cn_staff):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cn_staff)
    response = client.post(URL, {"name": {"en": "No token"}, "country": "CN"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in str(response.data["detail"])


# --- schema and docs ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_schema_is_valid(client, cn_staff):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert "/api/v1/reserves/protected-areas/" in schema["paths"]
    assert "AgencyApiKey" in schema["components"]["securitySchemes"]
    # The schema is for partners and staff, not for anyone on the network.
    assert client.get("/api/v1/schema/").status_code == 401
    client.force_login(cn_staff)
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_swagger_ui_is_served_offline(client, cn_staff):
    import re

    client.force_login(cn_staff)
    html = client.get("/api/v1/docs/").content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
    assert urls, "the docs page should load its assets"
    assert all(not u.startswith(("http://", "https://", "//")) for u in urls), urls


@pytest.mark.django_db
def test_a_multipart_body_where_no_file_is_uploaded_is_refused(api_client, cn_staff):
    """The API reads JSON; multipart only where a file is uploaded (core.api.parsers): a 415 that
    names the type, and nothing is created."""
    from reserves.models import ProtectedArea

    api_client.force_authenticate(cn_staff)
    before = ProtectedArea.objects.count()
    response = api_client.post(URL, {"name": '{"ru": "Парк", "en": "Park"}', "country": "CN"}, format="multipart")
    assert response.status_code == 415 and "multipart/form-data" in str(response.data["detail"])
    assert ProtectedArea.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("language, fragment", [("en", "still used"), ("ru", "используется")])
def test_deleting_a_record_others_depend_on_is_a_409_not_a_server_error(
    api_client, cn_agency, secretariat_agency, language, fragment
):
    ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Owned", country="CN")
    api_client.force_authenticate(make_member(secretariat_agency, Role.SECRETARIAT_COORDINATOR))
    response = api_client.delete("/api/v1/agencies/CNPARK/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 409
    assert fragment in str(response.data["detail"])
    assert ProtectedArea.objects.filter(owner_agency=cn_agency).exists()
