from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from core.translated import language_codes


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


def _language_suffixes():
    return tuple("_" + code.replace("-", "_") for code in language_codes())


def api_field_name(key):
    """The API name of a Django error key: `__all__` is non_field_errors, `name_ru` is `name`."""
    if key == NON_FIELD_ERRORS:
        return api_settings.NON_FIELD_ERRORS_KEY
    for suffix in _language_suffixes():
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def django_error_detail(exc, field_name=api_field_name):
    """A Django ValidationError as DRF error detail: {field: [messages]}.

    `field_name` maps each Django key (model field, `__all__`) to the API's field name. Messages
    are rendered now, in the active (the request's) language.
    """
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}
    detail = {}
    for key, messages in exc.message_dict.items():
        bucket = detail.setdefault(field_name(key), [])
        bucket.extend(message for message in messages if message not in bucket)
    return detail


def portal_exception_handler(exc, context):
    """DRF's handler; messages are already translated by the request's Accept-Language.

    A delete that other records still depend on (on_delete=PROTECT/RESTRICT) is a 409 that says
    so, not a server error. A Django ValidationError raised by a model or a service is a 400 with
    field errors, like a serializer's.
    """
    if isinstance(exc, (ProtectedError, RestrictedError)):
        exc = RecordInUse()
    elif isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(django_error_detail(exc))
    response = exception_handler(exc, context)
    if response is not None and hasattr(context.get("request"), "request_id"):
        response["X-Request-ID"] = str(context["request"].request_id)
    return response
