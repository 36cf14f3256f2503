"""The unread-notification count for the page header (one COUNT query per page, users only)."""

from core.reminders import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
