"""Camera-trap deployments, their map, and observations. Every point shown is the viewer's (generalized) one."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core import geojson
from core.access import principal_for

from .. import filters, services
from ..models import (
    Deployment,
)

# --- deployments and observations ---------------------------------------------------------------


def deployments_geojson(principal, deployments):
    """GeoJSON points as `principal` may see them (services.deployment_location decides; generalized
    ones say so through core.geojson)."""
    owners = services.precise_owner_ids(principal)
    return geojson.records_collection(
        deployments,
        lambda deployment: services.deployment_location(principal, deployment, owners),
        lambda deployment: {"name": deployment.deployment_id, "url": deployment.get_absolute_url()},
    )


@login_required
def deployment_map(request):
    principal = principal_for(request)
    queryset = Deployment.objects.visible_to(principal).select_related("owner_agency")
    queryset = services.annotate_view_location(queryset, principal)
    filterset = filters.DeploymentFilterSet(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and filterset.is_valid():
        queryset = filterset.qs
    from reserves.services import protected_areas_geojson

    return render(
        request,
        "monitoring/deployment_map.html",
        {
            "filter": filterset,
            "deployments_geojson": deployments_geojson(principal, queryset[:5000]),
            "areas_geojson": protected_areas_geojson(principal),
        },
    )
