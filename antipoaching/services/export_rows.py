"""Rows of the CSV/XLSX downloads (core.exports writes and streams them).

Every row goes through the same access rules as the pages and the API: only the rows the view
already filtered, sensitive points snapped to their grid, personal data (suspects) never.
"""

from django.utils.translation import gettext as _

from core.exports import rows_of

from ..models import Incident, Patrol
from .maps import incident_point, point_for
from .tracks import AreaRule, patrol_precise_ids, shown_time


def incident_rows(principal, queryset):
    """Incidents for export: visible ones only, sensitive points snapped, suspects never exported."""
    queryset = queryset.select_related("owner_agency", "incident_type__species", "species", "protected_area")
    queryset = queryset.prefetch_related("agencies_involved")
    precise_ids = principal.precise_owner_ids(Incident)
    areas = AreaRule(principal)
    headers = [
        _("Id"),
        _("Case reference"),
        _("Owning agency"),
        _("Sensitivity"),
        _("Date"),
        _("Incident type"),
        _("Place"),
        _("Latitude"),
        _("Longitude"),
        _("Location generalized (grid °)"),
        _("Protected area"),
        _("Species"),
        _("Seizure"),
        _("Commodity"),
        _("Quantity"),
        _("Unit"),
        _("Estimated value"),
        _("Currency"),
        _("Country of origin"),
        _("Countries of transit"),
        _("Country of destination"),
        _("Point of seizure"),
        _("Agencies involved"),
        _("Number of suspects"),
        _("Arrests"),
        _("Status"),
    ]

    def row(incident):
        point = incident_point(principal, incident, precise_ids)
        category = incident.sensitivity_category
        precise = category == 0 or precise_ids is None or incident.owner_agency_id in precise_ids
        area = areas.shown(incident.protected_area, precise)
        return [
            str(incident.pk),
            incident.reference,
            incident.owner_agency.code,
            incident.get_sensitivity_display(),
            incident.occurred_on,
            incident.incident_type.name,
            incident.place,
            point.latitude if point else None,
            point.longitude if point else None,
            point.grid_degrees if point else None,
            str(area) if area is not None else "",
            incident.species.scientific_name if incident.species_id else "",
            incident.is_seizure,
            incident.get_commodity_display(),
            incident.quantity,
            incident.get_unit_display(),
            incident.estimated_value,
            incident.currency,
            incident.country_of_origin,
            ",".join(incident.transit_countries or []),
            incident.country_of_destination,
            incident.get_point_of_seizure_display(),
            ",".join(a.code for a in incident.agencies_involved.all()),
            incident.suspects_count,
            incident.arrests,
            incident.get_status_display(),
        ]

    return headers, rows_of(queryset, row)


def patrol_rows(principal, queryset):
    queryset = queryset.select_related("owner_agency", "protected_area")
    precise_ids = patrol_precise_ids(principal)
    areas = AreaRule(principal)
    headers = [
        _("Id"),
        _("Owning agency"),
        _("Country"),
        _("Title"),
        _("Leader"),
        _("Team size"),
        _("Mandate"),
        _("Transport"),
        _("Start"),
        _("End"),
        _("Protected area"),
        _("Distance (km)"),
        _("Hours"),
        _("Patrol days"),
        _("Person-days"),
    ]

    def row(p):
        area = areas.shown(p.protected_area, precise_ids is None or p.owner_agency_id in precise_ids)
        return [
            str(p.pk),
            p.owner_agency.code,
            p.owner_agency.country,
            p.title,
            p.leader,
            p.team_size,
            p.get_mandate_display(),
            p.get_transport_display(),
            p.start,
            p.end,
            str(area) if area is not None else "",
            float(p.distance_km),
            float(p.hours),
            p.patrol_days,
            p.person_days,
        ]

    return headers, rows_of(queryset, row)


def waypoint_rows(principal, queryset):
    precise_ids = principal.precise_owner_ids(Patrol)
    queryset = queryset.select_related("patrol__owner_agency", "incident_type__species")
    headers = [
        _("Patrol"),
        _("Owning agency"),
        _("Time"),
        _("Observation"),
        _("Latitude"),
        _("Longitude"),
        _("Location generalized (grid °)"),
        _("Count"),
        _("Removed"),
        _("Actions taken"),
    ]

    def row(wp):
        point = point_for(
            principal,
            wp.patrol.owner_agency_id,
            wp.latitude,
            wp.longitude,
            wp.incident_type.sensitivity_category,
            precise_ids,
        )
        return [
            str(wp.patrol_id),
            wp.patrol.owner_agency.code,
            shown_time(wp, point),  # the date only where the point is generalized
            wp.incident_type.name,
            point.latitude if point else None,
            point.longitude if point else None,
            point.grid_degrees if point else None,
            wp.count,
            wp.removed,
            ",".join(wp.actions or []),
        ]

    return headers, rows_of(queryset, row)
