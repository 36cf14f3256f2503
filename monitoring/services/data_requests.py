"""Research cooperation: requests for precise data and their decisions."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import DataSharingGrant, GrantScope

from ..models import (
    DataRequest,
    DataRequestStatus,
    DataRequestStatusChange,
)


def _log_status(request, from_status, to_status, user, note=""):
    DataRequestStatusChange.objects.create(
        request=request, from_status=from_status, to_status=to_status, by=user, note=note
    )


@transaction.atomic
def submit_data_request(principal, requested_from, dataset_type, purpose, needed_until, project=None):
    from core.models import Sensitivity

    if not principal.can_write or principal.agency is None:
        raise PermissionDenied(_("Your account is read-only."))
    if requested_from.pk == principal.agency_id:
        raise ValidationError(_("Your agency already sees its own data precisely."))
    request = DataRequest.objects.create(
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
    request.shared_with.add(requested_from)
    _log_status(request, "", DataRequestStatus.SUBMITTED, principal.user)
    return request


def can_decide(principal, request):
    return principal.is_superuser or (
        principal.is_coordinator and principal.agency_id == request.requested_from_id and principal.can_write
    )


@transaction.atomic
def decide_data_request(principal, request, approve, note="", valid_until=None):
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if not can_decide(principal, request):
        raise PermissionDenied(_("Only a coordinator of the agency asked may decide on this request."))
    if request.status != DataRequestStatus.SUBMITTED:
        raise ValidationError(_("This request has already been decided."))
    previous = request.status
    request.status = DataRequestStatus.APPROVED if approve else DataRequestStatus.DECLINED
    request.decided_by = principal.user
    request.decided_at = timezone.now()
    request.decision_note = note
    if approve:
        request.grant = DataSharingGrant.objects.create(
            grantor=request.requested_from,
            grantee=request.owner_agency,
            scope=GrantScope.PRECISE_LOCATIONS,
            dataset_type=request.requested_dataset,
            valid_from=timezone.localdate(),
            valid_until=valid_until or request.needed_until or timezone.localdate() + datetime.timedelta(days=365),
            note=_("Data request %(id)s") % {"id": request.pk},
        )
    request.save()
    _log_status(request, previous, request.status, principal.user, note)
    return request


@transaction.atomic
def withdraw_data_request(principal, request):
    if principal.agency_id != request.owner_agency_id and not principal.is_superuser:
        raise PermissionDenied(_("Only the requesting agency may withdraw its request."))
    if request.status != DataRequestStatus.SUBMITTED:
        raise ValidationError(_("This request has already been decided."))
    request.status = DataRequestStatus.WITHDRAWN
    request.save()
    _log_status(request, DataRequestStatus.SUBMITTED, DataRequestStatus.WITHDRAWN, principal.user)
    return request
