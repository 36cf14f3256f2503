"""Login with brute-force lockout, logout, password reset by email, and the create_api_key command."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from core.models import AgencyAPIKey
from core.tests.factories import make_member


@pytest.fixture(autouse=True)
def _reset_axes(db):
    from axes.utils import reset

    reset()


@pytest.mark.django_db
@pytest.mark.sqlite
def test_login_and_logout(client, cn_agency):
    make_member(cn_agency, username="ranger")
    response = client.post("/en/accounts/login/", {"username": "ranger", "password": "pw-for-tests-1"})
    assert response.status_code == 302 and response["Location"] == "/en/"
    assert client.get("/en/").status_code == 200
    client.post("/en/accounts/logout/")
    assert client.get("/en/").status_code == 302


@pytest.mark.django_db
def test_lockout_after_repeated_failures_even_with_the_right_password(client, cn_agency):
    make_member(cn_agency, username="target")
    for _ in range(5):
        client.post("/en/accounts/login/", {"username": "target", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    locked = client.post(
        "/en/accounts/login/", {"username": "target", "password": "pw-for-tests-1"}, REMOTE_ADDR="10.9.9.9"
    )
    assert locked.status_code == 429
    assert "Too many failed login attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_by_email(client, cn_agency):
    user = make_member(cn_agency, username="forgetful")
    response = client.post("/en/accounts/password-reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "a-new-long-pass-99", "new_password2": "a-new-long-pass-99"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-pass-99")


@pytest.mark.django_db
def test_create_api_key_prints_the_key_alone_on_the_last_line(client, cn_agency):
    out = io.StringIO()
    call_command(
        "create_api_key",
        "--agency",
        "CNPARK",
        "--name",
        "SMART sync",
        "--read-only",
        "--expires",
        "2099-12-31",
        stdout=out,
    )
    raw = out.getvalue().strip().splitlines()[-1]
    key = AgencyAPIKey.objects.get_from_key(raw)
    assert key.agency == cn_agency and key.read_only and key.name == "SMART sync"
    assert key.expiry_date.date() == datetime.date(2099, 12, 31)
    assert raw not in str(key.hashed_key) and key.hashed_key != raw  # stored hashed
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 200 and response.json()["read_only"] is True


@pytest.mark.django_db
def test_create_api_key_refuses_bad_input(cn_agency):
    with pytest.raises(CommandError, match="No agency"):
        call_command("create_api_key", "--agency", "NOPE", "--name", "x", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("create_api_key", "--agency", "CNPARK", "--name", "x", "--expires", "soon", stdout=io.StringIO())
    assert AgencyAPIKey.objects.count() == 0


@pytest.mark.django_db
def test_admin_revokes_a_key(client, cn_agency):
    from core.tests.factories import UserFactory, make_api_key

    key, raw = make_api_key(cn_agency)
    admin = UserFactory(username="keyadmin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/en/admin/core/agencyapikey/{key.pk}/change/")
    assert page.status_code == 200
    key.revoked = True
    key.save()
    client.logout()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 401
