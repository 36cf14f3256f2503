"""Pages of protected areas on the core page set: list with its map, detail with the outline, forms."""

from django.utils.translation import gettext_lazy as _

from core.geojson import records_collection
from core.pages import Column, RecordDetailView, RecordListView, RecordPages

from .filters import ProtectedAreaFilterSet
from .forms import ProtectedAreaForm
from .models import ProtectedArea
from .services import protected_areas_geojson


class AreaListView(RecordListView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The map shows what the list shows: the same filtered queryset, all pages of it.
        context["areas_geojson"] = protected_areas_geojson(self.principal, self.object_list)
        return context


class AreaDetailView(RecordDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["area_geojson"] = records_collection(
            [self.object], lambda area: area.boundary or None, lambda area: {"name": area.name}
        )
        return context


class ProtectedAreaPages(RecordPages):
    model = ProtectedArea
    prefix = "area"
    path = ""
    filterset_class = ProtectedAreaFilterSet
    columns = [
        Column("name", link=True),
        "country",
        "iucn_category",
        Column("area_km2", label=_("Area (km²)")),
        Column("owner_agency.code", label=_("Managing agency")),
    ]
    ordering_fields = ("name_en", "country", "area_km2")
    form_class = ProtectedAreaForm
    detail_fields = ["designation", "country", "iucn_category", "wdpa_id", "established", "area_km2", "owner_agency"]
    select_related_fields = ("owner_agency",)
    list_template = "reserves/area_list.html"
    detail_template = "reserves/area_detail.html"
    list_view = AreaListView
    detail_view = AreaDetailView
