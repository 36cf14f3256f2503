"""The attack surface outside the data (issue 9): lockout behind the proxy, rate limits, what an
outsider sees of an agency, malformed input, and who may read the API schema."""

import json

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from core.middleware import client_ip
from core.tests.factories import make_api_key, make_member

PROXY = "10.0.0.1"  # the TLS proxy: every request reaches the portal from it


@pytest.fixture(autouse=True)
def _clean_counters(db):
    from axes.utils import reset

    reset()
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password, forwarded_for):
    return client.post(
        "/en/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


# --- login lockout behind the proxy -----------------------------------------------------------


@pytest.mark.django_db
@override_settings(PORTAL_TRUSTED_PROXY_COUNT=1)
def test_an_attacker_behind_the_proxy_cannot_lock_the_owner_out(client, cn_agency):
    make_member(cn_agency, username="owner")
    for _ in range(5):
        _login(client, "owner", "wrong", "203.0.113.5")
    # The attacker's own pair is locked, even when it forges an X-Forwarded-For entry in front of
    # the one the proxy appends.
    assert _login(client, "owner", "pw-for-tests-1", "198.51.100.7, 203.0.113.5").status_code == 429
    assert "_auth_user_id" not in client.session
    # The owner, from another address, logs in.
    owner = _login(client, "owner", "pw-for-tests-1", "198.51.100.7")
    assert owner.status_code == 302
    assert client.session["_auth_user_id"]


def test_client_ip_takes_the_address_the_trusted_proxies_saw(rf):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5, 10.0.0.2")
    with override_settings(PORTAL_TRUSTED_PROXY_COUNT=0):
        assert client_ip(request) == PROXY
    with override_settings(PORTAL_TRUSTED_PROXY_COUNT=1):
        assert client_ip(request) == "10.0.0.2"
    with override_settings(PORTAL_TRUSTED_PROXY_COUNT=2):
        assert client_ip(request) == "203.0.113.5"
    # Fewer entries than proxies, or garbage: the connection's address, never a client's claim.
    with override_settings(PORTAL_TRUSTED_PROXY_COUNT=4):
        assert client_ip(request) == PROXY
    with override_settings(PORTAL_TRUSTED_PROXY_COUNT=1):
        assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-ip")) == PROXY


def test_the_lockout_never_counts_the_username_alone():
    from django.conf import settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "core.middleware.client_ip"
    for parameters in settings.AXES_LOCKOUT_PARAMETERS:
        combination = [parameters] if isinstance(parameters, str) else list(parameters)
        assert combination != ["username"], settings.AXES_LOCKOUT_PARAMETERS
        assert "ip_address" in combination


# --- password reset mails ---------------------------------------------------------------------


def _reset(client, email, address="203.0.113.5"):
    return client.post("/en/accounts/password-reset/", {"email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_password_reset_mails_to_one_address_are_limited_and_answered_alike(client, cn_agency):
    user = make_member(cn_agency, username="forgetful")
    answers = [_reset(client, user.email, address=f"203.0.113.{n}") for n in range(6)]
    assert len(mail.outbox) == 3  # PORTAL_RATE_LIMITS["password_reset_email"]
    # Over the limit, and for an address without an account, the answer is the same redirect.
    unknown = _reset(client, "nobody@example.org", address="203.0.113.99")
    assert {(a.status_code, a["Location"]) for a in [*answers, unknown]} == {(302, "/en/accounts/password-reset/sent/")}
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_password_reset_requests_from_one_client_are_limited(client, cn_agency):
    user = make_member(cn_agency, username="forgetful")
    for n in range(10):  # PORTAL_RATE_LIMITS["password_reset_client"], each to another address
        assert _reset(client, f"probe{n}@example.org").status_code == 302
    refused = _reset(client, user.email)
    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    assert mail.outbox == []
    # Another client is not affected.
    assert _reset(client, user.email, address="198.51.100.7").status_code == 302
    assert len(mail.outbox) == 1


# --- API keys ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_repeated_invalid_api_keys_are_refused_for_a_while_but_a_valid_key_works(client, cn_agency):
    _, raw = make_api_key(cn_agency)
    prefix = raw.split(".")[0]
    for n in range(10):  # PORTAL_RATE_LIMITS["api_key_failures"]
        bad = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {prefix}.wrong{n}", REMOTE_ADDR="203.0.113.5")
        assert bad.status_code == 401
    throttled = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Api-Key guess.again", REMOTE_ADDR="203.0.113.5")
    assert throttled.status_code == 429
    assert "Too many invalid API keys" in throttled.json()["detail"]
    assert int(throttled["Retry-After"]) > 0
    # The valid key keeps working, from that client and from others; other clients are not throttled.
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}", REMOTE_ADDR="203.0.113.5").status_code == 200
    other = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Api-Key guess.again", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 401


# --- what an outsider sees of an agency -------------------------------------------------------


@pytest.mark.django_db
def test_agency_pages_show_members_only_to_the_agency_and_the_secretariat(
    client, cn_agency, ru_agency, secretariat_agency
):
    make_member(cn_agency, username="cn_ranger_zhang")
    page = f"/en/agencies/{cn_agency.code}/"
    viewers = {
        "ru_outsider": (ru_agency, False),
        "cn_colleague": (cn_agency, True),
        "sec_officer": (secretariat_agency, True),
    }
    for username, (agency, sees) in viewers.items():
        client.force_login(make_member(agency, username=username))
        html = client.get(page).content.decode()
        assert cn_agency.name in html  # name, country, kind and contact are for everyone signed in
        assert ("cn_ranger_zhang" in html) is sees, username
    client.logout()
    assert client.get(page).status_code == 302  # anonymous: to the login page


@pytest.mark.django_db
def test_the_api_gives_no_member_of_another_agency(client, cn_agency, ru_agency):
    make_member(cn_agency, username="cn_ranger_zhang")
    client.force_login(make_member(ru_agency, username="ru_outsider"))
    for path in ("/api/v1/agencies/", f"/api/v1/agencies/{cn_agency.code}/", "/api/v1/me/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "cn_ranger_zhang" not in response.content.decode(), path
    assert client.get("/api/v1/me/").json()["username"] == "ru_outsider"


# --- malformed input --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    ["2026-01-01T00:00:00+16:00", "2026-01-01T00:00:00-99:99", "garbage", "2026-13-45", "9" * 400],
    ids=["offset+16", "offset-99", "garbage", "month13", "long"],
)
def test_a_bad_updated_since_is_a_400_not_a_500(client, cn_staff, value):
    client.force_login(cn_staff)
    response = client.get("/api/v1/reserves/protected-areas/", {"updated_since": value})
    assert response.status_code == 400, response.content
    assert "updated_since" in response.json()
    assert client.get("/en/reserves/", {"updated_since": value}).status_code == 200


@pytest.mark.django_db
def test_updated_since_accepts_the_largest_offsets_the_database_keeps(client, cn_staff):
    client.force_login(cn_staff)
    for value in ("2026-01-01T00:00:00+15:59", "2026-01-01T00:00:00-15:59", "2026-01-01T00:00:00Z"):
        assert client.get("/api/v1/reserves/protected-areas/", {"updated_since": value}).status_code == 200, value


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "q=%FF%FE", "updated_since=%00"])
def test_a_nul_byte_or_invalid_utf8_in_the_query_string_is_a_400(client, cn_staff, query):
    client.force_login(cn_staff)
    for path in ("/api/v1/agencies/", "/api/v1/reserves/protected-areas/", "/en/search/", "/en/agencies/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        text = response.content.decode()
        assert "NUL" in text or "UTF-8" in text, text


def _post_json(client, body, **extra):
    return client.generic("POST", "/api/v1/grants/", body, content_type="application/json", **extra)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested"),
        (b'{"a": ' * 70 + b"1" + b"}" * 70, "nested deeper than 64"),
        (json.dumps({"note": "a\x00b"}).encode(), "NUL"),
        (json.dumps({"a\x00": 1}).encode(), "NUL"),
        (b'{"note": "\xff\xfe"}', "UTF-8"),
        (b'{"value": NaN}', "NaN"),
        (b'{"unclosed": ', "not valid JSON"),
    ],
    ids=["deep", "depth65", "nul-value", "nul-key", "utf8", "nan", "truncated"],
)
def test_malformed_json_bodies_are_a_400_with_a_message(client, cn_agency, body, message):
    from core.models import Role

    client.force_login(make_member(cn_agency, role=Role.AGENCY_COORDINATOR, username="coord"))
    response = _post_json(client, body)
    assert response.status_code == 400, response.content[:300]
    assert message in response.json()["detail"]


@pytest.mark.django_db
@override_settings(PORTAL_MAX_REQUEST_MB=1)
def test_an_enormous_body_is_refused_before_it_is_read(client, cn_staff):
    client.force_login(cn_staff)
    big = json.dumps({"name": "x" * (1024 * 1024 + 10)}).encode()
    response = _post_json(client, big)
    assert response.status_code == 400
    assert response.json() == {"detail": "The request is larger than 1 MB.", "code": "request_too_large"}
    page = client.post("/en/search/", {"q": "x" * (1024 * 1024 + 10)})
    assert page.status_code == 400 and "larger than 1 MB" in page.content.decode()


def test_the_request_limit_leaves_room_for_the_largest_upload():
    from django.conf import settings

    assert settings.PORTAL_MAX_REQUEST_MB > settings.PORTAL_MAX_UPLOAD_MB
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.PORTAL_MAX_REQUEST_MB * 1024 * 1024


# --- the API schema and docs ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_and_docs_need_a_session_or_an_api_key(client, cn_agency, cn_staff):
    for path in ("/api/v1/schema/", "/api/v1/docs/"):
        assert client.get(path).status_code in (401, 403), path
    _, raw = make_api_key(cn_agency, read_only=True)
    assert client.get("/api/v1/schema/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 200
    client.force_login(cn_staff)
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200
