"""Celery tasks of the shared layer: thin wrappers around core.reminders."""

from celery import shared_task

from core import reminders


@shared_task(name="core.send_due_reminders", acks_late=True, ignore_result=True)
def send_due_reminders(limit=1000):
    """Beat task: send every reminder, escalation and digest that is due (safe to run in parallel)."""
    return reminders.send_due_reminders(limit=limit)
