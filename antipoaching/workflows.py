"""The joint action plan's workflow, declared on core.workflow (docs/shared-layer/workflow.md).

draft → under review → approved (one coordinator of each participating country) → active →
completed → evaluated. The approved content is frozen: changing it sends the plan back to
review with the approvals voided; a completed or evaluated plan is read-only.
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import notify
from core.access import can_edit
from core.translated import language_codes
from core.workflow import Approval, Transition, Workflow, approved_by_each_country, not_before, owner_only, register

from .models import ActionPlan
from .models import PlanStatus as S
from .services.activities import sync_plan_obligations
from .services.plans import required_countries

# What the coordinators approve; `planned_activities` is the activities' content without their
# progress (marking an activity done must not send an active plan back to review).
CONTENT = (
    "title",
    "objectives",
    "period_start",
    "period_end",
    "participating_agencies",
    "targets",
    "planned_activities",
)

PLAN_SUBMITTED = notify.register_event("antipoaching.plan_submitted", gettext_lazy("Plan submitted for review"))
PLAN_DECIDED = notify.register_event("antipoaching.plan_decided", gettext_lazy("Plan approved or returned"))


def owner_or_participant_coordinator(principal, plan):
    if can_edit(principal, plan):
        return None
    agency = getattr(principal, "agency", None)
    if (
        principal.can_write
        and principal.is_coordinator
        and agency is not None
        and any(a.pk == agency.pk for a in plan.participating_agencies.all())
    ):
        return None
    return _("Only the owning agency or a coordinator of a participating agency may do this.")


def has_participants(principal, plan):
    if plan.participating_agencies.exists():
        return None
    return _("List the participating agencies before submitting the plan.")


class EvaluationForm(forms.Form):
    """The written evaluation that closes a plan, in any of the three languages.

    The API also takes {"evaluation": {"en": …, "ru": …, "zh-hans": …}} or a plain string.
    """

    evaluation_zh_hans = forms.CharField(
        label=gettext_lazy("Evaluation (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evaluation_en = forms.CharField(
        label=gettext_lazy("Evaluation (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evaluation_ru = forms.CharField(
        label=gettext_lazy("Evaluation (Russian)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, **kwargs):
        self.body_error = None
        if data is not None and "evaluation" in data:
            data = self._expand(data)
        super().__init__(data=data, **kwargs)

    def _expand(self, data):
        values = {k: v for k, v in data.items() if k != "evaluation"}
        evaluation = data.get("evaluation")
        if isinstance(evaluation, str):
            evaluation = {"en": evaluation}
        if isinstance(evaluation, dict) and all(
            code in language_codes() and isinstance(text, str) for code, text in evaluation.items()
        ):
            for code, text in evaluation.items():
                values[f"evaluation_{code.replace('-', '_')}"] = text
        elif evaluation is not None:
            self.body_error = _("Expected an object with the keys zh-hans, en and ru, or a string.")
        return values

    def clean(self):
        cleaned = super().clean()
        if self.body_error:
            self.add_error(None, self.body_error)
        elif not any((cleaned.get(name) or "").strip() for name in self.base_fields):
            raise forms.ValidationError(_("Write the evaluation before closing the plan."), code="evaluation")
        return cleaned


def write_evaluation(ctx):
    for name in EvaluationForm.base_fields:
        ctx.updates[name] = (ctx.params.get(name) or "").strip()


def sync_activities(ctx):
    sync_plan_obligations(ctx.record)


def _notify(recipients, event, subject, ctx, **extra):
    notify.notify(
        recipients,
        event,
        subject,
        record=ctx.record,
        actor=getattr(ctx.principal, "user", None),
        context={"note": ctx.note, **extra},
    )


def tell_participants(ctx):
    agencies = [a for a in ctx.record.participating_agencies.all() if a.pk != ctx.record.owner_agency_id]
    _notify(notify.coordinators_of(agencies), PLAN_SUBMITTED, gettext_lazy("Plan to review: %(record)s"), ctx)


def tell_owner_approved(ctx):
    if ctx.to_status == S.APPROVED:
        _notify(
            notify.coordinators_of([ctx.record.owner_agency]),
            PLAN_DECIDED,
            gettext_lazy("Plan approved: %(record)s"),
            ctx,
        )


def tell_owner_returned(ctx):
    _notify(
        notify.coordinators_of([ctx.record.owner_agency]),
        PLAN_DECIDED,
        gettext_lazy("Plan returned to draft: %(record)s"),
        ctx,
    )


@register
class PlanWorkflow(Workflow):
    model = ActionPlan
    review_status = S.UNDER_REVIEW
    frozen = {S.UNDER_REVIEW: CONTENT, S.APPROVED: CONTENT, S.ACTIVE: CONTENT}
    closed = (S.COMPLETED, S.EVALUATED)
    transitions = [
        Transition(
            "submit",
            S.DRAFT,
            S.UNDER_REVIEW,
            label=gettext_lazy("Submit for review"),
            guards=[owner_only, has_participants],
            after=[tell_participants],
        ),
        Approval(
            "approve",
            S.UNDER_REVIEW,
            S.APPROVED,
            label=gettext_lazy("Approve"),
            countries=required_countries,
            approvers=lambda plan: plan.participating_agencies.all(),
            requires_revision=True,
            after=[sync_activities, tell_owner_approved],
        ),
        Transition(
            "return",
            (S.UNDER_REVIEW, S.APPROVED),
            S.DRAFT,
            label=gettext_lazy("Return to draft"),
            guards=[owner_or_participant_coordinator],
            after=[sync_activities, tell_owner_returned],
            style="secondary",
        ),
        Transition(
            "activate",
            S.APPROVED,
            S.ACTIVE,
            label=gettext_lazy("Start (make active)"),
            guards=[owner_or_participant_coordinator, approved_by_each_country(required_countries)],
            after=[sync_activities],
        ),
        Transition(
            "complete",
            S.ACTIVE,
            S.COMPLETED,
            label=gettext_lazy("Mark completed"),
            guards=[owner_or_participant_coordinator, not_before("period_end")],
            after=[sync_activities],
        ),
        Transition(
            "evaluate",
            S.COMPLETED,
            S.EVALUATED,
            label=gettext_lazy("Close with evaluation"),
            guards=[owner_or_participant_coordinator, not_before("period_end")],
            form_class=EvaluationForm,
            before=[write_evaluation],
            after=[sync_activities],
        ),
    ]
