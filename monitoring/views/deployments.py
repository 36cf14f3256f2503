"""Camera-trap deployments, their map, and observations. Every point shown is the viewer's (generalized) one."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import principal_for
from core.views_base import PortalCreateView, PortalDetailView, PortalUpdateView

from .. import filters, services
from ..models import (
    Deployment,
    Observation,
)
from .base import AfterSaveMixin, LocationListMixin, TableListView, fmt_point

# --- deployments and observations ---------------------------------------------------------------

DEPLOYMENT_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "survey",
    "deployment_id",
    "location_id",
    "location_name",
    "latitude",
    "longitude",
    "coordinate_uncertainty",
    "start",
    "end",
    "camera_id",
    "camera_model",
    "camera_height",
    "feature_type",
    "habitat",
    "deployment_comments",
]


class DeploymentListView(LocationListMixin, TableListView):
    model = Deployment
    filterset_class = filters.DeploymentFilterSet
    title = gettext_lazy("Camera-trap deployments")
    create_url_name = "monitoring:deployment-create"
    select_related_fields = ("owner_agency", "feature_type", "protected_area")
    ordering_choices = (
        ("start", gettext_lazy("Start")),
        ("view_latitude", gettext_lazy("Latitude")),
        ("view_longitude", gettext_lazy("Longitude")),
    )
    columns = (
        (gettext_lazy("Deployment"), lambda o: o.deployment_id),
        (gettext_lazy("Location"), lambda o: fmt_point(o.view_latitude, o.view_longitude)),
        (gettext_lazy("Start"), lambda o: o.start.date()),
        (gettext_lazy("End"), lambda o: o.end.date()),
        (gettext_lazy("Feature type"), lambda o: o.feature_type or "—"),
        (gettext_lazy("Protected area"), lambda o: o.protected_area or "—"),
        (gettext_lazy("Owner"), lambda o: o.owner_agency.code),
    )


class DeploymentDetailView(PortalDetailView):
    model = Deployment
    template_name = "monitoring/deployment_detail.html"
    select_related_fields = ("owner_agency", "feature_type", "protected_area", "survey")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        point = services.deployment_location(self.principal, self.object)
        context["point"] = point
        context["map_geojson"] = deployments_geojson(self.principal, [self.object])
        observations = Observation.objects.visible_to(self.principal).filter(deployment=self.object)
        context["observation_count"] = observations.count()
        context["species_counts"] = (
            observations.exclude(species=None)
            .values("species__scientific_name")
            .order_by("species__scientific_name")
            .annotate(n=Count("pk"))
        )
        context["chart"] = services.svg_bar_chart(
            services.detections_by_month(observations.filter(observation_type="animal")), _("Detections per month")
        )
        return context


class DeploymentFormMixin(AfterSaveMixin):
    fields = DEPLOYMENT_FIELDS
    template_name = "core/record_form.html"

    def after_save(self, form):
        services.deployment_saved(self.object)


class DeploymentCreateView(DeploymentFormMixin, PortalCreateView):
    model = Deployment


class DeploymentUpdateView(DeploymentFormMixin, PortalUpdateView):
    model = Deployment


def deployments_geojson(principal, deployments):
    """GeoJSON points as `principal` may see them; generalized ones say so."""
    owners = services.precise_owner_ids(principal)
    features = []
    for deployment in deployments:
        point = services.deployment_location(principal, deployment, owners)
        if point is None:
            continue
        note = ""
        if point.generalized:
            note = _("Location generalized to a %(grid)s° grid (sensitive species).") % {"grid": point.grid_degrees}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(point.longitude, 6), round(point.latitude, 6)]},
                "properties": {
                    "name": deployment.deployment_id,
                    "url": deployment.get_absolute_url(),
                    "generalized": point.generalized,
                    "uncertainty_m": point.uncertainty_m,
                    "note": note,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


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


class ObservationListView(LocationListMixin, TableListView):
    model = Observation
    filterset_class = filters.ObservationFilterSet
    location_prefix = "deployment__"
    title = gettext_lazy("Camera-trap observations")
    select_related_fields = ("owner_agency", "deployment", "species", "individual")
    ordering_choices = (
        ("event_start", gettext_lazy("Event start")),
        ("view_latitude", gettext_lazy("Latitude")),
        ("view_longitude", gettext_lazy("Longitude")),
    )
    columns = (
        (gettext_lazy("Observation"), lambda o: o.observation_id),
        (gettext_lazy("Event start"), lambda o: o.event_start.strftime("%Y-%m-%d %H:%M")),
        (gettext_lazy("Type"), lambda o: o.observation_type),
        (gettext_lazy("Species"), lambda o: o.species or o.scientific_name or "—"),
        (gettext_lazy("Count"), lambda o: o.count or "—"),
        (gettext_lazy("Individual"), lambda o: o.individual.catalogue_code if o.individual_id else "—"),
        (gettext_lazy("Deployment"), lambda o: o.deployment.deployment_id),
        (gettext_lazy("Location"), lambda o: fmt_point(o.view_latitude, o.view_longitude)),
    )


class ObservationDetailView(PortalDetailView):
    model = Observation
    template_name = "monitoring/observation_detail.html"
    select_related_fields = ("owner_agency", "deployment", "species", "individual", "media")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["point"] = services.deployment_location(self.principal, self.object.deployment)
        return context
