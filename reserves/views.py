import json

from core.geojson import records_collection
from core.views_base import PortalCreateView, PortalDetailView, PortalListView, PortalUpdateView

from .filters import ProtectedAreaFilterSet
from .models import ProtectedArea
from .services import protected_areas_geojson

AREA_FORM_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "name",
    "designation",
    "description",
    "country",
    "iucn_category",
    "wdpa_id",
    "established",
    "boundary",
    "boundary_is_approximate",
]


class ProtectedAreaListView(PortalListView):
    model = ProtectedArea
    filterset_class = ProtectedAreaFilterSet
    template_name = "reserves/area_list.html"
    select_related_fields = ("owner_agency",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The map shows what the list shows: the same filtered queryset, all pages of it.
        context["areas_geojson"] = protected_areas_geojson(self.principal, self.object_list)
        return context


class ProtectedAreaDetailView(PortalDetailView):
    model = ProtectedArea
    template_name = "reserves/area_detail.html"
    select_related_fields = ("owner_agency",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["area_geojson"] = records_collection(
            [self.object], lambda area: area.boundary or None, lambda area: {"name": area.name}
        )
        context["boundary_json"] = json.dumps(self.object.boundary) if self.object.boundary else ""
        return context


class ProtectedAreaCreateView(PortalCreateView):
    model = ProtectedArea
    fields = AREA_FORM_FIELDS
    template_name = "core/record_form.html"


class ProtectedAreaUpdateView(PortalUpdateView):
    model = ProtectedArea
    fields = AREA_FORM_FIELDS
    template_name = "core/record_form.html"
