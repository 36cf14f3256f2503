"""Declared transitions over a record's status field, with one shared history (core.StatusChange).

A model's workflow is a `Workflow` subclass listing `Transition`s; `perform()` is the only way a
status moves: it locks the row, checks the source state, the guards and the revision the actor
saw, writes the status (and any fields the hooks set) with one queryset update that bumps the
revision once, and records one StatusChange, all in one transaction.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ANY = "*"


class TransitionError(ValidationError):
    """A transition that may not be taken now; the message says why (translated)."""

    def __init__(self, message, code="refused"):
        super().__init__(message, code=code)

    @property
    def text(self):
        return " ".join(str(m) for m in self.messages)


class StaleRevision(TransitionError):
    """The record changed since the actor opened it: the decision was made on other content."""

    def __init__(self, seen, current):
        super().__init__(
            _(
                "This record was changed since you opened it (you saw revision %(seen)s, it is now at "
                "revision %(current)s). Reload it, check the changes and decide again."
            )
            % {"seen": seen, "current": current},
            code="stale",
        )


def _as_tuple(value):
    if value is None:
        return ()
    if callable(value) or isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass
class Transition:
    """One declared step: `sources` (a status, several, or ANY) to `target`.

    `guards` are functions `(principal, record) -> None | reason`; `before` and `after` hooks are
    functions of the `TransitionContext` (before: may refuse with TransitionError and set
    `ctx.updates`; after: side effects once the status is written, same transaction).
    `form_class` is an optional Django form of extra inputs (an evaluation, a validity date) used
    by the page and, with the same rules, by the API body; its cleaned data is `ctx.params`.
    """

    name: str
    sources: object
    target: str
    label: object = ""
    guards: tuple = ()
    before: tuple = ()
    after: tuple = ()
    form_class: object = None
    note_required: bool = False
    requires_revision: bool = False
    style: str = "primary"
    is_approval = False

    def __post_init__(self):
        self.sources = (ANY,) if self.sources == ANY else _as_tuple(self.sources)
        self.guards = _as_tuple(self.guards)
        self.before = _as_tuple(self.before)
        self.after = _as_tuple(self.after)
        if not self.label:
            self.label = self.name

    def applies_to(self, status):
        return ANY in self.sources or status in self.sources

    def refusal(self, principal, record):
        """The first reason a guard gives for refusing, or None."""
        for guard in self.guards:
            reason = guard(principal, record)
            if reason:
                return reason
        return None

    def target_for(self, record):
        return self.target


@dataclass
class TransitionContext:
    record: object
    principal: object
    transition: Transition
    from_status: str
    to_status: str
    note: str = ""
    params: dict = field(default_factory=dict)
    updates: dict = field(default_factory=dict)
    change: object = None
    is_approval: bool = False
    country: str = ""


class Workflow:
    """Subclass per model: `model`, `transitions`; optionally `status_field`, `review_status`,
    `frozen` ({status: field names}), `locked` ({status: field names}) and `closed` (statuses)."""

    model = None
    status_field = "status"
    transitions = ()
    review_status = None
    frozen = {}
    locked = {}
    closed = ()

    def __init__(self):
        self._by_name = {t.name: t for t in self.transitions}
        if len(self._by_name) != len(self.transitions):
            raise ImproperlyConfigured(f"{type(self).__name__}: two transitions share a name")
        # A misspelt status would make a step silently unreachable: refuse it at registration.
        known = {value for value, _label in self.model._meta.get_field(self.status_field).flatchoices}
        if known:
            named = {self.review_status, *self.frozen, *self.locked, *self.closed} - {None}
            for t in self.transitions:
                named |= {t.target, *(s for s in t.sources if s != ANY)}
            unknown = named - known
            if unknown:
                raise ImproperlyConfigured(f"{type(self).__name__}: unknown statuses {sorted(unknown)}")

    # --- reading -------------------------------------------------------------------------
    def transition(self, name):
        try:
            return self._by_name[name]
        except KeyError:
            raise TransitionError(_("There is no step “%(name)s” for this record.") % {"name": name}, code="unknown")

    def status_of(self, record):
        return getattr(record, self.status_field)

    def status_label(self, value):
        if not value:
            return ""
        choices = dict(self.model._meta.get_field(self.status_field).flatchoices)
        return choices.get(value, value)

    def transition_label(self, name):
        if name in self._by_name:
            return self._by_name[name].label
        return SYSTEM_LABELS.get(name, name)

    def available_transitions(self, record, principal):
        """The transitions `principal` may take now (for buttons and the API listing)."""
        status = self.status_of(record)
        if not getattr(principal, "is_authenticated", False):
            return []
        return [t for t in self.transitions if t.applies_to(status) and t.refusal(principal, record) is None]

    def history(self, record):
        from core.models import StatusChange

        return (
            StatusChange.objects.filter(content_type=_content_type(record), object_id=str(record.pk))
            .select_related("user", "agency", "api_key")
            .order_by("at", "pk")
        )

    # --- acting --------------------------------------------------------------------------
    def perform(self, record, name, principal, revision=None, note="", params=None):
        """Take transition `name`; returns the record as written (fresh, with its new revision)."""
        transition = self.transition(name)
        note = (note or "").strip()
        with transaction.atomic():
            locked = type(record)._base_manager.select_for_update().get(pk=record.pk)
            status = self.status_of(locked)
            if not transition.applies_to(status):
                raise TransitionError(
                    _("“%(step)s” is not possible while the record is “%(status)s”.")
                    % {"step": transition.label, "status": self.status_label(status)},
                    code="state",
                )
            if revision is None and transition.requires_revision:
                raise TransitionError(_("Send the revision of the record you decided on."), code="revision_required")
            if revision is not None and int(revision) != getattr(locked, "revision", None):
                raise StaleRevision(revision, locked.revision)
            reason = transition.refusal(principal, locked)
            if reason:
                raise TransitionError(reason, code="guard")
            if transition.note_required and not note:
                raise TransitionError(_("Write a note that explains this step."), code="note_required")
            ctx = TransitionContext(
                record=locked,
                principal=principal,
                transition=transition,
                from_status=status,
                to_status=transition.target_for(locked),
                note=note,
                params=dict(params or {}),
            )
            self._prepare(ctx)
            for hook in transition.before:
                hook(ctx)
            self._write(ctx, revision_seen=getattr(locked, "revision", None) if revision is None else int(revision))
            for hook in transition.after:
                hook(ctx)
        _copy_written(locked, record, self.status_field, ctx.updates)
        return locked

    def _prepare(self, ctx):
        """Hook for kinds of transition (approvals) that fill the context before the write."""
        if ctx.transition.is_approval:
            ctx.transition.prepare(self, ctx)

    def _write(self, ctx, revision_seen=None, transition_name=None, changes=None):
        from core.models import StatusChange

        record = ctx.record
        updates = {self.status_field: ctx.to_status, **ctx.updates}
        self._update_row(record, updates, ctx.principal)
        principal = ctx.principal
        user = getattr(principal, "user", None)
        ctx.change = StatusChange.objects.create(
            content_type=_content_type(record),
            object_id=str(record.pk),
            transition=transition_name or ctx.transition.name,
            from_status=ctx.from_status or "",
            to_status=ctx.to_status,
            revision=revision_seen,
            is_approval=ctx.is_approval,
            country=ctx.country,
            user=user if getattr(user, "pk", None) else None,
            agency=getattr(principal, "agency", None),
            api_key=getattr(principal, "api_key", None),
            note=ctx.note,
            changes=list(changes or []),
        )
        return ctx.change

    def _update_row(self, record, updates, principal):
        """Write `updates` and bump the revision once, without running save() side effects."""
        from django.db.models import F

        from core.audit import current_actor, reset_actor, set_actor, snapshot, write_entry

        model = type(record)
        before = snapshot(record)
        values = dict(updates)
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            values["updated_at"] = timezone.now()
        has_revision = any(f.name == "revision" for f in model._meta.concrete_fields)
        if has_revision:
            values["revision"] = F("revision") + 1  # a step is a change of the record: a new ETag
        model._base_manager.filter(pk=record.pk).update(**values)
        for name, value in values.items():
            if name != "revision":
                setattr(record, name, value)
        if has_revision:
            record.revision = model._base_manager.filter(pk=record.pk).values_list("revision", flat=True).get()
        after = snapshot(record)
        changed = sorted(k for k in after if k not in {"updated_at", "revision"} and before.get(k) != after[k])
        if changed:
            # A queryset update skips the audit signals: write the entry they would have written.
            token = set_actor(principal) if current_actor() is None else None
            try:
                write_entry(
                    record,
                    "update",
                    before={k: before.get(k) for k in changed},
                    after={k: after[k] for k in changed},
                    changed=changed,
                )
            finally:
                if token is not None:
                    reset_actor(token)

    def started(self, record, principal, note=""):
        """Record the first step of a new record's history ("" → its initial status)."""
        from core.models import StatusChange

        user = getattr(principal, "user", None)
        return StatusChange.objects.create(
            content_type=_content_type(record),
            object_id=str(record.pk),
            transition=CREATED,
            from_status="",
            to_status=self.status_of(record),
            revision=getattr(record, "revision", None),
            user=user if getattr(user, "pk", None) else None,
            agency=getattr(principal, "agency", None),
            api_key=getattr(principal, "api_key", None),
            note=(note or "").strip(),
        )


CREATED = "created"
CONTENT_CHANGED = "content_changed"
SYSTEM_LABELS = {
    CREATED: gettext_lazy("Created"),
    CONTENT_CHANGED: gettext_lazy("Approved content changed"),
}


def _content_type(record):
    return ContentType.objects.get_for_model(type(record))


def _copy_written(source, target, status_field, updates):
    if source is target:
        return
    for name in (status_field, "revision", "updated_at", *updates):
        if hasattr(source, name):
            setattr(target, name, getattr(source, name))


# --- the registry: model → workflow -------------------------------------------------------------

_registry = {}


def register(workflow_class):
    """Class decorator (or call): make `workflow_class` the workflow of its model."""
    _registry[workflow_class.model._meta.label_lower] = workflow_class()
    return workflow_class


def unregister(model):
    _registry.pop(model._meta.label_lower, None)


def workflow_for(model_or_record):
    """The registered workflow of a model (or a record's model), or None."""
    model = model_or_record if isinstance(model_or_record, type) else type(model_or_record)
    return _registry.get(model._meta.label_lower)


def registered_models():
    return dict(_registry)
