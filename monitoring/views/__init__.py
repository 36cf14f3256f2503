"""Staff pages of the monitoring app, one module per kind of record; monitoring/urls.py names them
from here. Lists use the API's FilterSets; every point shown is the viewer's (generalized) one."""

from .catalogue import (
    IndividualCreateView,
    IndividualDetailView,
    IndividualListView,
    IndividualUpdateView,
    MatchDetailView,
    MatchListView,
    cross_border_report,
    propose_match,
    review_match,
)
from .deployments import (
    DeploymentCreateView,
    DeploymentDetailView,
    DeploymentListView,
    DeploymentUpdateView,
    ObservationDetailView,
    ObservationListView,
    deployment_map,
    deployments_geojson,
)
from .imports import camtrap_import, crosswalk_edit
from .protocols import (
    ProtocolCreateView,
    ProtocolDetailView,
    ProtocolListView,
    ProtocolUpdateView,
    protocol_version_create,
)
from .research import (
    ProjectCreateView,
    ProjectDetailView,
    ProjectListView,
    ProjectUpdateView,
    RequestDetailView,
    RequestListView,
    request_create,
    request_decide,
)
from .surveys import SurveyCreateView, SurveyDetailView, SurveyListView, SurveyUpdateView
from .transects import TransectCreateView, TransectDetailView, TransectListView, TransectUpdateView

__all__ = [
    "DeploymentCreateView",
    "DeploymentDetailView",
    "DeploymentListView",
    "DeploymentUpdateView",
    "IndividualCreateView",
    "IndividualDetailView",
    "IndividualListView",
    "IndividualUpdateView",
    "MatchDetailView",
    "MatchListView",
    "ObservationDetailView",
    "ObservationListView",
    "ProjectCreateView",
    "ProjectDetailView",
    "ProjectListView",
    "ProjectUpdateView",
    "ProtocolCreateView",
    "ProtocolDetailView",
    "ProtocolListView",
    "ProtocolUpdateView",
    "RequestDetailView",
    "RequestListView",
    "SurveyCreateView",
    "SurveyDetailView",
    "SurveyListView",
    "SurveyUpdateView",
    "TransectCreateView",
    "TransectDetailView",
    "TransectListView",
    "TransectUpdateView",
    "camtrap_import",
    "cross_border_report",
    "crosswalk_edit",
    "deployment_map",
    "deployments_geojson",
    "propose_match",
    "protocol_version_create",
    "request_create",
    "request_decide",
    "review_match",
]
