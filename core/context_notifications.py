"""Notification counts for the page header, and the urgent ones for a dashboard (users only).

One query per page for both counts; `urgent_notifications` is queried only by a template that
shows it (core/notifications/_urgent_panel.html).
"""

from django.db.models import Count, Q
from django.utils.functional import SimpleLazyObject

from core.models import Notification
from core.notify import urgent_unread_for


def notifications(request):
    user = getattr(request, "user", None)
    # Notifications belong to user accounts; a partner's API key (a stand-in user without a pk,
    # e.g. on the Swagger page) has none.
    if user is None or not user.is_authenticated or getattr(user, "pk", None) is None:
        return {}
    counts = Notification.objects.filter(recipient=user, read_at__isnull=True).aggregate(
        unread=Count("pk"), urgent=Count("pk", filter=Q(urgent=True))
    )
    return {
        "unread_notifications": counts["unread"],
        "urgent_notification_count": counts["urgent"],
        "urgent_notifications": SimpleLazyObject(lambda: list(urgent_unread_for(user)[:10])),
    }
