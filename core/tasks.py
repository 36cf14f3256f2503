"""Celery tasks of the shared layer: thin wrappers around core.reminders and core.notify."""

from celery import shared_task

from core import reminders


@shared_task(name="core.send_due_reminders", acks_late=True, ignore_result=True)
def send_due_reminders(limit=1000):
    """Beat task: send every reminder, escalation, pending email and digest that is due (safe to
    run in parallel). It also sends whatever `deliver_notifications` could not."""
    return reminders.send_due_reminders(limit=limit)


@shared_task(name="core.deliver_notifications", acks_late=True, ignore_result=True)
def deliver_notifications(limit=1000):
    """Queued by core.notify after a commit: send the pending emails now rather than at the next
    beat run. No beat entry of its own; the same exactly-once claim as the beat task."""
    return {"emailed": reminders.deliver_pending(limit)}
