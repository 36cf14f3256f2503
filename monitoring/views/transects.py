"""Snow-track transect pages."""

from django.utils.translation import gettext_lazy

from core.views_base import PortalCreateView, PortalDetailView, PortalUpdateView

from .. import filters, services
from ..forms import TransectForm
from ..models import (
    SnowTrackTransect,
)
from .base import AfterSaveMixin, TableListView


class TransectListView(TableListView):
    model = SnowTrackTransect
    filterset_class = filters.SnowTrackTransectFilterSet
    title = gettext_lazy("Snow-track transects")
    create_url_name = "monitoring:transect-create"
    select_related_fields = ("owner_agency",)
    columns = (
        (gettext_lazy("Name"), lambda o: o.name),
        (gettext_lazy("Date"), lambda o: o.date),
        (gettext_lazy("Length (km)"), lambda o: o.length_km),
        (gettext_lazy("Owner"), lambda o: o.owner_agency.code),
    )


class TransectDetailView(PortalDetailView):
    model = SnowTrackTransect
    template_name = "monitoring/transect_detail.html"
    prefetch_related_fields = ("tracks__species",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        route, centre = services.transect_location(self.principal, self.object)
        features = []
        if route:
            features.append({"type": "Feature", "geometry": route, "properties": {"name": self.object.name}})
        elif centre:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [centre.longitude, centre.latitude]},
                    "properties": {"name": self.object.name, "generalized": True},
                }
            )
        context["centre"] = centre
        context["route_geojson"] = {"type": "FeatureCollection", "features": features}
        return context


class TransectFormMixin(AfterSaveMixin):
    form_class = TransectForm
    template_name = "core/record_form.html"

    def after_save(self, form):
        services.replace_transect_tracks(self.object, form.cleaned_data["tracks_text"])


class TransectCreateView(TransectFormMixin, PortalCreateView):
    model = SnowTrackTransect


class TransectUpdateView(TransectFormMixin, PortalUpdateView):
    model = SnowTrackTransect
