from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from core.access import can_edit, principal_for


class PortalAccessPermission(permissions.BasePermission):
    """Reads need a principal; writes need one that may write; objects need ownership.

    Visibility itself is enforced in the queryset (visible_to), so an invisible record is a 404.
    """

    message = _("You do not have permission to perform this action.")

    def has_permission(self, request, view):
        principal = principal_for(request)
        if not principal.is_authenticated:
            return getattr(view, "allow_public_read", False) and request.method in permissions.SAFE_METHODS
        if request.method in permissions.SAFE_METHODS:
            return True
        if not principal.can_write:
            self.message = _("This account or key is read-only.")
            return False
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        if hasattr(obj, "owner_agency_id"):
            if not can_edit(principal_for(request), obj):
                self.message = _("Only the owning agency may change this record.")
                return False
        return True


class SecretariatOrAdminWrite(PortalAccessPermission):
    """For shared reference data (agencies, species): everyone reads, the secretariat writes."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        principal = principal_for(request)
        if principal.is_superuser or (principal.is_secretariat and principal.is_coordinator):
            return True
        self.message = _("Only the secretariat may change shared reference data.")
        return False

    def has_object_permission(self, request, view, obj):
        return True
