"""Notifications: only the caller's own, unread count in the header, mark read; obligations API; admin."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from core import reminders
from core.models import Notification
from core.tests.factories import make_api_key, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def notify(user, subject="Due soon", url="/en/policy/"):
    return Notification.objects.create(recipient=user, subject=subject, body="text", url=url, kind="before_due")


@pytest.fixture
def two_users(cn_agency, ru_agency):
    return make_member(cn_agency, "agency_coordinator"), make_member(ru_agency, "agency_coordinator")


def test_api_lists_only_my_notifications_and_marks_read(api_client, two_users):
    me, other = two_users
    mine = [notify(me, f"mine {i}") for i in range(3)]
    notify(other, "not mine")
    api_client.force_login(me)
    response = api_client.get("/api/v1/notifications/")
    assert response.status_code == 200
    assert {n["subject"] for n in response.json()["results"]} == {"mine 0", "mine 1", "mine 2"}
    assert response["X-Unread-Count"] == "3"
    other_id = Notification.objects.get(recipient=other).pk
    assert api_client.post(f"/api/v1/notifications/{other_id}/read/").status_code == 404
    read = api_client.post(f"/api/v1/notifications/{mine[0].pk}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert api_client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    assert api_client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"].__len__() == 2
    done = api_client.post("/api/v1/notifications/read-all/", {}, format="json")
    assert done.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.get(recipient=other).read_at is None


def test_api_key_has_no_inbox(api_client, cn_agency):
    _obj, key = make_api_key(cn_agency)
    response = api_client.get("/api/v1/notifications/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code in (401, 403)


def test_header_badge_and_notification_page(client, two_users):
    me, _other = two_users
    notify(me, "first")
    second = notify(me, "second")
    client.force_login(me)
    page = client.get("/en/notifications/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-unread="2"' in html and "second" in html
    response = client.post(f"/en/notifications/{second.pk}/read/", {"next": "/en/notifications/"})
    assert response.status_code == 302
    assert 'data-unread="1"' in client.get("/en/").content.decode()
    opened = client.post(f"/en/notifications/{Notification.objects.get(subject='first').pk}/read/", {"open": "1"})
    assert opened["Location"] == "/en/policy/"
    assert "data-unread" not in client.get("/en/").content.decode()
    notify(me, "third")
    client.post("/en/notifications/read-all/")
    assert reminders.unread_count(me) == 0


def test_cannot_mark_someone_elses_notification(client, two_users):
    me, other = two_users
    theirs = notify(other)
    client.force_login(me)
    assert client.post(f"/en/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_obligations_api_and_calendar_page_follow_the_agency(
    api_client, client, two_users, cn_agency, ru_agency, secretariat_agency
):
    me, _other = two_users
    for agency in (cn_agency, ru_agency):
        reminders.upsert_obligation(agency, agency=agency, due_date=datetime.date(2030, 1, 15), title="Report")
    api_client.force_login(me)
    codes = {o["agency"] for o in api_client.get("/api/v1/obligations/").json()["results"]}
    assert codes == {"CNPARK"}
    api_client.force_login(make_member(secretariat_agency, "secretariat_coordinator"))
    codes = {o["agency"] for o in api_client.get("/api/v1/obligations/").json()["results"]}
    assert codes == {"CNPARK", "RUPARK"}
    client.force_login(me)
    page = client.get("/en/obligations/")
    assert page.status_code == 200
    assert {o.agency.code for _month, items in page.context["months"] for o in items} == {"CNPARK"}


def test_admin_has_every_model(client, two_users, cn_agency):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw-for-tests-1")
    client.force_login(admin)
    item = reminders.upsert_obligation(cn_agency, agency=cn_agency, due_date=datetime.date(2030, 1, 15), title="Report")
    assert client.get(f"/en/admin/core/datedobligation/{item.pk}/change/").status_code == 200
    assert client.get(f"/en/admin/core/reminder/{item.reminders.first().pk}/change/").status_code == 200
    for path in (
        "core/datedobligation",
        "core/reminder",
        "core/notification",
        "policy/exchangeagreement",
        "policy/exchangeround",
        "policy/submission",
        "django_celery_beat/periodictask",
    ):
        assert client.get(f"/en/admin/{path}/").status_code == 200, path
