"""Incidents and cases: linked cases across the border (suspects: core.personal_data)."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from core.access import can_link

from ..models import SUSPECT_KEYS as SUSPECT_KEYS  # the rules live with the model (Incident.clean)
from ..models import Incident, IncidentLink
from ..models import incident_errors as incident_errors


def visible_incidents(principal):
    return Incident.objects.visible_to(principal)


def linked_incidents(incident, principal):
    """Cases linked to `incident` (either direction) that `principal` may see."""
    visible = Incident.objects.visible_to(principal)
    ids = IncidentLink.objects.filter(Q(from_incident=incident) | Q(to_incident=incident)).values_list(
        "from_incident_id", "to_incident_id"
    )
    others = {b if a == incident.pk else a for a, b in ids}
    return visible.filter(pk__in=others).select_related("owner_agency", "incident_type")


def link_incidents(principal, first, second, note=""):
    """Link two cases. The caller must see both and own (or take part in) one of them: a partner
    links its own case to a case it can see, never two cases of other agencies."""
    if not principal.can_write:
        raise PermissionDenied(_("This account or key is read-only."))
    visible = Incident.objects.visible_to(principal)
    if first.pk == second.pk:
        raise ValidationError(_("A case cannot be linked to itself."))
    if visible.filter(pk__in=[first.pk, second.pk]).count() != 2:
        # Answered like a case that does not exist.
        raise ValidationError(_("No such case."))
    rules = IncidentLink.link_rules
    if not can_link(principal, first, rules["from_incident"]):
        if not can_link(principal, second, rules["from_incident"]):
            raise ValidationError(_("Link a case of your own agency to the related case."))
        first, second = second, first
    if IncidentLink.objects.filter(
        Q(from_incident=first, to_incident=second) | Q(from_incident=second, to_incident=first)
    ).exists():
        raise ValidationError(_("These cases are already linked."))
    return IncidentLink.objects.create(
        from_incident=first, to_incident=second, note=note, created_by_agency=principal.agency
    )


def find_case(principal, value):
    """The visible case whose id or reference (e.g. LOTL-2026-0001) is `value`, or None.

    An invisible case is answered exactly like a missing one. Raises ValidationError when a
    reference is carried by several visible cases.
    """
    value = (str(value) if value is not None else "").strip()
    if not value:
        return None
    visible = Incident.objects.visible_to(principal)
    try:
        return visible.filter(pk=uuid.UUID(value)).first()
    except ValueError:
        pass
    matches = list(visible.filter(reference__iexact=value)[:2])
    if len(matches) > 1:
        raise ValidationError(_("Several cases carry the reference “%(value)s”: give the case id.") % {"value": value})
    return matches[0] if matches else None
