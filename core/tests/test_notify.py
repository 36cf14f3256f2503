"""core.notify: one notification per recipient in their language, email by preference, digests once."""

import datetime
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection as db_connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from core import notify, reminders, tasks
from core.models import EmailStatus, Notification, NotificationPreference
from core.tests.factories import AgencyFactory, make_api_key, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Strings the catalogues already translate, so the test sees each language.
SUBJECT = gettext_lazy("Overdue notice")
BODY = gettext_lazy("Notifications")
EVENT = "core.test_event"


class Record:
    """A stand-in for an app's record: a link and a name that follow the active language."""

    def get_absolute_url(self):
        return reverse("core:notification-list")

    def __str__(self):
        return str(gettext_lazy("Agency"))


def prefer(user, value):
    notify.set_email_delivery(user, value)
    user.refresh_from_db()
    return user


def send(recipients, capture, **kwargs):
    with capture(execute=True):
        return notify.notify(recipients, kwargs.pop("event", EVENT), SUBJECT, BODY, record=Record(), **kwargs)


def test_each_recipient_gets_it_in_their_own_language(cn_agency, ru_agency, django_capture_on_commit_callbacks):
    zh = make_member(cn_agency, "agency_staff", username="zh", language="zh-hans")
    ru = make_member(ru_agency, "agency_staff", username="ru", language="ru")
    en = make_member(ru_agency, "agency_coordinator", username="en", language="en")
    made = send([zh, ru, en], django_capture_on_commit_callbacks, context={"extra": 1})
    assert len(made) == 3
    by_user = {n.recipient.username: n for n in Notification.objects.filter(event=EVENT)}
    assert by_user["zh"].subject == "逾期通知" and by_user["zh"].body == "通知" and by_user["zh"].language == "zh-hans"
    assert by_user["ru"].subject == "Уведомление о просрочке" and by_user["ru"].body == "Уведомления"
    assert by_user["en"].subject == "Overdue notice"
    # The link opens the portal in the recipient's language.
    assert by_user["ru"].url.startswith("/ru/") and by_user["zh"].url.startswith("/zh-hans/")
    emails = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 3
    assert emails["ru@example.org"].subject == "Уведомление о просрочке"
    assert emails["ru@example.org"].extra_headers["Content-Language"] == "ru"
    assert "Уведомления" in emails["ru@example.org"].body and "/ru/notifications/" in emails["ru@example.org"].body
    assert emails["zh@example.org"].subject == "逾期通知"
    assert emails["en@example.org"].subject == "Overdue notice"
    assert set(Notification.objects.values_list("email_status", "email_sends")) == {(EmailStatus.SENT, 1)}


def test_subject_formatted_with_context_and_record_in_the_language(cn_agency, django_capture_on_commit_callbacks):
    ru = make_member(cn_agency, username="ru1", language="ru")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify([ru], EVENT, "%(record)s: %(n)s", None, record=Record(), context={"n": 3})
    assert Notification.objects.get().subject == "Ведомство: 3"


def test_template_body_is_rendered(cn_agency):
    user = make_member(cn_agency, username="tpl", language="ru")
    notify.notify([user], EVENT, SUBJECT, "core/notifications/daily_digest_subject.txt", context={"notifications": []})
    body = Notification.objects.get().body
    assert "Туманган" in body and "{%" not in body  # the template, rendered in the user's language


def test_immediate_daily_and_none_preferences(cn_agency, django_capture_on_commit_callbacks):
    now_ = make_member(cn_agency, "agency_staff", username="now")
    daily = prefer(make_member(cn_agency, "agency_coordinator", username="daily"), "daily")
    never = prefer(make_member(cn_agency, "expert", username="never"), "none")
    send([now_, daily, never], django_capture_on_commit_callbacks)
    status = dict(Notification.objects.values_list("recipient__username", "email_status"))
    assert status == {"now": EmailStatus.SENT, "daily": EmailStatus.DIGEST, "never": EmailStatus.NONE}
    assert [m.to for m in mail.outbox] == [["now@example.org"]]
    # Everybody sees it in the portal.
    assert all(reminders.unread_count(u) == 1 for u in (now_, daily, never))


def test_urgent_goes_at_once_whatever_the_preference_unless_no_email(cn_agency, django_capture_on_commit_callbacks):
    daily = prefer(make_member(cn_agency, username="d"), "daily")
    never = prefer(make_member(cn_agency, "agency_coordinator", username="n"), "none")
    no_mail = make_member(cn_agency, "expert", username="x")
    no_mail.email = ""
    no_mail.save()
    send([daily, never, no_mail], django_capture_on_commit_callbacks, urgent=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["d@example.org", "n@example.org"]
    assert all(m.subject.startswith("Urgent: ") for m in mail.outbox)
    assert Notification.objects.get(recipient=no_mail).email_status == EmailStatus.NONE
    assert set(notify.urgent_unread_for(no_mail)) == set(Notification.objects.filter(recipient=no_mail))


def test_actor_inactive_and_duplicates_are_not_notified(cn_agency, django_capture_on_commit_callbacks):
    actor = make_member(cn_agency, "agency_coordinator", username="actor")
    other = make_member(cn_agency, "agency_staff", username="other")
    gone = make_member(cn_agency, "expert", username="gone")
    gone.is_active = False
    gone.save()
    made = send([actor, other, other, gone], django_capture_on_commit_callbacks, actor=actor)
    assert [n.recipient for n in made] == [other]
    assert notify.notify([actor], EVENT, SUBJECT, actor=actor) == []
    assert [m.to for m in mail.outbox] == [["other@example.org"]]


def test_nothing_is_emailed_when_the_transaction_rolls_back(cn_agency, django_capture_on_commit_callbacks):
    user = make_member(cn_agency, username="rb")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify.notify([user], EVENT, SUBJECT)
    assert len(callbacks) == 1 and mail.outbox == []  # queued for after the commit, not before


def test_the_beat_task_sends_what_was_not_queued(cn_agency):
    # No on_commit run here (as when the broker was down): the periodic task delivers it, once.
    user = make_member(cn_agency, username="beat", language="ru")
    notify.notify([user], EVENT, SUBJECT, BODY, url="/ru/x/")
    tasks.send_due_reminders()
    tasks.send_due_reminders()
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Уведомление о просрочке"
    assert Notification.objects.get().email_sends == 1


# --- recipients -----------------------------------------------------------------------------------
def test_recipient_helpers_return_the_right_people(cn_agency, ru_agency, secretariat_agency):
    cn_coord = make_member(cn_agency, "agency_coordinator", username="cn_c")
    cn_staff = make_member(cn_agency, "agency_staff", username="cn_s")
    cn_expert = make_member(cn_agency, "expert", username="cn_e")
    make_member(cn_agency, "observer", username="cn_o")
    ru_coord = make_member(ru_agency, "agency_coordinator", username="ru_c")
    ru_expert = make_member(ru_agency, "expert", username="ru_e")
    ru_expert2 = make_member(AgencyFactory(code="RUSCI", country="RU", kind="research"), "expert", username="ru_e2")
    sec = make_member(secretariat_agency, "secretariat_coordinator", username="sec_c")
    retired = make_member(ru_agency, "agency_staff", username="ru_old")
    retired.is_active = False
    retired.save()
    closed = AgencyFactory(code="CLOSED", country="RU", is_active=False)
    make_member(closed, "expert", username="closed_e")

    assert list(notify.staff_of(cn_agency)) == [cn_coord, cn_staff]
    assert set(notify.staff_of([cn_agency, ru_agency.pk])) == {cn_coord, cn_staff, ru_coord}
    assert set(notify.coordinators_of([cn_agency, ru_agency])) == {cn_coord, ru_coord}
    assert set(notify.experts_of("RU")) == {ru_expert, ru_expert2}
    assert set(notify.experts_of("CN")) == {cn_expert}
    assert list(notify.secretariat()) == [sec]
    assert notify.whoever_asked(ru_coord) == [ru_coord]
    assert notify.whoever_asked(retired) == [] and notify.whoever_asked(None) == []


# --- digests --------------------------------------------------------------------------------------
def _at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), SHANGHAI)


def _waiting(user, created):
    notify.notify([user], EVENT, SUBJECT, BODY, url="/ru/a/")
    notify.notify([user], "core.other_event", BODY, SUBJECT, url="/ru/b/")
    Notification.objects.filter(recipient=user).update(created_at=created)


def test_daily_digest_goes_once_at_the_digest_hour_in_the_users_language(cn_agency, settings):
    settings.PORTAL_DIGEST_HOUR = 7
    user = prefer(make_member(cn_agency, username="dg", language="ru"), "daily")
    day = datetime.date(2026, 11, 30)
    _waiting(user, _at(day, 10))
    # Before 07:00 Shanghai time the next morning nothing goes.
    assert notify.send_due_digests(now=_at(day + datetime.timedelta(days=1), 6)) == 0
    assert mail.outbox == []
    morning = _at(day + datetime.timedelta(days=1), 8)
    assert notify.send_due_digests(now=morning) == 1
    assert notify.send_due_digests(now=morning + datetime.timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dg@example.org"] and message.extra_headers["Content-Language"] == "ru"
    assert "Уведомление о просрочке" in message.body and "Уведомления" in message.body
    assert "/ru/a/" in message.body and "/ru/b/" in message.body
    assert set(Notification.objects.values_list("email_status", "email_sends")) == {(EmailStatus.SENT, 1)}
    assert NotificationPreference.objects.get(user=user).last_digest_at == morning
    # A notification after this morning's digest waits for tomorrow's.
    notify.notify([user], EVENT, SUBJECT)
    Notification.objects.filter(email_status=EmailStatus.DIGEST).update(
        created_at=morning + datetime.timedelta(hours=1)
    )
    assert notify.send_due_digests(now=morning + datetime.timedelta(hours=3)) == 0
    assert notify.send_due_digests(now=morning + datetime.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_digest_runs_from_the_beat_task_once(cn_agency):
    user = prefer(make_member(cn_agency, username="dgb"), "daily")
    _waiting(user, _at(datetime.date(2026, 1, 1), 10))
    tasks.send_due_reminders()
    tasks.send_due_reminders()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dgb@example.org"]


def test_leaving_daily_sends_what_was_waiting(cn_agency, django_capture_on_commit_callbacks):
    user = prefer(make_member(cn_agency, username="sw"), "daily")
    notify.notify([user], EVENT, SUBJECT)
    with django_capture_on_commit_callbacks(execute=True):
        notify.set_email_delivery(user, "immediate")
    assert len(mail.outbox) == 1
    assert Notification.objects.get().email_status == EmailStatus.SENT


class SlowLocmemBackend(EmailBackend):
    def send_messages(self, messages):
        time.sleep(0.3)  # long enough for the other thread to reach the same user
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_threads_racing_send_each_digest_once(cn_agency, settings):
    settings.EMAIL_BACKEND = "core.tests.test_notify.SlowLocmemBackend"
    users = [prefer(make_member(cn_agency, username=f"race{i}"), "daily") for i in range(4)]
    for user in users:
        _waiting(user, _at(datetime.date(2026, 1, 1), 10))
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(notify.send_due_digests())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=run) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sum(results) == 4 and min(results) >= 1  # both worked, none twice
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert set(Notification.objects.values_list("email_sends", flat=True)) == {1}


# --- urgent and acknowledgement -------------------------------------------------------------------
def test_urgent_stays_until_acknowledged(cn_agency, ru_agency):
    a = make_member(ru_agency, "agency_staff", username="ua")
    b = make_member(ru_agency, "agency_coordinator", username="ub")
    # The record is a real row: acknowledgement finds its notifications by type and id.
    notify.notify(notify.staff_of(ru_agency), EVENT, SUBJECT, record=cn_agency, urgent=True)
    notify.notify([a], EVENT, SUBJECT)  # not urgent: not on the dashboard
    assert notify.urgent_unread_for(a).count() == 1 and notify.urgent_unread_for(b).count() == 1
    assert notify.acknowledge(a) == 1
    assert notify.urgent_unread_for(a).count() == 0 and notify.urgent_unread_for(b).count() == 1
    # The agency acknowledged the record: it leaves every recipient's dashboard.
    assert notify.acknowledge_record(ru_agency, users=[b]) == 0  # another record: nothing closes
    assert notify.acknowledge_record(cn_agency, users=[b]) == 1
    assert notify.urgent_unread_for(b).count() == 0
    assert reminders.unread_count(a) == 1  # the ordinary one is still unread


# --- preference page and API ----------------------------------------------------------------------
def test_preference_page_saves_and_validates(client, cn_agency):
    user = make_member(cn_agency, username="pp")
    client.force_login(user)
    listing = client.get("/en/notifications/").content.decode()
    assert reverse("core:notification-preferences") in listing
    page = client.get("/en/notifications/preferences/")
    assert page.status_code == 200 and 'value="immediate" class="form-check-input" id' in page.content.decode()
    bad = client.post("/en/notifications/preferences/", {"email_delivery": "hourly"})
    assert bad.status_code == 200 and "Choose one of the options" in bad.content.decode()
    assert not NotificationPreference.objects.filter(user=user).exists()
    ok = client.post("/en/notifications/preferences/", {"email_delivery": "daily"})
    assert ok.status_code == 302
    assert NotificationPreference.objects.get(user=user).email_delivery == "daily"
    assert client.get("/en/notifications/preferences/").status_code == 200
    client.logout()
    assert client.get("/en/notifications/preferences/").status_code == 302


def test_preference_api_get_patch_and_bad_value(api_client, cn_agency):
    user = make_member(cn_agency, "observer", username="api")  # a read-only role still chooses its email
    api_client.force_login(user)
    got = api_client.get("/api/v1/notification-preferences/me/", HTTP_ACCEPT_LANGUAGE="ru")
    assert got.status_code == 200
    data = got.json()
    assert data["email_delivery"] == "immediate" and data["email"] == "api@example.org"
    assert {c["value"] for c in data["choices"]} == {"immediate", "daily", "none"}
    bad = api_client.patch(
        "/api/v1/notification-preferences/me/", {"email_delivery": "hourly"}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert bad.status_code == 400
    with translation.override("ru"):
        expected = str(gettext_lazy("“{input}” is not a choice. Choose immediate, daily or none.")).format(
            input="hourly"
        )
    assert bad.json()["email_delivery"] == [expected]
    assert not NotificationPreference.objects.filter(user=user).exists()
    ok = api_client.patch("/api/v1/notification-preferences/me/", {"email_delivery": "none"}, format="json")
    assert ok.status_code == 200 and ok.json()["email_delivery"] == "none"
    assert NotificationPreference.objects.get(user=user).email_delivery == "none"
    assert api_client.get("/api/v1/notification-preferences/me/").json()["email_delivery"] == "none"


def test_preference_api_needs_a_person(api_client, cn_agency):
    _obj, key = make_api_key(cn_agency)
    assert api_client.get("/api/v1/notification-preferences/me/").status_code in (401, 403)
    keyed = api_client.get("/api/v1/notification-preferences/me/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert keyed.status_code in (401, 403)


def test_list_page_and_api_show_the_event_and_link_to_the_record(client, api_client, cn_agency):
    user = make_member(cn_agency, username="lp")
    notify.register_event(EVENT, gettext_lazy("Overdue notice"))
    notify.notify([user], EVENT, SUBJECT, BODY, record=Record(), urgent=True)
    client.force_login(user)
    html = client.get("/en/notifications/").content.decode()
    assert f'data-event="{EVENT}"' in html and 'class="small notification-record" href="/en/notifications/"' in html
    assert "Acknowledge" in html
    api_client.force_login(user)
    rows = api_client.get("/api/v1/notifications/", {"urgent": "true"}).json()["results"]
    assert [(r["event"], r["urgent"]) for r in rows] == [(EVENT, True)]
    urgent = api_client.get("/api/v1/notifications/urgent/").json()
    assert len(urgent) == 1
    done = api_client.post(f"/api/v1/notifications/{urgent[0]['id']}/acknowledge/")
    assert done.status_code == 200 and done.json()["is_read"] is True
    assert api_client.get("/api/v1/notifications/urgent/").json() == []


def test_header_badge_and_dashboard_panel_show_urgent_until_acknowledged(client, rf, cn_agency):
    from django.template.loader import render_to_string

    user = make_member(cn_agency, username="hb")
    notify.notify([user], EVENT, SUBJECT, record=Record(), urgent=True)
    client.force_login(user)
    assert 'data-urgent="1"' in client.get("/en/notifications/").content.decode()
    request = rf.get("/en/")
    request.user = user
    panel = render_to_string("core/notifications/_urgent_panel.html", request=request)
    assert 'id="urgent-notifications"' in panel and "Urgent: Overdue notice" in panel
    note = Notification.objects.get()
    client.post(f"/en/notifications/{note.pk}/read/", {"next": "/en/notifications/"})
    assert "data-urgent" not in client.get("/en/notifications/").content.decode()
    assert 'id="urgent-notifications"' not in render_to_string("core/notifications/_urgent_panel.html", request=request)


def test_a_translated_field_of_the_record_is_read_in_each_language(cn_agency, ru_agency):
    zh = make_member(ru_agency, username="tzh", language="zh-hans")
    ru = make_member(ru_agency, username="tru", language="ru")
    notify.notify([zh, ru], EVENT, lambda c: c["record"].name, record=cn_agency)
    subjects = dict(Notification.objects.values_list("recipient__username", "subject"))
    assert subjects == {"tzh": "中国公园", "tru": "Китайский парк"}
