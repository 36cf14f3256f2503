"""What the dashboard shows: the figures flagged for it and the map layers the apps register.

core never imports a topic app: reserves registers its protected-area layer from its AppConfig.ready().
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.text import slugify

from .registry import figures


@dataclass
class MapLayer:
    key: str
    label: object
    geojson: object  # callable(principal) -> FeatureCollection of what the principal may see
    app_label: str = "core"
    order: int = 100
    dashboard: bool = True

    @property
    def element_id(self):
        return f"{slugify(self.key.replace('.', '-'))}-geojson"


_layers: dict[str, MapLayer] = {}


def register_map_layer(key, label, geojson, app_label="core", order=100, dashboard=True):
    _layers[key] = MapLayer(key, label, geojson, app_label, order, dashboard)


def unregister_map_layer(key):
    _layers.pop(key, None)


def map_layers(dashboard=None):
    found = [layer for layer in _layers.values() if dashboard is None or layer.dashboard == dashboard]
    return sorted(found, key=lambda layer: (layer.order, layer.key))


def legacy_figure_key(app_label, label):
    """The figure key a core.navigation.register_dashboard_figure(app_label, label, …) call maps to."""
    with translation.override(None):  # the msgid, whatever language is active
        return f"{app_label}.{slugify(str(label))}"


@dataclass
class DashboardItem:
    key: str
    app_label: str
    label: object
    value: object
    url_name: str | None
    order: int


def dashboard_items(principal):
    """One item per figure registered for the dashboard, as `principal` may see it."""
    items = []
    for figure in figures(dashboard=True):
        table = figure.table(principal)
        items.append(
            DashboardItem(figure.key, figure.app_label, figure.label, table.value, figure.url_name, figure.order)
        )
    return sorted(items, key=lambda item: (item.order, item.app_label))
