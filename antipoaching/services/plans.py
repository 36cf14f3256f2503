"""Joint action plans: who takes part, and the one way to edit a plan's content.

The workflow itself (submit, approve per country, run, close) is declared in
antipoaching/workflows.py on core.workflow; the activities' reminders are in services.activities.
"""

from contextlib import contextmanager

from django.db import transaction

from core.models import Country
from core.workflow import assert_editable, content_changed, snapshot

from ..models import ActionPlan
from .activities import sync_plan_obligations


def plan_countries(plan):
    # .all() so that a prefetched list (API lists) is reused instead of a query per plan.
    return {agency.country for agency in plan.participating_agencies.all()}


def required_countries(plan):
    """The countries whose coordinators must approve: China and Russia when they take part."""
    countries = plan_countries(plan)
    return (countries & {Country.CHINA, Country.RUSSIA}) or countries


def is_joint(plan):
    return {Country.CHINA, Country.RUSSIA} <= plan_countries(plan)


def _normalized(value):
    if isinstance(value, tuple):
        return tuple(_normalized(v) for v in value)
    return "" if value is None else value


def plan_changes(plan, before):
    """Frozen fields changed since `before` (core.workflow.snapshot). An empty translation is
    the same whether stored as None or "" (forms post "", older rows hold None)."""
    after = snapshot(plan)
    return sorted(name for name in before if _normalized(before[name]) != _normalized(after.get(name)))


@contextmanager
def editing_plan(plan, principal):
    """Wrap every edit of a plan or of its targets and activities (form, serializer, admin).

    A closed plan refuses the edit (TransitionError, code "closed"); when approved content
    changed, the plan goes back to review with its approvals voided and the field names in the
    history (core.workflow.content_changed), and the activities' reminders follow its status.
    """
    if plan is None or plan.pk is None:
        yield plan
        return
    with transaction.atomic():
        stored = ActionPlan._base_manager.select_for_update().get(pk=plan.pk)
        assert_editable(stored)
        before = snapshot(stored)
        yield plan
        content_changed(plan, plan_changes(plan, before), principal)
        sync_plan_obligations(ActionPlan.objects.get(pk=plan.pk))
