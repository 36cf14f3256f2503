"""Joint action plans: the two-country workflow (submit, approve per country, run, close).

The plan's activities and their reminders are in services.activities.
"""

from collections import OrderedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import can_edit
from core.models import Country

from ..models import ActionPlan, PlanStatus, PlanTransition
from .activities import sync_plan_obligations


class WorkflowError(ValidationError):
    """A transition that the plan's state does not allow."""


def plan_countries(plan):
    # .all() so that a prefetched list (API lists) is reused instead of a query per plan.
    return {agency.country for agency in plan.participating_agencies.all()}


def required_countries(plan):
    """The countries whose coordinators must approve: China and Russia when they take part."""
    countries = plan_countries(plan)
    sides = countries & {Country.CHINA, Country.RUSSIA}
    return sides or countries


def is_joint(plan):
    return {Country.CHINA, Country.RUSSIA} <= plan_countries(plan)


def approvals(plan):
    """Approvals given since the plan was last submitted for review (in the order given)."""
    transitions = sorted(plan.transitions.all(), key=lambda t: t.pk)
    submissions = [
        t.pk for t in transitions if t.from_status == PlanStatus.DRAFT and t.to_status == PlanStatus.UNDER_REVIEW
    ]
    since = submissions[-1] if submissions else 0
    return [t for t in transitions if t.is_approval and t.pk > since]


def approved_countries(plan):
    return {t.country for t in approvals(plan)}


def _record(plan, principal, from_status, to_status, note="", is_approval=False, country=""):
    return PlanTransition.objects.create(
        plan=plan,
        from_status=from_status,
        to_status=to_status,
        is_approval=is_approval,
        country=country,
        user=principal.user if getattr(principal.user, "pk", None) else None,
        agency=principal.agency,
        note=note or "",
    )


def _locked(plan):
    return ActionPlan.objects.select_for_update().get(pk=plan.pk)


def _expect(plan, *statuses):
    if plan.status not in statuses:
        raise WorkflowError(
            _("This step is not possible while the plan is “%(status)s”.") % {"status": plan.get_status_display()},
            code="state",
        )


def _is_participant_coordinator(principal, plan):
    return (
        principal.is_coordinator
        and principal.agency is not None
        and plan.participating_agencies.filter(pk=principal.agency.pk).exists()
    )


def _may_run(principal, plan):
    if not (can_edit(principal, plan) or _is_participant_coordinator(principal, plan)):
        raise PermissionDenied(_("Only the owning agency or a coordinator of a participating agency may do this."))


def _set_status(plan, status, **fields):
    plan.status = status
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save()
    sync_plan_obligations(plan)


@transaction.atomic
def submit_plan(plan, principal, note=""):
    plan = _locked(plan)
    if not can_edit(principal, plan):
        raise PermissionDenied(_("Only the owning agency may submit its plan for review."))
    _expect(plan, PlanStatus.DRAFT)
    if not plan.participating_agencies.exists():
        raise WorkflowError(_("List the participating agencies before submitting the plan."), code="agencies")
    _record(plan, principal, PlanStatus.DRAFT, PlanStatus.UNDER_REVIEW, note)
    _set_status(plan, PlanStatus.UNDER_REVIEW)
    return plan


@transaction.atomic
def approve_plan(plan, principal, note=""):
    """One country's approval. The plan becomes approved when every required country approved."""
    plan = _locked(plan)
    _expect(plan, PlanStatus.UNDER_REVIEW)
    if not principal.is_coordinator or principal.agency is None:
        raise PermissionDenied(_("Only a coordinator may approve a plan."))
    if not plan.participating_agencies.filter(pk=principal.agency.pk).exists():
        raise PermissionDenied(_("Only a coordinator of a participating agency may approve this plan."))
    country = principal.agency.country
    needed = required_countries(plan)
    if country not in needed:
        raise PermissionDenied(
            _("Approval is needed from the coordinators of: %(countries)s.")
            % {"countries": ", ".join(str(Country(c).label) for c in sorted(needed))}
        )
    done = approved_countries(plan)
    if country in done:
        raise WorkflowError(_("Your country has already approved this plan."), code="already_approved")
    complete = needed <= done | {country}
    to_status = PlanStatus.APPROVED if complete else PlanStatus.UNDER_REVIEW
    _record(plan, principal, PlanStatus.UNDER_REVIEW, to_status, note, is_approval=True, country=country)
    if complete:
        _set_status(plan, PlanStatus.APPROVED)
    return plan


@transaction.atomic
def return_plan_to_draft(plan, principal, note=""):
    plan = _locked(plan)
    _expect(plan, PlanStatus.UNDER_REVIEW)
    _may_run(principal, plan)
    _record(plan, principal, PlanStatus.UNDER_REVIEW, PlanStatus.DRAFT, note)
    _set_status(plan, PlanStatus.DRAFT)
    return plan


@transaction.atomic
def activate_plan(plan, principal, note=""):
    plan = _locked(plan)
    _expect(plan, PlanStatus.APPROVED)
    _may_run(principal, plan)
    _record(plan, principal, PlanStatus.APPROVED, PlanStatus.ACTIVE, note)
    _set_status(plan, PlanStatus.ACTIVE)
    return plan


@transaction.atomic
def complete_plan(plan, principal, note=""):
    plan = _locked(plan)
    _expect(plan, PlanStatus.ACTIVE)
    _may_run(principal, plan)
    _record(plan, principal, PlanStatus.ACTIVE, PlanStatus.COMPLETED, note)
    _set_status(plan, PlanStatus.COMPLETED)
    return plan


@transaction.atomic
def evaluate_plan(plan, principal, evaluation=None, note=""):
    """Close the plan with its written evaluation ({"en": …, "ru": …, "zh-hans": …} or a string)."""
    plan = _locked(plan)
    _expect(plan, PlanStatus.COMPLETED)
    _may_run(principal, plan)
    fields = {}
    if isinstance(evaluation, str):
        evaluation = {"en": evaluation}
    for code, text in (evaluation or {}).items():
        fields[f"evaluation_{code.replace('-', '_')}"] = text or ""
    if not any(fields.values()):
        raise WorkflowError(_("Write the evaluation before closing the plan."), code="evaluation")
    _record(plan, principal, PlanStatus.COMPLETED, PlanStatus.EVALUATED, note)
    _set_status(plan, PlanStatus.EVALUATED, **fields)
    return plan


TRANSITIONS = OrderedDict(
    [
        ("submit", (submit_plan, gettext_lazy("Submit for review"))),
        ("approve", (approve_plan, gettext_lazy("Approve"))),
        ("return", (return_plan_to_draft, gettext_lazy("Return to draft"))),
        ("activate", (activate_plan, gettext_lazy("Start (make active)"))),
        ("complete", (complete_plan, gettext_lazy("Mark completed"))),
        ("evaluate", (evaluate_plan, gettext_lazy("Close with evaluation"))),
    ]
)


def available_transitions(plan, principal):
    """Names of the steps `principal` may take now (for buttons)."""
    result = []
    coordinator = _is_participant_coordinator(principal, plan)
    runner = can_edit(principal, plan) or coordinator
    if plan.status == PlanStatus.DRAFT and can_edit(principal, plan):
        result.append("submit")
    if plan.status == PlanStatus.UNDER_REVIEW:
        if coordinator and principal.agency.country in required_countries(plan) - approved_countries(plan):
            result.append("approve")
        if runner:
            result.append("return")
    if plan.status == PlanStatus.APPROVED and runner:
        result.append("activate")
    if plan.status == PlanStatus.ACTIVE and runner:
        result.append("complete")
    if plan.status == PlanStatus.COMPLETED and runner:
        result.append("evaluate")
    return result


def check_plan_agencies_change(plan, new_agencies):
    """Participating agencies are fixed once a plan left draft (the approvals are for them)."""
    if plan is None or plan.status == PlanStatus.DRAFT:
        return
    if {a.pk for a in new_agencies} != set(plan.participating_agencies.values_list("pk", flat=True)):
        raise WorkflowError(
            _("Return the plan to draft before changing its participating agencies."), code="agencies_locked"
        )
