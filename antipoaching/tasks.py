"""Thin Celery wrappers around services (queue them with transaction.on_commit)."""

from celery import shared_task


@shared_task(name="antipoaching.recompute_patrol_effort")
def recompute_patrol_effort(patrol_id):
    """Recompute a patrol's effort, e.g. after a partner system pushed legs in bulk."""
    from .models import Patrol
    from .services import refresh_effort

    patrol = Patrol.objects.filter(pk=patrol_id).first()
    if patrol is not None:
        refresh_effort(patrol)
    return str(patrol_id)
