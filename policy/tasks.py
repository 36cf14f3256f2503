"""Celery tasks of the policy app: thin wrappers around policy.services."""

from celery import shared_task

from . import services


@shared_task(name="policy.sync_exchange_rounds", acks_late=True, ignore_result=True)
def sync_exchange_rounds():
    """Beat task: create the coming rounds and close those whose data arrived."""
    return services.sync_obligations()
