"""Multi-party approval: one approval per country, counted since the last submission for review.

An `Approval` is a transition that records `is_approval` and the approver's country; the record
reaches its target only when every required country has approved, otherwise it stays where it
is. An approval stops counting when it is voided (the approved content changed) or when the
record is submitted for review again.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.access import COORDINATOR_ROLES
from core.models import Country

from .engine import Transition, TransitionError, workflow_for


def approvals(record, workflow=None):
    """The approvals that count: not voided, given since the record last entered review."""
    workflow = workflow or workflow_for(record)
    steps = list(workflow.history(record))
    return approvals_in(steps, workflow.review_status)


def approvals_in(steps, review_status):
    """`approvals()` over an already loaded history (oldest first), for lists and templates."""
    since = -1
    for index, step in enumerate(steps):
        entered_review = step.to_status == review_status and step.from_status != review_status
        if entered_review and not step.is_approval:
            since = index
    return [s for s in steps[since + 1 :] if s.is_approval and s.voided_at is None]


def approved_countries(record, workflow=None):
    return {a.country for a in approvals(record, workflow) if a.country}


def country_labels(codes):
    return ", ".join(str(Country(c).label) if c in Country.values else c for c in sorted(codes))


def approved_by_each_country(countries):
    """Guard: refuse until one coordinator of each of `countries(record)` approved.

    Several approvals from one country count once, so a second Chinese approval never stands in
    for the Russian one.
    """

    def guard(principal, record):
        missing = set(countries(record)) - approved_countries(record)
        if missing:
            return _("Approval is still needed from: %(countries)s.") % {"countries": country_labels(missing)}
        return None

    return guard


@dataclass
class Approval(Transition):
    """One party's approval. `countries(record)` are the countries whose approval is required;
    `approvers(record)`, if given, the agencies whose coordinators may approve (for a plan: its
    participating agencies). Set `roles` to widen who counts as an approver."""

    countries: object = None
    approvers: object = None
    roles: frozenset = frozenset(COORDINATOR_ROLES)
    is_approval = True

    def __post_init__(self):
        super().__post_init__()
        self.guards = (self._approver_guard, *self.guards)

    def _approver_guard(self, principal, record):
        agency = getattr(principal, "agency", None)
        if agency is None or principal.role not in self.roles:
            return _("Only a coordinator may approve.")
        if self.approvers is not None and agency.pk not in {a.pk for a in self.approvers(record)}:
            return _("Only a coordinator of a participating agency may approve this record.")
        needed = set(self.countries(record)) if self.countries else {agency.country}
        if agency.country not in needed:
            return _("Approval is needed from the coordinators of: %(countries)s.") % {
                "countries": country_labels(needed)
            }
        if agency.country in approved_countries(record):
            return _("Your country has already approved this.")
        return None

    def prepare(self, workflow, ctx):
        country = ctx.principal.agency.country
        needed = set(self.countries(ctx.record)) if self.countries else {country}
        done = approved_countries(ctx.record, workflow) | {country}
        ctx.is_approval = True
        ctx.country = country
        # Until the last required country approves, the record stays where it is.
        ctx.to_status = self.target if needed <= done else ctx.from_status
        if not ctx.to_status:
            raise TransitionError(_("This record has no status to approve."))
