"""Ready-made guards: functions `(principal, record) -> None | translated reason`."""

import datetime

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from core.access import can_edit


def owner_only(principal, record):
    if can_edit(principal, record):
        return None
    return _("Only the owning agency may do this.")


def coordinator_only(principal, record):
    if principal.is_superuser or (principal.is_coordinator and principal.can_write):
        return None
    return _("Only a coordinator may do this.")


def can_write(principal, record):
    if principal.can_write:
        return None
    return _("This account or key is read-only.")


def _today(record):
    return timezone.localdate()


def not_before(date_field, message=None):
    """Refuse until the date in `date_field` has come (e.g. "complete" before the period ends):

    Transition("complete", ACTIVE, COMPLETED, guards=[not_before("period_end")])
    """

    def guard(principal, record):
        value = getattr(record, date_field)
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if _today(record) >= value:
            return None
        text = message or _("This is possible from %(date)s (the end of the period).")
        return text % {"date": format_date(value, "Y-m-d")}

    return guard


def not_after(date_field, message=None):
    """Refuse once the date in `date_field` has passed (e.g. a decision after "needed until")."""

    def guard(principal, record):
        value = getattr(record, date_field)
        if value is None or _today(record) <= value:
            return None
        text = message or _("This was possible until %(date)s.")
        return text % {"date": format_date(value, "Y-m-d")}

    return guard


def any_of(*guards):
    """Pass when one of `guards` passes; otherwise refuse with the first one's reason."""

    def guard(principal, record):
        reasons = [g(principal, record) for g in guards]
        if any(r is None for r in reasons):
            return None
        return reasons[0]

    return guard
