"""Write the audit log for every AuditedModel, whoever changes it and through whichever path."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from .audit import snapshot, write_entry
from .models.audit import ObjectChange
from .models.base import AuditedModel


def _audited(sender):
    return isinstance(sender, type) and issubclass(sender, AuditedModel)


@receiver(pre_save)
def remember_previous_state(sender, instance, raw=False, **kwargs):
    if raw or not _audited(sender) or instance._state.adding:
        return
    previous = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(previous) if previous else None


@receiver(post_save)
def log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    after = snapshot(instance)
    if created:
        write_entry(instance, ObjectChange.Action.CREATE, after=after, changed=sorted(after))
        return
    before = getattr(instance, "_audit_before", None) or {}
    ignored = {"updated_at", "revision"}
    changed = sorted(k for k in after if k not in ignored and before.get(k) != after[k])
    if not changed:
        return
    write_entry(
        instance,
        ObjectChange.Action.UPDATE,
        before={k: before.get(k) for k in changed},
        after={k: after[k] for k in changed},
        changed=changed,
    )


@receiver(post_delete)
def log_delete(sender, instance, **kwargs):
    if _audited(sender):
        write_entry(instance, ObjectChange.Action.DELETE, before=snapshot(instance))
        _delete_attachments(sender, instance)


def _delete_attachments(sender, instance):
    # A generic relation does not cascade: the files of a deleted record go with it.
    from django.contrib.contenttypes.models import ContentType

    from .documents import delete_attachment
    from .models.documents import Attachment

    content_type = ContentType.objects.get_for_model(sender)
    for attachment in Attachment.objects.filter(content_type=content_type, object_id=str(instance.pk)):
        delete_attachment(attachment, None, check=False)


@receiver(m2m_changed)
def log_m2m(sender, instance, action, model, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"} or not _audited(type(instance)):
        return
    field_name = next((f.name for f in instance._meta.many_to_many if f.remote_field.through is sender), None)
    if field_name is None:
        return
    values = sorted(str(pk) for pk in getattr(instance, field_name).values_list("pk", flat=True))
    write_entry(
        instance,
        ObjectChange.Action.UPDATE,
        after={field_name: values},
        changed=[field_name],
    )
