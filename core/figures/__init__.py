"""Figures, their periods and groupings, and what the dashboard shows. See docs/shared-layer/figures.md."""

from .dashboard import (
    DashboardItem,
    MapLayer,
    dashboard_items,
    legacy_figure_key,
    map_layers,
    register_map_layer,
    unregister_map_layer,
)
from .period import Period, PeriodError
from .querysets import SHARED_LINK_PARAMS, queryset_figure, scalar_figure
from .registry import (
    GROUPINGS,
    Column,
    Figure,
    FigureError,
    FigureTable,
    Row,
    dimension_label,
    figure_table,
    figures,
    get_figure,
    register_figure,
    register_grouping,
    unregister_figure,
)

__all__ = [
    "GROUPINGS",
    "SHARED_LINK_PARAMS",
    "Column",
    "DashboardItem",
    "Figure",
    "FigureError",
    "FigureTable",
    "MapLayer",
    "Period",
    "PeriodError",
    "Row",
    "dashboard_items",
    "dimension_label",
    "figure_table",
    "figures",
    "get_figure",
    "legacy_figure_key",
    "map_layers",
    "queryset_figure",
    "register_figure",
    "register_grouping",
    "register_map_layer",
    "scalar_figure",
    "unregister_figure",
    "unregister_map_layer",
]
