import io

import pytest
from django_celery_beat.models import PeriodicTask

from core import demo as core_demo
from policy import demo
from policy.models import ExchangeAgreement, ExchangeRound, Submission

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_demo_is_idempotent():
    core_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    counts = (ExchangeAgreement.objects.count(), ExchangeRound.objects.count(), Submission.objects.count())
    assert counts[0] == 2 and counts[1] > 0 and counts[2] > 0
    parties = set(ExchangeAgreement.objects.first().parties.values_list("code", flat=True))
    assert {"NECTLNP", "LOTL"} <= parties
    demo.seed(io.StringIO())
    assert (ExchangeAgreement.objects.count(), ExchangeRound.objects.count(), Submission.objects.count()) == counts


def test_beat_schedule_is_in_the_database():
    task = PeriodicTask.objects.get(task="core.send_due_reminders")
    assert task.enabled and task.interval.every == 5 and task.expire_seconds
    assert PeriodicTask.objects.filter(task="policy.sync_exchange_rounds").exists()


def test_run_reminders_command_works_without_a_broker(settings):
    from django.core.management import call_command

    assert settings.CELERY_TASK_ALWAYS_EAGER
    out = io.StringIO()
    call_command("run_reminders", "--sync", stdout=out)
    assert "dispatched" in out.getvalue()


def test_tasks_are_thin_wrappers_that_run_in_process_without_a_broker(settings):
    from core.tasks import send_due_reminders
    from policy.tasks import sync_exchange_rounds

    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert send_due_reminders.delay().get() == {"dispatched": 0, "emailed": 0}
    assert sync_exchange_rounds.delay().get() == {"created": 0, "closed": 0}
