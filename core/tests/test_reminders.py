"""The shared reminder machinery, in process: planning, time zones, dispatch, escalation, digests."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from core import reminders
from core.models import (
    DatedObligation,
    EmailStatus,
    Notification,
    ObligationStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from core.tests.factories import AgencyFactory, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SHANGHAI = ZoneInfo("Asia/Shanghai")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
UTC = datetime.UTC


def at(tz, *args):
    return datetime.datetime(*args, tzinfo=tz)


TITLE = {"zh-hans": "年度报告", "en": "Annual report", "ru": "Годовой отчёт"}


@pytest.fixture
def people(cn_agency, ru_agency, secretariat_agency):
    return {
        "cn": make_member(cn_agency, "agency_coordinator", username="cn_coord", language="zh-hans"),
        "cn_staff": make_member(cn_agency, "agency_staff", username="cn_staff"),
        "ru": make_member(ru_agency, "agency_coordinator", username="ru_coord", language="ru"),
        "sec": make_member(secretariat_agency, "secretariat_coordinator", username="sec_coord", language="en"),
    }


def run(now):
    # Digests are tested on their own; here they would add a Monday message to every case.
    return reminders.send_due_reminders(now=now, digests=False)


def obligation(agency, due=datetime.date(2026, 3, 15), **kwargs):
    # Any model can be the source of an obligation; the agency itself will do here.
    kwargs.setdefault("lead_days", (7, 1))
    kwargs.setdefault("escalate_after_days", 10)
    return reminders.upsert_obligation(agency, agency=agency, due_date=due, title=TITLE, **kwargs)


def test_a_due_date_ends_at_midnight_in_the_agency_zone():
    day = datetime.date(2026, 3, 15)
    assert reminders.end_of_day(day, "Asia/Shanghai") == at(UTC, 2026, 3, 15, 16, 0)
    assert reminders.end_of_day(day, "Asia/Vladivostok") == at(UTC, 2026, 3, 15, 14, 0)


def test_obligation_is_stored_in_utc_with_the_agency_zone(cn_agency, ru_agency):
    cn = obligation(cn_agency)
    ru = obligation(ru_agency)
    assert (cn.timezone, ru.timezone) == ("Asia/Shanghai", "Asia/Vladivostok")
    assert cn.due_at == at(SHANGHAI, 2026, 3, 16, 0, 0)
    assert ru.due_at == at(VLADIVOSTOK, 2026, 3, 16, 0, 0)
    # 23:59 local on the due day is not overdue, 00:01 the next day is, in each zone.
    for item, tz in ((cn, SHANGHAI), (ru, VLADIVOSTOK)):
        assert not item.is_overdue(at(tz, 2026, 3, 15, 23, 59))
        assert item.is_overdue(at(tz, 2026, 3, 16, 0, 1))
    # The title is stored in every language.
    assert (cn.title_zh_hans, cn.title_en, cn.title_ru) == ("年度报告", "Annual report", "Годовой отчёт")


def test_planning_is_idempotent_and_follows_a_changed_due_date(cn_agency):
    item = obligation(cn_agency)
    planned = sorted(item.reminders.values_list("kind", "offset_days"))
    assert planned == [("before_due", 1), ("before_due", 7), ("escalation", 10), ("overdue", 0)]
    obligation(cn_agency)  # again: nothing new
    assert item.reminders.count() == 4
    # The 7-day reminder goes out at 09:00 local, 7 days before the due date.
    seven = item.reminders.get(kind="before_due", offset_days=7)
    assert seven.scheduled_at == at(SHANGHAI, 2026, 3, 8, 9, 0)
    # An extension: old pending reminders retire, new ones are planned for the new date.
    obligation(cn_agency, due=datetime.date(2026, 3, 31))
    assert item.reminders.filter(status=ReminderStatus.PENDING, period=datetime.date(2026, 3, 31)).count() == 4
    assert item.reminders.filter(status=ReminderStatus.SKIPPED, period=datetime.date(2026, 3, 15)).count() == 4


def test_unique_constraint_refuses_a_second_identical_reminder(cn_agency):
    item = obligation(cn_agency)
    existing = item.reminders.get(kind="overdue")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            obligation=item,
            agency=cn_agency,
            kind=existing.kind,
            offset_days=0,
            period=existing.period,
            scheduled_at=existing.scheduled_at,
        )


def test_reminder_goes_to_coordinators_in_their_language_once(people, cn_agency):
    item = obligation(cn_agency)
    before = at(SHANGHAI, 2026, 3, 8, 8, 59)
    assert run(now=before) == {"dispatched": 0, "emailed": 0}
    assert mail.outbox == []

    result = run(now=at(SHANGHAI, 2026, 3, 8, 9, 0))
    assert result["dispatched"] == 1
    # Only the coordinator of the obliged agency, not its staff, not the other country.
    assert [m.to for m in mail.outbox] == [["cn_coord@example.org"]]
    message = mail.outbox[0]
    assert "年度报告" in message.subject  # the recipient's language (zh-hans)
    assert message.extra_headers["Message-ID"].startswith("<notification-")
    note = Notification.objects.get()
    assert (note.recipient, note.language, note.kind) == (people["cn"], "zh-hans", ReminderKind.BEFORE_DUE)
    assert note.email_status == EmailStatus.SENT and note.email_sends == 1
    assert note.obligation == item

    # Running again at the same moment sends nothing more.
    assert run(now=at(SHANGHAI, 2026, 3, 8, 9, 5)) == {"dispatched": 0, "emailed": 0}
    assert len(mail.outbox) == 1


def test_russian_recipient_gets_russian_text(people, ru_agency):
    obligation(ru_agency)
    run(now=at(VLADIVOSTOK, 2026, 3, 14, 9, 0))  # the 1-day reminder
    assert len(mail.outbox) == 1
    assert "Годовой отчёт" in mail.outbox[0].subject
    assert Notification.objects.get().language == "ru"


def test_reminders_missed_while_no_worker_ran_are_sent_late_once(people, ru_agency):
    item = obligation(ru_agency)
    # The worker comes back 12 days after the due date: everything fell due meanwhile.
    back = at(VLADIVOSTOK, 2026, 3, 27, 12, 0)
    run(now=back)
    statuses = dict(((r.kind, r.offset_days), r.status) for r in item.reminders.all())
    # Stale "due in N days" reminders are not sent after the deadline: the overdue notice is.
    assert statuses[("before_due", 7)] == ReminderStatus.SKIPPED
    assert statuses[("before_due", 1)] == ReminderStatus.SKIPPED
    assert statuses[("overdue", 0)] == ReminderStatus.SENT
    assert statuses[("escalation", 10)] == ReminderStatus.SENT
    recipients = sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox)
    assert [r[0] for r in recipients] == ["ru_coord@example.org", "sec_coord@example.org"]
    run(now=back + datetime.timedelta(hours=1))
    assert len(mail.outbox) == 2


def test_only_the_nearest_missed_lead_reminder_is_sent(people, cn_agency):
    item = obligation(cn_agency)
    run(now=at(SHANGHAI, 2026, 3, 14, 10, 0))  # both 7- and 1-day are due
    sent = item.reminders.filter(status=ReminderStatus.SENT)
    assert list(sent.values_list("kind", "offset_days")) == [("before_due", 1)]
    assert len(mail.outbox) == 1


def test_escalation_goes_to_the_secretariat(people, cn_agency):
    obligation(cn_agency, escalate_after_days=3)
    run(now=at(SHANGHAI, 2026, 3, 16, 9, 30))  # overdue notice
    assert [m.to for m in mail.outbox] == [["cn_coord@example.org"]]
    run(now=at(SHANGHAI, 2026, 3, 18, 9, 30))  # 3 days overdue
    assert [m.to for m in mail.outbox[1:]] == [["sec_coord@example.org"]]
    escalation = Notification.objects.get(kind=ReminderKind.ESCALATION)
    assert escalation.recipient == people["sec"] and cn_agency.code in escalation.subject


def test_fulfilled_obligation_is_not_chased(people, cn_agency):
    item = obligation(cn_agency)
    obligation(cn_agency, fulfilled_at=at(SHANGHAI, 2026, 3, 10, 12, 0))
    item.refresh_from_db()
    assert item.status == ObligationStatus.FULFILLED
    run(now=at(SHANGHAI, 2026, 4, 30, 9, 0))
    assert mail.outbox == []
    assert not item.reminders.filter(status=ReminderStatus.PENDING).exists()


def test_weekly_digest_once_per_agency_and_week(people, cn_agency, ru_agency):
    obligation(cn_agency, lead_days=(), escalate_after_days=None)
    obligation(ru_agency, due=datetime.date(2026, 3, 20), lead_days=(), escalate_after_days=None)
    monday = at(UTC, 2026, 3, 9, 12, 0)  # a Monday, after 09:00 in Shanghai, Vladivostok and UTC
    reminders.send_due_reminders(now=monday)
    digests = Notification.objects.filter(kind=ReminderKind.DIGEST)
    by_user = {n.recipient.username: n for n in digests}
    # Each agency's coordinators have theirs; the secretariat's digest lists every agency's items.
    assert set(by_user) == {"cn_coord", "ru_coord", "sec_coord"}
    assert cn_agency.code in by_user["sec_coord"].body and ru_agency.code in by_user["sec_coord"].body
    assert ru_agency.code not in by_user["cn_coord"].body
    reminders.send_due_reminders(now=monday + datetime.timedelta(days=2))
    assert digests.count() == 3
    # Next week: a new digest.
    reminders.send_due_reminders(now=monday + datetime.timedelta(days=7))
    assert Notification.objects.filter(kind=ReminderKind.DIGEST).count() > 3


def test_failed_email_stays_pending_and_is_retried(people, cn_agency, settings):
    obligation(cn_agency)
    settings.EMAIL_BACKEND = "core.tests.test_reminders.FailingBackend"
    run(now=at(SHANGHAI, 2026, 3, 8, 9, 0))
    note = Notification.objects.get()
    assert note.email_status == EmailStatus.PENDING and note.email_failures == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run(now=at(SHANGHAI, 2026, 3, 8, 9, 5))
    note.refresh_from_db()
    assert note.email_status == EmailStatus.SENT and note.email_sends == 1
    assert len(mail.outbox) == 1


def test_agency_without_coordinator_is_recorded_not_lost(cn_agency):
    item = obligation(cn_agency)
    run(now=at(SHANGHAI, 2026, 3, 8, 9, 0))
    reminder = item.reminders.get(kind="before_due", offset_days=7)
    assert reminder.status == ReminderStatus.SKIPPED and "coordinator" in reminder.note


def test_cancelled_obligation(people, cn_agency):
    item = obligation(cn_agency)
    reminders.cancel_obligation(cn_agency)
    item.refresh_from_db()
    assert item.status == ObligationStatus.CANCELLED
    assert DatedObligation.objects.count() == 1
    run(now=at(SHANGHAI, 2026, 4, 30, 9, 0))
    assert mail.outbox == []


def test_other_apps_can_plug_in_any_model(people, cn_agency):
    """A plan activity or an action item: any model instance can be an obligation's source."""
    other = AgencyFactory(code="PLAN1", country="CN")
    reminders.upsert_obligation(
        other,
        agency=cn_agency,
        due_date=datetime.date(2026, 5, 1),
        title="Joint patrol exercise",
        category="antipoaching.planactivity",
        lead_days=(3,),
    )
    item = DatedObligation.objects.get(category="antipoaching.planactivity")
    assert item.source == other and item.agency == cn_agency
    run(now=at(SHANGHAI, 2026, 4, 28, 9, 0))
    assert [m.to for m in mail.outbox] == [["cn_coord@example.org"]]


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")

    def open(self):
        return True

    def close(self):
        pass
