"""Frozen and closed content: what an edit of a record in a given status may change.

`frozen[status]` fields may change, but changing them sends the record back to review, voids the
approvals and records the field names in the history. `locked[status]` fields may not change at
all; a `closed` status refuses every edit. The write path (forms, serializers, admin, child-row
views) calls `assert_editable` before saving and `content_changed` after, or wraps the save in
`watch()`, which does both.
"""

from contextlib import contextmanager

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.translated import localized_columns, translated_fields

from .engine import CONTENT_CHANGED, Transition, TransitionContext, TransitionError, workflow_for


def _frozen_names(workflow, status=None):
    if status is not None:
        return set(workflow.frozen.get(status, ()))
    return set().union(*workflow.frozen.values()) if workflow.frozen else set()


def _field_value(record, name):
    model = type(record)
    if name in translated_fields(model):
        # A language left empty may be stored as None or as "": the same text either way.
        return tuple(getattr(record, column, None) or "" for column in localized_columns(name).values())
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return getattr(record, name, None)
    if field.many_to_many:
        return tuple(sorted(str(pk) for pk in getattr(record, name).values_list("pk", flat=True)))
    if field.one_to_many:
        # Child rows (a plan's targets): their own values, without ids and timestamps.
        related = field.related_model
        skip = {"id", "created_at", "updated_at", field.field.name}
        columns = [f.attname for f in related._meta.concrete_fields if f.name not in skip]
        rows = getattr(record, field.get_accessor_name()).values_list(*columns)
        return tuple(sorted(tuple(str(v) for v in row) for row in rows))
    value = getattr(record, field.attname)
    if value is None and isinstance(field, (models.CharField, models.TextField)):
        return ""
    return value


def snapshot(record, workflow=None):
    """The stored values of every field the workflow freezes in some status.

    Read from the database, not from `record`: a bound ModelForm has already copied the new
    values onto its instance by the time the view gets to save it.
    """
    workflow = workflow or workflow_for(record)
    stored = type(record)._base_manager.get(pk=record.pk)
    return {name: _field_value(stored, name) for name in _frozen_names(workflow)}


def changed_fields(record, before, workflow=None):
    """Names whose value differs from the `snapshot()` taken before the edit."""
    after = snapshot(record, workflow)
    return sorted(name for name in before if before[name] != after.get(name))


def assert_editable(record, changed=None, workflow=None):
    """Refuse an edit of a closed record, or one that changes a field locked in its status."""
    workflow = workflow or workflow_for(record)
    if workflow is None:
        return
    status = workflow.status_of(record)
    if status in workflow.closed:
        raise TransitionError(
            _("This record is “%(status)s” and can no longer be changed.") % {"status": workflow.status_label(status)},
            code="closed",
        )
    locked = set(workflow.locked.get(status, ())) & set(changed or ())
    if locked:
        names = ", ".join(str(getattr(type(record)._meta.get_field(n), "verbose_name", n)) for n in sorted(locked))
        raise TransitionError(
            _("While the record is “%(status)s”, these cannot be changed: %(fields)s.")
            % {"status": workflow.status_label(status), "fields": names},
            code="locked",
        )


def content_changed(record, changed, principal, note="", workflow=None):
    """After an edit: if frozen content changed, send the record back to review.

    Voids the approvals given so far, moves the status to `review_status` (or leaves it there),
    bumps the revision once and writes one history step whose `changes` are the field names.
    Returns that StatusChange, or None when nothing frozen changed.
    """
    workflow = workflow or workflow_for(record)
    if workflow is None:
        return None
    assert_editable(record, changed, workflow)
    status = workflow.status_of(record)
    touched = sorted(_frozen_names(workflow, status) & set(changed or ()))
    if not touched:
        return None
    from core.models import StatusChange

    with transaction.atomic():
        locked = type(record)._base_manager.select_for_update().get(pk=record.pk)
        status = workflow.status_of(locked)
        StatusChange.objects.filter(
            content_type=_ct(locked),
            object_id=str(locked.pk),
            is_approval=True,
            voided_at__isnull=True,
        ).update(voided_at=timezone.now())
        ctx = TransitionContext(
            record=locked,
            principal=principal,
            transition=Transition(CONTENT_CHANGED, status, workflow.review_status or status),
            from_status=status,
            to_status=workflow.review_status or status,
            # The step's label and `changes` say what happened, in the reader's language.
            note=(note or "").strip(),
        )
        change = workflow._write(
            ctx, revision_seen=getattr(locked, "revision", None), transition_name=CONTENT_CHANGED, changes=touched
        )
    if hasattr(locked, "revision"):
        record.revision = locked.revision
    setattr(record, workflow.status_field, ctx.to_status)
    return change


def _ct(record):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(type(record))


@contextmanager
def watch(record, principal, workflow=None):
    """Wrap an edit of `record`: refuses a closed record, then sends it back to review when the
    edit changed frozen content. The edit itself runs inside the block, in one transaction.

        with watch(plan, principal):
            form.save()
    """
    workflow = workflow or workflow_for(record)
    if workflow is None:
        yield None
        return
    with transaction.atomic():
        stored = type(record)._base_manager.select_for_update().get(pk=record.pk)
        assert_editable(stored, workflow=workflow)
        before = snapshot(stored, workflow)
        yield before
        content_changed(record, changed_fields(record, before, workflow), principal, workflow=workflow)
