"""Alerts to counterpart agencies and their receipts."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import URGENT_LEVELS, Alert, AlertReceipt


def set_recipients(alert, agencies):
    """Make the receipts match `agencies` (kept receipts keep their opened/acknowledged times)."""
    wanted = {a.pk for a in agencies}
    alert.receipts.exclude(agency_id__in=wanted).delete()
    existing = set(alert.receipts.values_list("agency_id", flat=True))
    AlertReceipt.objects.bulk_create([AlertReceipt(alert=alert, agency_id=pk) for pk in wanted - existing])


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
