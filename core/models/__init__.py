"""The shared model layer. Topic apps import from here, never from the submodules' internals."""

from .agencies import Agency, AgencyKind, Country, Membership, Role
from .apikeys import AgencyAPIKey
from .audit import ObjectChange
from .base import (
    AuditedModel,
    Sensitivity,
    SharedQuerySet,
    SharedRecord,
    TimeStampedModel,
)
from .documents import Attachment
from .exchanges import *  # noqa: F401,F403  (exchange visits, shared by topics 1.4 and 4.1)
from .grants import DataSharingGrant, GrantScope
from .notifications import *  # noqa: F401,F403  (dated obligations, reminders, notifications)
from .species import SensitivityCategory, Species
from .training import *  # noqa: F401,F403  (training records, shared by topics 1.5 and 2.3)
from .workflow import StatusChange

__all__ = [
    "Agency",
    "AgencyAPIKey",
    "AgencyKind",
    "Attachment",
    "AuditedModel",
    "Country",
    "DataSharingGrant",
    "GrantScope",
    "Membership",
    "ObjectChange",
    "Role",
    "Sensitivity",
    "SensitivityCategory",
    "SharedQuerySet",
    "SharedRecord",
    "StatusChange",
    "Species",
    "TimeStampedModel",
]
