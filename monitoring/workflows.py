"""The monitoring app's workflows (core.workflow): data requests and match proposals.

Every decision (page, API, admin) goes through `core.workflow.perform()`; the history is
core.StatusChange. Decisions are bound to the revision the decider saw (`requires_revision`).
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import notify
from core.workflow import Transition, Workflow, register

from . import services
from .models import DataRequest, DataRequestStatus, MatchProposal, MatchStatus
from .services.notifications import MATCH_REVIEWED, REQUEST_DECIDED, acting_user

R, M = DataRequestStatus, MatchStatus

# --- data requests ---------------------------------------------------------------------------------


def coordinator_of_agency_asked(principal, request):
    if services.can_decide(principal, request):
        return None
    return _("Only a coordinator of the agency asked may decide on this request.")


def requesting_agency(principal, request):
    if principal.is_superuser or (principal.can_write and principal.agency_id == request.owner_agency_id):
        return None
    return _("Only the requesting agency may withdraw its request.")


class GrantForm(forms.Form):
    valid_until = forms.DateField(
        label=gettext_lazy("Access until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty for the date the researcher needs the data until."),
    )


def record_decision(ctx):
    ctx.updates.update(decided_by=acting_user(ctx.principal), decided_at=timezone.now(), decision_note=ctx.note)


def grant_precise_access(ctx):
    from core.models import DataSharingGrant, GrantScope

    request = ctx.record
    today = timezone.localdate()
    valid_until = ctx.params.get("valid_until") or request.needed_until or today + datetime.timedelta(days=365)
    ctx.updates["grant"] = DataSharingGrant.objects.create(
        grantor=request.requested_from,
        grantee=request.owner_agency,
        scope=GrantScope.PRECISE_LOCATIONS,
        dataset_type=request.requested_dataset,
        valid_from=today,
        valid_until=max(valid_until, today),
        note=_("Data request %(id)s") % {"id": request.pk},
    )


def _tell_back(ctx, user, event, subjects, template):
    """A decision goes back to whoever asked, in their language (`subjects`: lazy text per status)."""
    subject = subjects[ctx.to_status]
    notify.notify(
        notify.whoever_asked(user),
        event,
        lambda context: str(subject) % {"record": context["record"]},
        template,
        record=ctx.record,
        actor=acting_user(ctx.principal),
        context={"note": ctx.note, "decision": ctx.to_status},
    )


def tell_requester(ctx):
    subjects = {
        R.APPROVED: gettext_lazy("Your data request was approved: %(record)s"),
        R.DECLINED: gettext_lazy("Your data request was declined: %(record)s"),
    }
    _tell_back(ctx, ctx.record.requester, REQUEST_DECIDED, subjects, "monitoring/notifications/request_decided.txt")


@register
class DataRequestWorkflow(Workflow):
    model = DataRequest
    closed = (R.APPROVED, R.DECLINED, R.WITHDRAWN)
    transitions = [
        Transition(
            "approve",
            R.SUBMITTED,
            R.APPROVED,
            label=gettext_lazy("Approve"),
            guards=[coordinator_of_agency_asked],
            before=[record_decision, grant_precise_access],
            after=[tell_requester],
            form_class=GrantForm,
            requires_revision=True,
        ),
        Transition(
            "decline",
            R.SUBMITTED,
            R.DECLINED,
            label=gettext_lazy("Decline"),
            guards=[coordinator_of_agency_asked],
            before=[record_decision],
            after=[tell_requester],
            requires_revision=True,
            style="secondary",
        ),
        Transition(
            "withdraw",
            R.SUBMITTED,
            R.WITHDRAWN,
            label=gettext_lazy("Withdraw"),
            guards=[requesting_agency],
            style="secondary",
        ),
    ]


# --- match proposals -------------------------------------------------------------------------------


def expert_of_other_country(principal, proposal):
    if services.can_review_match(principal, proposal):
        return None
    return _("Only an expert of the other country may confirm or reject this match.")


def still_valid(ctx):
    # The individuals may have changed since the proposal was made (a merge, a species fix).
    ctx.record.clean()


def record_review(ctx):
    ctx.updates.update(reviewed_by=acting_user(ctx.principal), reviewed_at=timezone.now(), review_note=ctx.note)


def merge_matched(ctx):
    proposal = ctx.record
    survivor, merged = proposal.individual.current(), proposal.other.current()
    if survivor.pk != merged.pk:
        services.merge_individuals(ctx.principal, merged, survivor, proposal=proposal, note=ctx.note)


def tell_proposer(ctx):
    subjects = {
        M.CONFIRMED: gettext_lazy("Your match proposal was confirmed: %(record)s"),
        M.REJECTED: gettext_lazy("Your match proposal was rejected: %(record)s"),
    }
    _tell_back(ctx, ctx.record.created_by, MATCH_REVIEWED, subjects, "monitoring/notifications/match_reviewed.txt")


@register
class MatchProposalWorkflow(Workflow):
    model = MatchProposal
    closed = (M.CONFIRMED, M.REJECTED)
    transitions = [
        Transition(
            "confirm",
            M.PROPOSED,
            M.CONFIRMED,
            label=gettext_lazy("Confirm the match"),
            guards=[expert_of_other_country],
            before=[still_valid, record_review],
            after=[merge_matched, tell_proposer],
            requires_revision=True,
        ),
        Transition(
            "reject",
            M.PROPOSED,
            M.REJECTED,
            label=gettext_lazy("Reject"),
            guards=[expert_of_other_country],
            before=[record_review],
            after=[tell_proposer],
            requires_revision=True,
            style="secondary",
        ),
    ]
