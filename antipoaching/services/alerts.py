"""Alerts to counterpart agencies and their receipts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import notify
from core.models import Agency, Sensitivity

from ..models import URGENT_LEVELS, Alert, AlertReceipt

ALERT_EVENT = notify.register_event("antipoaching.alert", gettext_lazy("Alert from a counterpart agency"))


def check_recipients(sensitivity, listed, recipients):
    """The recipients rule of every path (page, API): at least one, and on a restricted alert
    only agencies the record is shared with. Raises ValidationError on "recipients"."""
    recipients = list(recipients or [])
    if not recipients:
        raise ValidationError({"recipients": _("Name at least one recipient agency.")})
    if sensitivity == Sensitivity.RESTRICTED:
        listed_ids = {a.pk for a in listed or []}
        missing = [a.code for a in recipients if a.pk not in listed_ids]
        if missing:
            raise ValidationError(
                {
                    "recipients": _("Recipients must be among the listed agencies: %(codes)s.")
                    % {"codes": ", ".join(missing)}
                }
            )


def set_recipients(alert, agencies, actor=None):
    """Make the receipts match `agencies` (kept receipts keep their opened/acknowledged times).

    The staff of each newly added agency are told at once (core.notify); an urgent or
    high-urgency alert is urgent: emailed immediately and on their dashboard until acknowledged.
    """
    wanted = {a.pk for a in agencies}
    alert.receipts.exclude(agency_id__in=wanted).delete()
    existing = set(alert.receipts.values_list("agency_id", flat=True))
    added = wanted - existing
    AlertReceipt.objects.bulk_create([AlertReceipt(alert=alert, agency_id=pk) for pk in added])
    if added:
        notify.notify(
            notify.staff_of(Agency.objects.filter(pk__in=added)),
            ALERT_EVENT,
            gettext_lazy("Alert: %(record)s"),
            body=lambda context: context["record"].message,
            record=alert,
            actor=actor,
            urgent=alert.is_urgent,
        )


def _receipt_for(alert, principal):
    if principal.agency is None:
        return None
    return AlertReceipt.objects.filter(alert=alert, agency=principal.agency).first()


def mark_opened(alert, principal):
    """The first time someone of a recipient agency opens the alert."""
    receipt = _receipt_for(alert, principal)
    if receipt is None or receipt.opened_at:
        return receipt
    receipt.opened_at = timezone.now()
    receipt.opened_by = principal.user if getattr(principal.user, "pk", None) else None
    receipt.save(update_fields=["opened_at", "opened_by"])
    return receipt


def acknowledge_alert(alert, principal):
    receipt = _receipt_for(alert, principal)
    if receipt is None:
        raise PermissionDenied(_("Only a recipient agency can acknowledge this alert."))
    now = timezone.now()
    user = principal.user if getattr(principal.user, "pk", None) else None
    if not receipt.opened_at:
        receipt.opened_at, receipt.opened_by = now, user
    if not receipt.acknowledged_at:
        receipt.acknowledged_at, receipt.acknowledged_by = now, user
        receipt.acknowledged_via_key = principal.api_key.prefix if principal.api_key else ""
    receipt.save()
    # Acknowledged for the agency: the alert leaves the dashboard of all its staff.
    notify.acknowledge_record(alert, users=notify.staff_of(receipt.agency))
    return receipt


def with_alert_state(queryset):
    """Annotate `unacknowledged_count` (recipients that have not acknowledged yet)."""
    return queryset.annotate(
        unacknowledged_count=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=True), distinct=True)
    )


def unacknowledged_urgent_alerts(principal):
    """The sender's urgent alerts that some recipient has not acknowledged (for the badge)."""
    if principal.agency is None:
        return Alert.objects.none()
    pending = AlertReceipt.objects.filter(alert=OuterRef("pk"), acknowledged_at__isnull=True)
    return Alert.objects.filter(owner_agency=principal.agency, urgency__in=URGENT_LEVELS).filter(Exists(pending))
