from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin
from rest_framework_api_key.admin import APIKeyModelAdmin

from core.models import Agency, AgencyAPIKey, DataSharingGrant, Membership, ObjectChange, Species

User = get_user_model()


class SharedRecordAdmin(TabbedTranslationAdmin):
    """Admin base for shared records: ownership fields together, who created it kept."""

    list_filter = ("owner_agency", "sensitivity")
    autocomplete_fields = ("owner_agency",)
    filter_horizontal = ("shared_with",)
    readonly_fields = ("revision", "created_at", "updated_at", "created_by")

    def save_model(self, request, obj, form, change):
        if not change and not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Agency)
class AgencyAdmin(TabbedTranslationAdmin):
    list_display = ("code", "name", "country", "kind", "is_active")
    list_filter = ("country", "kind", "is_active")
    search_fields = ("code", "name_zh_hans", "name_en", "name_ru")


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    autocomplete_fields = ("agency",)


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = (MembershipInline,)
    list_display = ("username", "email", "agency_code", "role", "is_superuser", "is_active")
    list_select_related = ("membership__agency",)

    @admin.display(description=_("agency"))
    def agency_code(self, user):
        membership = getattr(user, "membership", None)
        return membership.agency.code if membership else "—"

    @admin.display(description=_("role"))
    def role(self, user):
        membership = getattr(user, "membership", None)
        return membership.get_role_display() if membership else "—"


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role", "preferred_language")
    list_filter = ("agency", "role")
    search_fields = ("user__username", "user__email", "agency__code")
    autocomplete_fields = ("user", "agency")


@admin.register(DataSharingGrant)
class DataSharingGrantAdmin(admin.ModelAdmin):
    list_display = ("grantor", "grantee", "scope", "dataset_type", "valid_from", "valid_until", "revoked_at")
    list_filter = ("scope", "grantor", "grantee")
    autocomplete_fields = ("grantor", "grantee")


@admin.register(AgencyAPIKey)
class AgencyAPIKeyAdmin(APIKeyModelAdmin):
    """Keys are shown once, on creation; revoking is a checkbox (it cannot be undone)."""

    list_display = (*APIKeyModelAdmin.list_display, "agency", "read_only", "last_used_at")
    list_filter = ("agency", "read_only", "revoked")
    autocomplete_fields = ("agency",)

    def save_model(self, request, obj, form=None, change=False):
        # Through core.apikeys like the coordinators' page and the command: hashed, audited.
        from django.contrib import messages

        from .access import Principal
        from .apikeys import issue_key, revoke_key

        principal = Principal.for_user(request.user)
        if obj.pk is None or not change:
            key, secret = issue_key(
                obj.agency,
                obj.name,
                read_only=obj.read_only,
                expiry_date=obj.expiry_date,
                principal=principal,
                check=False,
            )
            obj.pk, obj.id, obj.prefix, obj.hashed_key = key.pk, key.id, key.prefix, key.hashed_key
            obj.revoked, obj.created = key.revoked, key.created
            obj._state.adding = False
            messages.warning(
                request,
                _("The API key for %(name)s is: %(secret)s. Store it safely: it is not shown again.")
                % {"name": key.name, "secret": secret},
            )
            return
        revoking = obj.revoked and not type(obj).objects.filter(pk=obj.pk, revoked=True).exists()
        if revoking:
            obj.revoked = False
            obj.save()
            revoke_key(obj, principal=principal, check=False)
        else:
            obj.save()


# The library registers its own APIKey model; the portal uses AgencyAPIKey only (one section).
try:
    from rest_framework_api_key.models import APIKey

    admin.site.unregister(APIKey)
except admin.sites.NotRegistered:
    pass


@admin.register(Species)
class SpeciesAdmin(TabbedTranslationAdmin):
    list_display = ("scientific_name", "common_name", "sensitivity_category", "is_target")
    list_filter = ("sensitivity_category", "is_target")
    search_fields = ("scientific_name", "common_name_zh_hans", "common_name_en", "common_name_ru")


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    """The audit log: read only, for admins."""

    list_display = ("time", "action", "content_type", "object_repr", "user", "api_key", "agency", "request_id")
    list_filter = ("action", "content_type", "agency")
    search_fields = ("object_id", "object_repr", "request_id", "user__username")
    date_hierarchy = "time"
    list_select_related = ("user", "api_key", "agency", "content_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Admin of the shared training, exchange-visit and reminder records lives beside them.
from . import admin_documents, admin_notifications, admin_training, admin_workflow  # noqa: E402,F401


def _superusers_only(request):
    # The admin shows every record unfiltered (exact coordinates, suspects, audit snapshots): it
    # does not apply the access policy, so it is for the portal's administrators alone. Agency
    # staff, even with is_staff set, work through the pages and the API.
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only
