"""Anti-poaching (topic 1): joint plans, patrols (SMART-like effort), incidents and seizures, alerts.

Split by subject; every name is re-exported here (migrations refer to antipoaching.models.X).
Models hold fields and validation only: what a save or a delete sets off is in antipoaching.services.
"""

from .alerts import URGENT_LEVELS, Alert, AlertReceipt, Urgency
from .incidents import (
    SUSPECT_KEYS,
    Commodity,
    Incident,
    IncidentLink,
    IncidentStatus,
    PointOfSeizure,
    Unit,
    incident_errors,
    validate_country_code,
)
from .patrols import Action, Mandate, Patrol, PatrolLeg, Transport, Waypoint, validate_track
from .plans import (
    ActionPlan,
    ActivityStatus,
    JointOperation,
    OperationKind,
    PlanActivity,
    PlanStatus,
    PlanTarget,
    TargetMetric,
    TargetPeriod,
    validate_area_polygon,
)
from .vocabulary import IncidentCategory, IncidentType

__all__ = [
    "URGENT_LEVELS",
    "SUSPECT_KEYS",
    "Action",
    "ActionPlan",
    "ActivityStatus",
    "Alert",
    "AlertReceipt",
    "Commodity",
    "Incident",
    "IncidentCategory",
    "IncidentLink",
    "IncidentStatus",
    "IncidentType",
    "JointOperation",
    "Mandate",
    "OperationKind",
    "Patrol",
    "PatrolLeg",
    "PlanActivity",
    "PlanStatus",
    "PlanTarget",
    "PointOfSeizure",
    "TargetMetric",
    "TargetPeriod",
    "Transport",
    "Unit",
    "Urgency",
    "Waypoint",
    "incident_errors",
    "validate_area_polygon",
    "validate_country_code",
    "validate_track",
]
