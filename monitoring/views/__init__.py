"""Staff pages of the monitoring app that are special (map, reports, import, decisions sent from
an individual's page). The plain record pages are declared in monitoring/pages.py (core.pages);
monitoring/urls.py names both. Every point shown is the viewer's (generalized) one."""

from .catalogue import cross_border_report, propose_match
from .deployments import deployment_map, deployments_geojson
from .imports import camtrap_import, crosswalk_edit
from .protocols import protocol_version_create
from .research import request_create

__all__ = [
    "camtrap_import",
    "cross_border_report",
    "crosswalk_edit",
    "deployment_map",
    "deployments_geojson",
    "propose_match",
    "protocol_version_create",
    "request_create",
]
