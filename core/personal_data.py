"""Personal data: which fields hold it, who may see it, and one way to erase it everywhere.

A model declares its personal fields with class attributes (the one way to declare them):

    class Incident(SharedRecord):
        personal_data_fields = ("suspects",)
        personal_data_children = ("witnesses",)          # related names whose rows are erased too
        personal_data_attachment_roles = ("identity",)   # attachments deleted on erasure

The audit log (core.audit) keeps that such a field changed, never its value. Serializers, forms,
exports and search ask `hidden_personal_fields` / `redact` / `searchable_fields`.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from .models.base import Sensitivity

__all__ = [
    "PERSONAL_DATA_MARKER",
    "PersonalDataFormMixin",
    "PersonalDataSerializerMixin",
    "erase_personal_data",
    "hidden_personal_fields",
    "may_see_personal_data",
    "personal_attnames",
    "personal_fields",
    "redact",
    "scrub_audit_history",
    "searchable_fields",
]

# What the audit log stores instead of a personal value (stored data: not translated).
PERSONAL_DATA_MARKER = "[personal data]"
ERASED_MARKER = "[erased]"


def personal_fields(model):
    """The names of the fields of `model` (class or instance) that hold personal data."""
    model = model if isinstance(model, type) else type(model)
    return tuple(getattr(model, "personal_data_fields", ()) or ())


def personal_attnames(model):
    """The column names (attname) of the personal fields, as the audit snapshots key them."""
    model = model if isinstance(model, type) else type(model)
    names = set()
    for name in personal_fields(model):
        try:
            names.add(model._meta.get_field(name).attname)
        except FieldDoesNotExist:
            names.add(name)
        names.add(name)
    return frozenset(names)


def _governing(record):
    from .documents import governing_record

    return governing_record(record)


def may_see_personal_data(principal, record):
    """True when `principal` may read the personal fields of `record`.

    A model may decide itself with `personal_data_visible_to(principal)`. By default: a superuser,
    the owning agency, and the agencies the owner listed on a restricted record; nobody else
    (partners who see a "partners" record do not see the people in it).
    """
    if principal is None:
        return False
    if principal.is_superuser:
        return True
    custom = getattr(record, "personal_data_visible_to", None)
    if callable(custom):
        return bool(custom(principal))
    owner = _governing(record)
    if owner is None or principal.agency is None:
        return False
    if owner.owner_agency_id == principal.agency_id:
        return True
    if getattr(owner, "sensitivity", None) == Sensitivity.RESTRICTED and hasattr(owner, "shared_with"):
        # all() rather than filter(): list views prefetch shared_with, so no query per row.
        return any(agency.pk == principal.agency_id for agency in owner.shared_with.all())
    return False


def hidden_personal_fields(record, principal):
    """The personal fields of `record` that `principal` must not see (empty when allowed)."""
    fields = personal_fields(record)
    if not fields or may_see_personal_data(principal, record):
        return frozenset()
    return frozenset(fields)


def _blank_value(model, name, record=None):
    custom = getattr(model, "personal_data_erased_values", None) or {}
    if name in custom:
        value = custom[name]
        return value(record) if callable(value) and record is not None else value
    field = model._meta.get_field(name)
    if isinstance(field, models.JSONField):
        default = field.get_default()
        return type(default)() if isinstance(default, (list, dict)) else None
    if field.null:
        return None
    if isinstance(field, (models.CharField, models.TextField)):
        if record is not None and _is_unique(model, name):
            # Blank values would collide in a unique field: each erased row gets its own text.
            return f"{ERASED_MARKER} {record.pk}"[: field.max_length or None]
        return ""
    default = field.get_default()
    return default


def _is_unique(model, name):
    field = model._meta.get_field(name)
    if field.unique:
        return True
    if any(name in group for group in model._meta.unique_together):
        return True
    return any(
        isinstance(constraint, models.UniqueConstraint) and name in (constraint.fields or ())
        for constraint in model._meta.constraints
    )


def redact(record, principal):
    """{field: blank value} for each personal field `principal` may not see.

    Apps apply it where they build output: `data.update(redact(record, principal))`.
    """
    model = type(record)
    return {name: _blank_value(model, name) for name in hidden_personal_fields(record, principal)}


def searchable_fields(model, fields):
    """`fields` without the personal ones (and their lookups), for search and filter helpers."""
    personal = set(personal_fields(model))
    return tuple(f for f in fields if f.split("__", 1)[0] not in personal)


class PersonalDataSerializerMixin:
    """DRF serializer mixin: personal fields come out blank for those who may not see them.

    Needs the request in the serializer context (DRF viewsets put it there).
    """

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None:
            hidden = personal_fields(instance)
            return {**data, **{name: _blank_value(type(instance), name) for name in hidden if name in data}}
        from .access import principal_for

        for name, value in redact(instance, principal_for(request)).items():
            if name in data:
                data[name] = value
        return data


class PersonalDataFormMixin:
    """Form mixin: drops the personal fields the form's `principal=` may not see or change.

    class IncidentForm(PersonalDataFormMixin, TranslatedModelForm): ...
    IncidentForm(instance=incident, principal=principal)
    """

    def __init__(self, *args, principal=None, **kwargs):
        from .forms import TranslatedModelForm

        if isinstance(self, TranslatedModelForm):
            kwargs["principal"] = principal  # the portal's base form takes it too
        super().__init__(*args, **kwargs)
        self.principal = principal
        self.hide_personal_fields()

    def hide_personal_fields(self):
        model = getattr(getattr(self, "_meta", None), "model", None)
        instance = getattr(self, "instance", None)
        principal = getattr(self, "principal", None)
        if model is None or principal is None:
            return
        # A new record (even with its UUID already set) is its author's own: nothing to hide.
        if instance is not None and not instance._state.adding:
            hidden = hidden_personal_fields(instance, principal)
        else:
            hidden = frozenset() if principal.is_authenticated else frozenset(personal_fields(model))
        for name in hidden:
            self.fields.pop(name, None)


# --- erasure ---------------------------------------------------------------------------------


def _scrub_value(document, attnames, marker):
    if not isinstance(document, dict):
        return document, False
    changed = False
    result = dict(document)
    for key in attnames:
        if key in result and result[key] != marker:
            result[key] = marker
            changed = True
    return result, changed


def scrub_audit_history(model, pks=None, marker=PERSONAL_DATA_MARKER):
    """Replace the personal values in earlier audit rows of `model` (all rows, or of `pks`).

    For the move of an app onto the declaration: values logged before the declaration existed
    leave the log. Returns the number of rows changed.
    """
    from django.contrib.contenttypes.models import ContentType

    from .models.audit import ObjectChange

    attnames = personal_attnames(model)
    if not attnames:
        return 0
    rows = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(model))
    if pks is not None:
        rows = rows.filter(object_id__in=[str(pk) for pk in pks])
    has_key = Q()
    for key in attnames:
        has_key |= Q(before__has_key=key) | Q(after__has_key=key)
    count = 0
    for row in rows.filter(has_key).only("pk", "before", "after").iterator():
        before, changed_before = _scrub_value(row.before, attnames, marker)
        after, changed_after = _scrub_value(row.after, attnames, marker)
        if changed_before or changed_after:
            ObjectChange.objects.filter(pk=row.pk).update(before=before, after=after)
            count += 1
    return count


def _as_records(target):
    if isinstance(target, models.QuerySet):
        return list(target)
    if isinstance(target, models.Model):
        return [target]
    return list(target)


def _erase_one(record, principal, reason, erased):
    from django.contrib.contenttypes.models import ContentType

    from .audit import acting_as, current_actor, write_entry
    from .models.audit import ObjectChange

    model = type(record)
    fields = personal_fields(model)
    if fields:
        values = {name: _blank_value(model, name, record) for name in fields}
        update = dict(values)
        concrete = {f.name for f in model._meta.concrete_fields}
        if "revision" in concrete:
            update["revision"] = F("revision") + 1  # an ETag from before the erasure no longer fits
        if "updated_at" in concrete:
            update["updated_at"] = timezone.now()
        # A queryset update: no save() side effects, no audit signal with values.
        model._base_manager.filter(pk=record.pk).update(**update)
        for name, value in values.items():
            setattr(record, name, value)
        scrub_audit_history(model, [record.pk], marker=ERASED_MARKER)
        # The record's name in the log may have been built from the erased values.
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=str(record.pk)
        ).update(object_repr=str(record)[:255])
        marker = {name: ERASED_MARKER for name in fields}
        entry = {"personal_data_erased": sorted(fields), "reason": reason}
        if current_actor() is principal:
            write_entry(record, ObjectChange.Action.UPDATE, before=marker, after=entry, changed=sorted(fields))
        else:
            with acting_as(principal):
                write_entry(record, ObjectChange.Action.UPDATE, before=marker, after=entry, changed=sorted(fields))
        erased.append((model._meta.label, str(record.pk), fields))

    roles = tuple(getattr(model, "personal_data_attachment_roles", ()) or ())
    if roles:
        from .documents import attachments_for, delete_attachment
        from .models.documents import Attachment

        attachment_type = ContentType.objects.get_for_model(Attachment)
        for attachment in attachments_for(record).filter(role__in=roles):
            pk = attachment.pk
            delete_attachment(attachment, principal, check=False)
            # Its file name (a passport scan named after the person) leaves the log too.
            ObjectChange.objects.filter(content_type=attachment_type, object_id=str(pk)).update(
                object_repr=f"attachment {pk}"
            )

    for accessor in getattr(model, "personal_data_children", ()) or ():
        related = getattr(record, accessor)
        children = related.all() if hasattr(related, "all") else [related]
        for child in children:
            _erase_one(child, principal, reason, erased)


def erase_personal_data(record_or_queryset, principal, reason):
    """Blank the declared personal fields of the records and their declared children.

    Earlier audit rows of those values are scrubbed; the erasure is itself logged (who, when, why,
    which fields, never the values). Only a principal that may edit each record may erase it.
    Returns a list of (model label, pk, fields) erased.
    """
    from .documents import may_edit_record

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the personal data is erased.")})
    records = _as_records(record_or_queryset)
    for record in records:
        if not may_edit_record(principal, record):
            raise ValidationError(_gettext("You may not erase the personal data of “%(record)s”.") % {"record": record})
    erased = []
    with transaction.atomic():
        for record in records:
            _erase_one(record, principal, reason, erased)
    return erased
