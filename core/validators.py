"""Validation rules shared by every app's models."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

END_DATE_BEFORE_START = _("The end date is before the start date.")
END_BEFORE_START = _("The end is before the start.")


def period_errors(start, end, end_field):
    """{end_field: message} when `end` precedes `start` (dates or datetimes), else {}.

    For a clean() that collects several errors before raising them together.
    """
    if start is None or end is None or end >= start:
        return {}
    with_time = isinstance(start, datetime.datetime)
    return {end_field: END_BEFORE_START if with_time else END_DATE_BEFORE_START}


def validate_period(start, end, end_field):
    """Raise a ValidationError on `end_field` when `end` precedes `start`."""
    errors = period_errors(start, end, end_field)
    if errors:
        raise ValidationError(errors)
