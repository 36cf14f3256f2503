"""Incidents and cases: who sees suspects, linked cases across the border."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from core.models import Sensitivity

from ..models import SUSPECT_KEYS as SUSPECT_KEYS  # the rules live with the model (Incident.clean)
from ..models import Incident, IncidentLink
from ..models import incident_errors as incident_errors


def can_see_suspects(principal, incident):
    """Suspects' personal data: only on restricted records, only for the owner and listed agencies."""
    if incident.sensitivity != Sensitivity.RESTRICTED:
        return False
    if principal.is_superuser:
        return True
    if principal.agency is None:
        return False
    if incident.owner_agency_id == principal.agency.pk:
        return True
    return any(a.pk == principal.agency.pk for a in incident.shared_with.all())


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
    """Link two cases; the caller must see both and be allowed to write."""
    if not principal.can_write:
        raise PermissionDenied(_("This account or key is read-only."))
    visible = Incident.objects.visible_to(principal)
    if first.pk == second.pk:
        raise ValidationError(_("A case cannot be linked to itself."))
    if visible.filter(pk__in=[first.pk, second.pk]).count() != 2:
        raise PermissionDenied(_("You can only link cases you can see."))
    if IncidentLink.objects.filter(
        Q(from_incident=first, to_incident=second) | Q(from_incident=second, to_incident=first)
    ).exists():
        raise ValidationError(_("These cases are already linked."))
    return IncidentLink.objects.create(
        from_incident=first, to_incident=second, note=note, created_by_agency=principal.agency
    )
