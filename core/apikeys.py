"""Issuing and revoking partner API keys: one rule for the page, the command and the admin.

Who may manage an agency's keys: that agency's coordinators (agency or secretariat coordinator of
*that* agency) and superusers. A secretariat coordinator does not manage another agency's keys: a
key acts with its agency's full rights, so only the agency itself hands them out.

The secret is returned once by issue_key() and never stored: only its hash is kept (the library's
KeyGenerator). Every issue and revocation writes an audit entry.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import current_actor, current_request_id
from .models.agencies import Agency
from .models.apikeys import AgencyAPIKey
from .models.audit import ObjectChange

NAME_MAX_LENGTH = AgencyAPIKey._meta.get_field("name").max_length


def may_manage_keys(principal, agency):
    """True when `principal` (a signed-in person, never a key) may issue or revoke `agency`'s keys."""
    if principal is None or principal.api_key is not None or principal.user is None:
        return False
    if principal.is_superuser:
        return True
    return bool(principal.is_coordinator and agency is not None and principal.agency_id == agency.pk)


def may_manage_any(principal):
    """Whether the principal manages any agency's keys (the menu entry and the list page)."""
    if principal is None or principal.api_key is not None or principal.user is None:
        return False
    return principal.is_superuser or (principal.is_coordinator and principal.agency is not None)


def manageable_agencies(principal):
    if not may_manage_any(principal):
        return Agency.objects.none()
    if principal.is_superuser:
        return Agency.objects.all()
    return Agency.objects.filter(pk=principal.agency_id)


def keys_for(principal):
    """The keys the principal manages, newest first."""
    return (
        AgencyAPIKey.objects.filter(agency__in=manageable_agencies(principal))
        .select_related("agency")
        .order_by("-created")
    )


def end_of_day(day):
    """A key given an expiry date stays usable to the end of that day (UTC)."""
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=datetime.UTC)


def expiry_day(key):
    """The last day (UTC) a key works: the day the coordinator chose, in any time zone."""
    return key.expiry_date.astimezone(datetime.UTC).date() if key.expiry_date else None


def _audit_document(key):
    # Never the hash or the pk (which embeds the hash): the prefix names a key.
    return {
        "prefix": key.prefix,
        "name": key.name,
        "agency": key.agency.code,
        "read_only": key.read_only,
        "expiry_date": key.expiry_date.isoformat() if key.expiry_date else None,
        "revoked": key.revoked,
    }


def _audit(key, action, principal, before=None, after=None, changed=None):
    actor = principal if principal is not None else current_actor()
    user = getattr(actor, "user", None) if actor is not None else None
    ObjectChange.objects.create(
        user=user if getattr(user, "pk", None) else None,
        api_key=getattr(actor, "api_key", None) if actor is not None else None,
        agency=getattr(actor, "agency", None) if actor is not None else None,
        request_id=current_request_id(),
        action=action,
        content_type=ContentType.objects.get_for_model(AgencyAPIKey),
        # The pk embeds the hash and is too long for the log: the unique prefix names the key.
        object_id=key.prefix,
        object_repr=str(key)[:255],
        before=before,
        after=after,
        changed_fields=changed or [],
    )


def issue_key(agency, name, *, read_only=False, expiry_date=None, principal=None, check=True):
    """Create a key for `agency`; returns (key, secret). The secret is shown once and not stored.

    `expiry_date` is a datetime (aware) or a date (usable to the end of that day, UTC).
    `check=False` for trusted callers without a principal (the management command).
    """
    if check and not may_manage_keys(principal, agency):
        raise PermissionDenied(_("Only the coordinators of this agency may manage its API keys."))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the key a label, e.g. the system that will use it.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("The label may have at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}
    if isinstance(expiry_date, datetime.date) and not isinstance(expiry_date, datetime.datetime):
        expiry_date = end_of_day(expiry_date)
    if expiry_date is not None and expiry_date <= timezone.now():
        errors["expiry_date"] = _("The expiry date lies in the past.")
    if not agency.is_active:
        errors["agency"] = _("This agency is inactive; its keys would not work.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        key, secret = AgencyAPIKey.objects.create_key(
            name=name, agency=agency, read_only=bool(read_only), expiry_date=expiry_date
        )
        document = _audit_document(key)
        _audit(key, ObjectChange.Action.CREATE, principal, after=document, changed=sorted(document))
    return key, secret


def revoke_key(key, *, principal=None, check=True):
    """Revoke `key` for good (the library cannot un-revoke). Revoking twice changes nothing."""
    if check and not may_manage_keys(principal, key.agency):
        raise PermissionDenied(_("Only the coordinators of this agency may manage its API keys."))
    if key.revoked:
        return key
    with transaction.atomic():
        key.revoked = True
        key.save(update_fields=["revoked"])
        _audit(
            key,
            ObjectChange.Action.UPDATE,
            principal,
            before={"revoked": False},
            after={"revoked": True},
            changed=["revoked"],
        )
    return key
