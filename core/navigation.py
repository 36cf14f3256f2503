"""Registries the topic apps extend from their AppConfig.ready(): menu entries and dashboard figures.

register_menu("monitoring", _("Monitoring"), [( _("Deployments"), "monitoring:deployment-list"), ...])
register_dashboard_figure("monitoring", _("Observations"), lambda principal: ..., url_name=...)
"""

from dataclasses import dataclass, field


@dataclass
class MenuSection:
    app_label: str
    label: object
    items: list = field(default_factory=list)  # (label, url_name)
    order: int = 100


@dataclass
class DashboardFigure:
    app_label: str
    label: object
    compute: object  # callable(principal) -> number, counting only what the principal may see
    url_name: str | None = None
    order: int = 100


_menu: dict[str, MenuSection] = {}
_figures: list[DashboardFigure] = []


def register_menu(app_label, label, items, order=100):
    _menu[app_label] = MenuSection(app_label, label, list(items), order)


def register_dashboard_figure(app_label, label, compute, url_name=None, order=100):
    if any(f.app_label == app_label and str(f.label) == str(label) for f in _figures):
        return
    _figures.append(DashboardFigure(app_label, label, compute, url_name, order))


def menu_sections():
    return sorted(_menu.values(), key=lambda s: (s.order, s.app_label))


def dashboard_figures():
    return sorted(_figures, key=lambda f: (f.order, f.app_label))
