"""Declared transitions, one status history, multi-party approval and frozen content.

See docs/shared-layer/workflow.md. Apps declare a `Workflow` per model in `<app>/workflows.py` and
register it; pages, the API and the admin call `perform()`.
"""

from .approvals import Approval, approvals, approvals_in, approved_by_each_country, approved_countries
from .content import assert_editable, changed_fields, content_changed, snapshot, watch
from .engine import (
    ANY,
    CONTENT_CHANGED,
    CREATED,
    StaleRevision,
    Transition,
    TransitionContext,
    TransitionError,
    Workflow,
    register,
    registered_models,
    unregister,
    workflow_for,
)
from .guards import any_of, can_write, coordinator_only, not_after, not_before, owner_only


def _workflow(record):
    workflow = workflow_for(record)
    if workflow is None:
        raise LookupError(f"No workflow is registered for {type(record)._meta.label}")
    return workflow


def perform(record, name, principal, revision=None, note="", params=None):
    """Take transition `name` on `record` (see Workflow.perform)."""
    return _workflow(record).perform(record, name, principal, revision=revision, note=note, params=params)


def available_transitions(record, principal):
    return _workflow(record).available_transitions(record, principal)


def history(record):
    return _workflow(record).history(record)


__all__ = [
    "ANY",
    "CONTENT_CHANGED",
    "CREATED",
    "Approval",
    "StaleRevision",
    "Transition",
    "TransitionContext",
    "TransitionError",
    "Workflow",
    "any_of",
    "approvals",
    "approvals_in",
    "approved_by_each_country",
    "approved_countries",
    "assert_editable",
    "available_transitions",
    "can_write",
    "changed_fields",
    "content_changed",
    "coordinator_only",
    "history",
    "not_after",
    "not_before",
    "owner_only",
    "perform",
    "register",
    "registered_models",
    "snapshot",
    "unregister",
    "watch",
    "workflow_for",
]
