"""Coordinators manage their own agency's API keys on a page: shown once, hashed, expiring, audited."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import AgencyAPIKey, ObjectChange
from core.tests.factories import make_api_key, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

LIST, NEW = "/en/api-keys/", "/en/api-keys/new/"


def revoke_url(key):
    return f"/en/api-keys/{key.prefix}/revoke/"


@pytest.fixture
def people(cn_agency, ru_agency, secretariat_agency):
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-1")
    return {
        "cn_coordinator": make_member(cn_agency, "agency_coordinator"),
        "ru_coordinator": make_member(ru_agency, "agency_coordinator"),
        "secretariat_coordinator": make_member(secretariat_agency, "secretariat_coordinator"),
        "cn_staff": make_member(cn_agency, "agency_staff"),
        "cn_expert": make_member(cn_agency, "expert"),
        "cn_observer": make_member(cn_agency, "observer"),
        "superuser": superuser,
    }


def issue(client, agency, name="SMART sync", **extra):
    return client.post(NEW, {"agency": agency.pk, "name": name, **extra})


def test_coordinator_issues_a_key_shown_once_and_stored_hashed(client, people, cn_agency, api_client):
    client.force_login(people["cn_coordinator"])
    response = issue(client, cn_agency, read_only="on", expires=(timezone.now().date() + datetime.timedelta(days=30)))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = AgencyAPIKey.objects.get(agency=cn_agency)
    secret = response.context["secret"]
    assert secret.startswith(key.prefix + ".") and secret in response.content.decode()
    assert key.read_only and key.expiry_date is not None and key.name == "SMART sync"
    # Hashed: the secret is in no column, and the key works against the API.
    assert secret not in {key.id, key.hashed_key} and secret.split(".", 1)[1] not in key.hashed_key
    assert AgencyAPIKey.objects.get_from_key(secret) == key
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code == 200
    # Never shown again: the list shows the prefix only.
    listing = client.get(LIST).content.decode()
    assert key.prefix in listing and secret not in listing and "SMART sync" in listing
    # Audited, without the hash.
    entry = ObjectChange.objects.get(object_id=key.prefix, action="create")
    assert entry.user == people["cn_coordinator"] and entry.agency == cn_agency
    assert entry.after["read_only"] is True and key.hashed_key not in str(entry.after)


def test_coordinator_revokes_own_key_audited(client, people, cn_agency, api_client):
    key, secret = make_api_key(cn_agency)
    client.force_login(people["cn_coordinator"])
    assert client.get(revoke_url(key)).status_code == 200
    # Without the confirmation: a form error, nothing revoked.
    unconfirmed = client.post(revoke_url(key), {})
    assert unconfirmed.status_code == 200 and unconfirmed.context["form"].errors
    key.refresh_from_db()
    assert not key.revoked
    assert client.post(revoke_url(key), {"confirm": "on"}).status_code == 302
    key.refresh_from_db()
    assert key.revoked
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code in (401, 403)
    entry = ObjectChange.objects.get(object_id=key.prefix, action="update")
    assert entry.after == {"revoked": True} and entry.user == people["cn_coordinator"]


@pytest.mark.parametrize(
    "role, status",
    [
        ("cn_coordinator", 200),
        ("superuser", 200),
        ("ru_coordinator", 403),  # another agency's coordinator
        ("secretariat_coordinator", 403),  # the secretariat does not hand out a park's keys
        ("cn_staff", 403),
        ("cn_expert", 403),
        ("cn_observer", 403),
    ],
)
def test_only_own_coordinators_and_superusers_manage_an_agencys_keys(client, people, cn_agency, role, status):
    key, _secret = make_api_key(cn_agency)
    client.force_login(people[role])
    revoke = client.post(revoke_url(key), {"confirm": "on"})
    key.refresh_from_db()
    if status == 200:
        assert revoke.status_code == 302 and key.revoked
        return
    assert revoke.status_code == 403 and not key.revoked
    assert client.get(revoke_url(key)).status_code == 403
    before = AgencyAPIKey.objects.filter(agency=cn_agency).count()
    response = issue(client, cn_agency)
    # Either refused outright (no key page at all) or the agency is not among the choices.
    assert response.status_code in (200, 403)
    assert AgencyAPIKey.objects.filter(agency=cn_agency).count() == before
    if role in ("cn_staff", "cn_expert", "cn_observer"):
        page = client.get(LIST)
        assert page.status_code == 403
        # The portal's 403 page, with the header, saying why.
        assert "coordinators" in page.content.decode() and 'id="user-menu"' in page.content.decode()
    else:
        listing = client.get(LIST)
        assert listing.status_code == 200 and key.prefix not in listing.content.decode()


def test_list_shows_only_own_agencys_keys_superuser_all(client, people, cn_agency, ru_agency):
    cn_key, _ = make_api_key(cn_agency)
    ru_key, _ = make_api_key(ru_agency, read_only=True)
    client.force_login(people["cn_coordinator"])
    body = client.get(LIST).content.decode()
    assert cn_key.prefix in body and ru_key.prefix not in body
    client.force_login(people["superuser"])
    body = client.get(LIST).content.decode()
    assert cn_key.prefix in body and ru_key.prefix in body
    assert issue(client, ru_agency, name="by admin").status_code == 200
    assert AgencyAPIKey.objects.filter(agency=ru_agency, name="by admin").exists()


def test_list_shows_state_last_use_and_expiry(client, people, cn_agency):
    past = timezone.now() - datetime.timedelta(days=1)
    expired, _ = make_api_key(cn_agency, expiry_date=past)
    used, _ = make_api_key(cn_agency, read_only=True)
    AgencyAPIKey.objects.filter(pk=used.pk).update(last_used_at=timezone.now())
    client.force_login(people["cn_coordinator"])
    body = client.get(LIST).content.decode()
    row = body[body.index(f'data-prefix="{expired.prefix}"') :]
    assert "Expired" in row.split("</tr>")[0]
    row = body[body.index(f'data-prefix="{used.prefix}"') :].split("</tr>")[0]
    assert "Read only" in row and "Never" not in row and "Active" in row


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "ok", "expires": "2001-01-01"}, "expires"),
        ({"name": "ok", "expires": "soon"}, "expires"),
        ({"name": "ok", "agency": "999999"}, "agency"),
        ({"name": "ok", "agency": "not-a-number"}, "agency"),
    ],
)
def test_bad_input_is_a_form_error_not_a_500(client, people, cn_agency, data, field):
    client.force_login(people["cn_coordinator"])
    response = client.post(NEW, {"agency": cn_agency.pk, **data})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not AgencyAPIKey.objects.exists()


def test_coordinator_cannot_issue_for_another_agency_by_tampering(client, people, ru_agency):
    client.force_login(people["cn_coordinator"])
    response = issue(client, ru_agency)
    assert response.status_code == 200 and "agency" in response.context["form"].errors
    assert not AgencyAPIKey.objects.filter(agency=ru_agency).exists()


def test_unknown_prefix_is_404_and_api_key_cannot_use_the_page(client, people, cn_agency, api_client):
    client.force_login(people["cn_coordinator"])
    assert client.get("/en/api-keys/nope1234/revoke/").status_code == 404
    _key, secret = make_api_key(cn_agency)
    # The pages are for people: a key (even read-write) never manages keys.
    response = api_client.get(LIST, HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert response.status_code in (302, 403)


def test_menu_entry_for_coordinators_only(client, people):
    client.force_login(people["cn_coordinator"])
    assert 'href="/en/api-keys/"' in client.get("/en/").content.decode()
    client.force_login(people["cn_staff"])
    assert 'href="/en/api-keys/"' not in client.get("/en/").content.decode()


def test_command_uses_the_same_service_and_is_audited(cn_agency):
    import io

    out = io.StringIO()
    call_command("create_api_key", "--agency", cn_agency.code, "--name", "cli", stdout=out)
    key = AgencyAPIKey.objects.get(agency=cn_agency, name="cli")
    assert ObjectChange.objects.filter(object_id=key.prefix, action="create").exists()


def test_expiry_is_the_chosen_day_whatever_the_time_zone(client, people, cn_agency, settings):
    settings.TIME_ZONE = "Asia/Vladivostok"  # UTC+10: the end of the day UTC is the next morning here
    client.force_login(people["cn_coordinator"])
    response = issue(client, cn_agency, expires="2099-03-01")
    assert "1 Mar 2099" in response.content.decode()
    assert "1 Mar 2099" in client.get(LIST).content.decode()
    key = AgencyAPIKey.objects.get(agency=cn_agency)
    assert key.expiry_date.astimezone(datetime.UTC).date() == datetime.date(2099, 3, 1)


def test_the_admin_issues_and_revokes_through_the_same_service(client, people, cn_agency):
    """Admin-issued keys are hashed, shown once and audited like the page's; one API-key section."""
    client.force_login(people["superuser"])
    response = client.post(
        "/en/admin/core/agencyapikey/add/",
        {"name": "admin-issued", "agency": cn_agency.pk, "read_only": "on", "expiry_date": ""},
        follow=True,
    )
    assert response.status_code == 200
    key = AgencyAPIKey.objects.get(name="admin-issued")
    shown = [str(message) for message in response.context["messages"]]
    assert any(key.prefix + "." in text for text in shown)
    assert ObjectChange.objects.filter(object_id=key.prefix, action="create").exists()
    client.post(
        reverse("admin:core_agencyapikey_change", args=[key.pk]),
        {"name": "admin-issued", "agency": cn_agency.pk, "read_only": "on", "expiry_date": "", "revoked": "on"},
    )
    key.refresh_from_db()
    assert key.revoked
    assert ObjectChange.objects.filter(object_id=key.prefix, action="update").exists()
    index = client.get(reverse("admin:index")).content.decode()
    assert "rest_framework_api_key/apikey/" not in index
