"""Move every plan workflow step (antipoaching.PlanTransition) into the shared history
(core.StatusChange), keeping the time, the actor and the approvals with their country; then
drop PlanTransition."""

from django.db import migrations


def _transition_name(row):
    if row.is_approval:
        return "approve"
    return {
        ("draft", "under_review"): "submit",
        ("under_review", "draft"): "return",
        ("approved", "draft"): "return",
        ("approved", "active"): "activate",
        ("active", "completed"): "complete",
        ("completed", "evaluated"): "evaluate",
    }.get((row.from_status, row.to_status), "imported")


def copy_forward(apps, schema_editor):
    PlanTransition = apps.get_model("antipoaching", "PlanTransition")
    StatusChange = apps.get_model("core", "StatusChange")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(app_label="antipoaching", model="actionplan")
    for row in PlanTransition.objects.order_by("at", "pk").iterator():
        change = StatusChange.objects.create(
            content_type=content_type,
            object_id=str(row.plan_id),
            transition=_transition_name(row),
            from_status=row.from_status,
            to_status=row.to_status,
            is_approval=row.is_approval,
            country=row.country,
            user_id=row.user_id,
            agency_id=row.agency_id,
            note=row.note,
        )
        # `at` is auto_now_add: set the original time with an update.
        StatusChange.objects.filter(pk=change.pk).update(at=row.at)


def copy_back(apps, schema_editor):
    PlanTransition = apps.get_model("antipoaching", "PlanTransition")
    StatusChange = apps.get_model("core", "StatusChange")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="antipoaching", model="actionplan").first()
    if content_type is None:
        return
    steps = StatusChange.objects.filter(content_type=content_type).exclude(
        transition__in=["created", "content_changed"]
    )
    for step in steps.order_by("at", "pk"):
        row = PlanTransition.objects.create(
            plan_id=step.object_id,
            from_status=step.from_status,
            to_status=step.to_status,
            is_approval=step.is_approval,
            country=step.country,
            user_id=step.user_id,
            agency_id=step.agency_id,
            note=step.note,
        )
        PlanTransition.objects.filter(pk=row.pk).update(at=step.at)
    steps.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("antipoaching", "0002_incident_vocabulary"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_notification_urgent_and_record"),
    ]

    operations = [
        migrations.RunPython(copy_forward, copy_back),
        migrations.DeleteModel(name="PlanTransition"),
    ]
