"""Related fields that obey the access policy, for every serializer built on the portal's bases.

A reference the caller may not see is answered exactly like one that does not exist (DRF's own
"Invalid pk … object does not exist" in the caller's language), because the field's queryset is
narrowed to `visible_to(principal)` for each request. A link that writes into another agency's
record must also pass `core.access.can_link` under the rule the model or serializer declares.
"""

from rest_framework.relations import ManyRelatedField, RelatedField

from core.access import can_link, link_refused_message, visible_choices


def _current_pks(instance, source, many):
    """The pks `instance` links to through `source` today (kept choosable on edit)."""
    if instance is None or getattr(instance, "pk", None) is None or "." in source or source == "*":
        return []
    try:
        model_field = instance._meta.get_field(source)
    except Exception:  # noqa: BLE001 - not a model field (a property, a custom source)
        return []
    if many:
        if not model_field.many_to_many:
            return []
        return list(getattr(instance, source).values_list("pk", flat=True))
    if not (model_field.many_to_one or model_field.one_to_one) or not model_field.concrete:
        return []
    return [getattr(instance, model_field.attname)]


def restrict_related_fields(fields, principal, instance=None):
    """Narrow every writable related field in `fields` ({name: field}) whose model has
    `visible_to()` to what `principal` may see. Returns `fields`."""
    if principal is None:
        return fields
    single = instance if instance is not None and not isinstance(instance, (list, tuple)) else None
    if single is not None and not hasattr(single, "_meta"):
        single = None
    for name, field in fields.items():
        many = isinstance(field, ManyRelatedField)
        relation = field.child_relation if many else field
        if not isinstance(relation, RelatedField) or field.read_only or relation.queryset is None:
            continue
        source = field.source or name
        relation.queryset = visible_choices(relation.queryset, principal, _current_pks(single, source, many))
    return fields


def link_errors(serializer, attrs, rules, principal):
    """{field: [message]} for each newly linked target in `attrs` that `principal` may not link."""
    errors = {}
    if principal is None or not rules:
        return errors
    fields = serializer.fields
    for name, rule in rules.items():
        field = fields.get(name)
        source = field.source if field is not None and field.source else name
        if source not in attrs or attrs[source] is None:
            continue
        value = attrs[source]
        many = not hasattr(value, "_meta")
        targets = list(value) if many else [value]
        already = set(_current_pks(serializer.instance, source, many))
        for target in targets:
            if target.pk in already:
                continue  # an existing link stays; only new ones are checked
            if not can_link(principal, target, rule):
                errors.setdefault(name, []).append(link_refused_message(target))
    return errors
