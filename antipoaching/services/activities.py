"""A plan's targets and activities, and the activities' dated obligations (core.reminders).

The one write path for activities: API, pages, admin and demo save and delete them here, so that
an activity's obligation follows it. Deleting or replacing an activity cancels its obligation
and, with it, the obligation's pending reminders; deleting a plan cancels all of them.
"""

from django.db import transaction
from django.utils import timezone

from core.models import ObligationStatus
from core.reminders import cancel_obligation, obligation_for, upsert_obligation

from ..models import ActivityStatus, PlanActivity, PlanStatus, PlanTarget

REMINDED_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.ACTIVE)


def _title(activity):
    return {
        code: getattr(activity, f"title_{code.replace('-', '_')}", "") or activity.title_en or ""
        for code in ("zh-hans", "en", "ru")
    }


def sync_activity_obligation(activity, plan=None):
    """Keep the activity's dated obligation in step with its due date and state.

    Activities of approved or active plans are reminded to their owning agency; done ones are
    fulfilled; cancelled ones, those without a due date and those of other plans are dropped.
    """
    plan = plan or activity.plan
    wanted = (
        activity.due_date is not None
        and activity.status != ActivityStatus.CANCELLED
        and (plan.status in REMINDED_PLAN_STATUSES or activity.status == ActivityStatus.DONE)
    )
    if not wanted:
        if obligation_for(activity) is not None:
            cancel_obligation(activity)
        return None
    # Wanted again after a cancellation (a plan approved anew): core.reminders revives the
    # reminders still ahead.
    existing = obligation_for(activity)
    fulfilled = None
    if activity.status == ActivityStatus.DONE:
        fulfilled = existing.fulfilled_at if existing and existing.fulfilled_at else timezone.now()
    return upsert_obligation(
        activity,
        agency=activity.agency,
        due_date=activity.due_date,
        title=_title(activity),
        category="antipoaching.planactivity",
        escalate_after_days=14,
        fulfilled_at=fulfilled,
    )


def sync_plan_obligations(plan):
    """After a plan's status changed: every activity's obligation follows."""
    for activity in plan.activities.select_related("agency"):
        sync_activity_obligation(activity, plan=plan)


def cancel_orphan_obligations():
    """Cancel open obligations whose activity no longer exists (left by deletes before this path)."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import DatedObligation

    content_type = ContentType.objects.get_for_model(PlanActivity)
    existing = {str(pk) for pk in PlanActivity.objects.values_list("pk", flat=True)}
    orphans = DatedObligation.objects.filter(content_type=content_type).exclude(status=ObligationStatus.CANCELLED)
    count = 0
    for object_id in orphans.values_list("object_id", flat=True):
        if object_id not in existing and object_id.isdigit():
            cancel_obligation(PlanActivity(pk=int(object_id)))
            count += 1
    return count


def sync_obligations():
    """Called by `manage.py run_reminders --sync`: every plan activity's obligation, re-derived."""
    count = 0
    for activity in PlanActivity.objects.select_related("plan", "agency"):
        sync_activity_obligation(activity)
        count += 1
    cancel_orphan_obligations()
    return count


@transaction.atomic
def save_activity(activity):
    """Create or update an activity and its obligation."""
    activity.save()
    sync_activity_obligation(activity)
    return activity


@transaction.atomic
def delete_activity(activity):
    """Delete an activity; its obligation is cancelled first (its pending reminders are skipped)."""
    cancel_obligation(activity)
    activity.delete()


def activity_ids_unknown(plan, items):
    """Ids in `items` that are not activities of `plan` (the API refuses them)."""
    ids = [item["id"] for item in items if item.get("id") is not None]
    if plan is None or plan.pk is None:
        return ids
    known = set(PlanActivity.objects.filter(plan=plan, pk__in=ids).values_list("pk", flat=True))
    return [pk for pk in ids if pk not in known]


@transaction.atomic
def replace_activities(plan, items):
    """Make the plan's activities match `items` (dicts of fields, `id` for an existing activity).

    Listed ids are updated in place, so their obligation is kept; items without an id are
    created; activities no longer listed are deleted and their obligations cancelled.
    """
    existing = {a.pk: a for a in plan.activities.all()}
    kept = []
    for item in items:
        fields = dict(item)
        pk = fields.pop("id", None)
        activity = existing.get(pk) if pk is not None else None
        if activity is None:
            activity = PlanActivity(plan=plan)
        for name, value in fields.items():
            setattr(activity, name, value)
        activity.plan = plan
        save_activity(activity)
        kept.append(activity.pk)
    for pk, activity in existing.items():
        if pk not in kept:
            delete_activity(activity)
    return list(plan.activities.all())


@transaction.atomic
def replace_targets(plan, items):
    plan.targets.all().delete()
    return PlanTarget.objects.bulk_create([PlanTarget(plan=plan, **item) for item in items])


@transaction.atomic
def delete_plan(plan):
    """Delete a plan; every activity's obligation is cancelled first."""
    for activity in plan.activities.all():
        cancel_obligation(activity)
    plan.delete()
