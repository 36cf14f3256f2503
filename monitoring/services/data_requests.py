"""Research cooperation: requests for precise data. Decisions are steps of the request's
workflow (monitoring.workflows: approve, decline, withdraw through core.workflow.perform)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import DataRequest
from .notifications import request_submitted


@transaction.atomic
def submit_data_request(principal, requested_from, dataset_type, purpose, needed_until, project=None):
    from core.models import Sensitivity

    if not principal.can_write or principal.agency is None:
        raise PermissionDenied(_("Your account is read-only."))
    request = DataRequest(
        owner_agency=principal.agency,
        sensitivity=Sensitivity.RESTRICTED,
        requested_from=requested_from,
        requester=principal.user,
        project=project,
        requested_dataset=dataset_type,
        purpose=purpose,
        needed_until=needed_until,
        created_by=principal.user,
    )
    # An API key has no user: the requester is then unknown, the requesting agency is not.
    request.full_clean(exclude=["shared_with", "requester"])
    request.save()
    request.shared_with.add(requested_from)
    request_submitted(request, principal)
    return request


def can_decide(principal, request):
    return principal.is_superuser or (
        principal.is_coordinator and principal.agency_id == request.requested_from_id and principal.can_write
    )
