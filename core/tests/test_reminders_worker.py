"""Exactly once with real Celery workers on the real Redis broker and PostgreSQL (not eager mode).

The worker runs the test settings plus a file email backend (a settings module written into a
temporary directory), so the test counts the emails that really left the worker process.
The backend waits a little before writing each message, as an SMTP server does before it accepts
one; the kill test strikes inside that wait.

How these tests were made to fail before the fix (done once, by hand, see the issue note):
- without `select_for_update(skip_locked=True)` in `dispatch_one` / `deliver_one`, the parallel
  test saw messages handed to the backend twice (`email_sends == 2`, Message-IDs twice in the files);
- with the email stamped in its own transaction before sending (claim, commit, then send), the
  kill test lost the messages whose claim had committed when the worker died.
"""

import datetime
import os
import re
import signal
import sys
import textwrap
import time
from collections import Counter

import pytest
from django.utils import timezone

from core import notify, reminders
from core.models import EmailStatus, Notification, Reminder, ReminderKind, ReminderStatus
from core.tests.factories import AgencyFactory, make_member
from tests.procs import BASE_DIR, Proc, base_env, database_url_for_subprocess

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BROKER_DB = 14
TASK = "core.send_due_reminders"
VENV_BIN = os.path.dirname(sys.executable)


@pytest.fixture
def broker_url(redis_url):
    import redis

    url = redis_url.rsplit("/", 1)[0] + f"/{BROKER_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


@pytest.fixture
def mail_dir(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def worker_env(tmp_path, broker_url, mail_dir):
    """Environment of a worker: this test's database, a broker db of its own, observable email."""
    module = f"reminder_worker_settings_{os.getpid()}"
    (tmp_path / f"{module}.py").write_text(
        textwrap.dedent(
            f"""
            import time

            from django.core.mail.backends.filebased import EmailBackend

            from tumen_portal.settings.test import *  # noqa

            EMAIL_BACKEND = "{module}.SlowFileBackend"
            EMAIL_FILE_PATH = {str(mail_dir)!r}


            class SlowFileBackend(EmailBackend):
                def send_messages(self, messages):
                    time.sleep(0.08)  # the mail server takes its time before accepting
                    return super().send_messages(messages)
            """
        )
    )
    return base_env(
        DJANGO_SETTINGS_MODULE=module,
        PYTHONPATH=f"{tmp_path}{os.pathsep}{BASE_DIR}",
        DATABASE_URL=database_url_for_subprocess(tmp_path),
        CELERY_BROKER_URL=broker_url,
        CI=None,
    )


def start_worker(env, concurrency, name):
    args = [
        os.path.join(VENV_BIN, "celery"),
        "-A",
        "tumen_portal",
        "worker",
        "-l",
        "info",
        "--pool",
        "prefork",
        "-c",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"{name}-{os.getpid()}@%h",
    ]
    return Proc(args, env, name=name)


def wait_ready(proc, deadline_s=40):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if not proc.alive():
            raise AssertionError(f"worker exited:\n{proc.output[-4000:]}")
        if " ready." in proc.output:
            return
        time.sleep(0.2)
    raise AssertionError(f"worker not ready:\n{proc.output[-4000:]}")


def send_tasks(broker_url, count):
    from celery import Celery

    producer = Celery("reminder-test-producer", broker=broker_url)
    try:
        for _i in range(count):
            producer.send_task(TASK)
    finally:
        producer.close()


def wait_until(predicate, proc, deadline_s, what, every=0.05):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and not proc.alive():
            raise AssertionError(f"worker exited while waiting for {what}:\n{proc.output[-4000:]}")
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}:\n{proc.output[-4000:] if proc else ''}")


def succeeded(proc):
    return [
        m.group(1)
        for m in re.finditer(r"Task core\.send_due_reminders\[[^\]]+\] succeeded in [^:]+: (.*)", proc.output)
    ]


def finished(proc):
    return len(re.findall(r"Task core\.send_due_reminders\[[^\]]+\] (?:succeeded|raised)", proc.output))


def emailed_ids(mail_dir):
    """Message-IDs of every message the worker(s) handed to the mail backend, with repeats."""
    ids = []
    for path in mail_dir.iterdir():
        ids += re.findall(r"^Message-ID: <notification-(\d+)@", path.read_text(errors="replace"), flags=re.M)
    return Counter(int(i) for i in ids)


def make_due_items(agencies, per_agency, coordinators):
    """`agencies` × `per_agency` overdue obligations; each reminder goes to `coordinators` people."""
    today = timezone.localdate()
    targets = []
    for a in range(agencies):
        agency = AgencyFactory(code=f"WK{a}", country="RU" if a % 2 else "CN")
        for c in range(coordinators):
            make_member(agency, "agency_coordinator", username=f"wk{a}_c{c}", language=("ru", "zh-hans", "en")[c % 3])
        targets.append(agency)
    sources = 0
    for agency in targets:
        for _i in range(per_agency):
            source = AgencyFactory(code=f"SRC{sources}")
            sources += 1
            reminders.upsert_obligation(
                source,
                agency=agency,
                due_date=today - datetime.timedelta(days=3),
                title=f"Exchange {sources}",
                lead_days=(),
                escalate_after_days=None,
            )
    due = Reminder.objects.filter(kind=ReminderKind.OVERDUE, status=ReminderStatus.PENDING)
    assert due.count() == agencies * per_agency
    return agencies * per_agency


def make_notify_items(count):
    """core.notify rows for `count` people: half emailed at once, half waiting for a due digest."""
    agency = AgencyFactory(code="WKN", country="CN")
    people = [make_member(agency, "agency_staff", username=f"wkn{i}", language="ru") for i in range(count)]
    daily = people[::2]
    for person in daily:
        notify.set_email_delivery(person, "daily")
    notify.notify(people, "core.worker_test", "Worker test %(n)s", context={"n": 1})
    Notification.objects.filter(email_status=EmailStatus.DIGEST).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    # notify() already sent the immediate ones in this (eager) process; make them pending again,
    # as if the broker had been down when it queued them: the workers' beat runs must send them.
    Notification.objects.filter(event="core.worker_test", email_status=EmailStatus.SENT).update(
        email_status=EmailStatus.PENDING, email_sends=0, email_sent_at=None
    )
    return len(daily)


def digest_ids(mail_dir):
    ids = []
    for path in mail_dir.iterdir():
        ids += re.findall(r"^Message-ID: <digest-(\d+)-", path.read_text(errors="replace"), flags=re.M)
    return Counter(int(i) for i in ids)


def all_done():
    return (
        not Reminder.objects.filter(status=ReminderStatus.PENDING, scheduled_at__lte=timezone.now()).exists()
        and not Notification.objects.filter(email_status__in=[EmailStatus.PENDING, EmailStatus.DIGEST]).exists()
    )


def assert_exactly_once(items, coordinators, mail_dir):
    overdue = Reminder.objects.filter(kind=ReminderKind.OVERDUE)
    assert overdue.count() == items
    assert set(overdue.values_list("status", flat=True)) == {ReminderStatus.SENT}
    notes = Notification.objects.filter(reminder__kind=ReminderKind.OVERDUE)
    assert notes.count() == items * coordinators
    # One message per notification left the worker, none twice, none lost.
    sent = emailed_ids(mail_dir)
    # (rows of a daily digest leave in the digest's message, counted by the caller)
    all_ids = set(
        Notification.objects.exclude(email_status=EmailStatus.NONE)
        .exclude(recipient__notification_preference__email_delivery="daily")
        .values_list("pk", flat=True)
    )
    assert set(sent) == all_ids
    assert [pk for pk, count in sent.items() if count > 1] == []
    assert set(Notification.objects.values_list("email_sends", flat=True)) == {1}
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}


def test_task_run_in_parallel_sends_each_reminder_once(worker_env, broker_url, mail_dir):
    items = make_due_items(agencies=6, per_agency=5, coordinators=2)
    digests = make_notify_items(10)
    proc = start_worker(worker_env, concurrency=4, name="reminders-parallel")
    try:
        wait_ready(proc)
        send_tasks(broker_url, 4)  # four runs at the same moment, one per pool process
        wait_until(lambda: finished(proc) == 4, proc, 90, "four task runs")
        results = succeeded(proc)
        assert len(results) == 4, proc.output[-4000:]
        assert all_done()
        # The runs really overlapped: the work was shared between more than one of them.
        busy = [r for r in results if "'emailed': 0" not in r]
        assert len(busy) >= 2, results
    finally:
        proc.stop()
    assert_exactly_once(items, 2, mail_dir)
    # core.notify's daily digests went once each, from the same beat task.
    assert sorted(digest_ids(mail_dir).values()) == [1] * digests


@pytest.mark.parametrize("phase", ["dispatch", "email"])
def test_worker_killed_mid_batch_and_restarted_sends_each_reminder_once(worker_env, broker_url, mail_dir, phase):
    items = make_due_items(agencies=4, per_agency=10, coordinators=2)
    first = start_worker(worker_env, concurrency=1, name=f"reminders-kill-{phase}")
    try:
        wait_ready(first)
        send_tasks(broker_url, 1)
        if phase == "dispatch":
            # Kill while reminders are being turned into notifications.
            wait_until(
                lambda: Reminder.objects.filter(status=ReminderStatus.SENT).count() >= 5, first, 60, "a few dispatches"
            )
        else:
            # Kill inside the mail backend's wait, after some messages went out.
            # Polled every 10 ms: the kill lands 10-30 ms after a message was written, when that
            # message is committed and the next one waits in the backend (80 ms).
            wait_until(lambda: sum(emailed_ids(mail_dir).values()) >= 12, first, 60, "a dozen emails", every=0.01)
            time.sleep(0.01)
        os.killpg(first.popen.pid, signal.SIGKILL)
        first.popen.wait(timeout=10)
    finally:
        first.stop()
    # The batch was really interrupted.
    unfinished = (
        Reminder.objects.filter(status=ReminderStatus.PENDING).count()
        + Notification.objects.filter(email_status=EmailStatus.PENDING).count()
    )
    assert unfinished > 0

    second = start_worker(worker_env, concurrency=1, name=f"reminders-restart-{phase}")
    try:
        wait_ready(second)
        send_tasks(broker_url, 1)  # the next beat tick
        wait_until(lambda: len(succeeded(second)) >= 1 and all_done(), second, 90, "the run after the restart")
    finally:
        second.stop()
    assert_exactly_once(items, 2, mail_dir)
