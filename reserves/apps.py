from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReservesConfig(AppConfig):
    name = "reserves"
    verbose_name = _("Protected areas")

    def ready(self):
        from core.figures import queryset_figure, register_figure, register_map_layer
        from core.navigation import register_menu
        from core.search import register_search

        from .models import ProtectedArea
        from .services import protected_areas_geojson

        register_map_layer(
            "reserves.areas", _("Protected areas"), protected_areas_geojson, app_label="reserves", order=10
        )

        register_menu("reserves", _("Protected areas"), [(_("Protected areas"), "reserves:area-list")], order=10)
        register_figure(
            "reserves.protected_areas",
            _("Protected areas"),
            _("areas"),
            queryset_figure(
                lambda principal: ProtectedArea.objects.visible_to(principal),
                value_label=_("Protected areas"),
                country_field="country",
                url_name="reserves:area-list",
            ),
            app_label="reserves",
            url_name="reserves:area-list",
            dimensions=("country", "agency"),
            periodic=False,
            dashboard=True,
            order=10,
        )
        register_search(
            ProtectedArea, ("name", "designation", "description"), _("Protected areas"), "reserves:area-detail"
        )
