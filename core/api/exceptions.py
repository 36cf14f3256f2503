from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record was changed by someone else since you read it. Reload and try again.")
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = _("Send the record's ETag in If-Match to change it.")
    default_code = "precondition_required"


class RecordInUse(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This record is still used by other records and cannot be deleted.")
    default_code = "record_in_use"


def portal_exception_handler(exc, context):
    """DRF's handler; messages are already translated by the request's Accept-Language.

    A delete that other records still depend on (on_delete=PROTECT/RESTRICT) is a 409 that says
    so, not a server error.
    """
    if isinstance(exc, (ProtectedError, RestrictedError)):
        exc = RecordInUse()
    response = exception_handler(exc, context)
    if response is not None and hasattr(context.get("request"), "request_id"):
        response["X-Request-ID"] = str(context["request"].request_id)
    return response
