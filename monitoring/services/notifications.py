"""Who is told what in the monitoring app (core.notify), and the first step of a new record's
history (core.workflow). Decisions are told back by the workflows' after-hooks (monitoring.workflows)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import notify
from core.models import Country

REQUEST_SUBMITTED = notify.register_event("monitoring.data_request_submitted", gettext_lazy("Data request received"))
REQUEST_DECIDED = notify.register_event("monitoring.data_request_decided", gettext_lazy("Data request decided"))
MATCH_PROPOSED = notify.register_event("monitoring.match_proposed", gettext_lazy("Match proposed"))
MATCH_REVIEWED = notify.register_event("monitoring.match_reviewed", gettext_lazy("Match reviewed"))


def acting_user(principal):
    user = getattr(principal, "user", None)
    return user if getattr(user, "pk", None) else None


def other_country(country):
    return {Country.CHINA: Country.RUSSIA, Country.RUSSIA: Country.CHINA}.get(country)


def _started(record, principal):
    from core.workflow import workflow_for

    workflow_for(record).started(record, principal)


def request_submitted(request, principal):
    """A new data request: its first history step, and the agency asked's coordinators are told."""
    _started(request, principal)
    notify.notify(
        notify.coordinators_of(request.requested_from),
        REQUEST_SUBMITTED,
        lambda context: _("Data request: %(record)s") % {"record": context["record"]},
        "monitoring/notifications/request_submitted.txt",
        record=request,
        actor=acting_user(principal),
    )


def match_proposed(proposal, principal):
    """A new match proposal: its first history step, and the other country's experts are told."""
    _started(proposal, principal)
    country = other_country(proposal.owner_agency.country)
    if country:
        notify.notify(
            notify.experts_of(country),
            MATCH_PROPOSED,
            lambda context: _("New match proposal: %(record)s") % {"record": context["record"]},
            "monitoring/notifications/match_proposed.txt",
            record=proposal,
            actor=acting_user(principal),
        )
