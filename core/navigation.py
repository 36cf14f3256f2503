"""Registries the topic apps extend from their AppConfig.ready(): menu entries and dashboard figures.

register_menu("monitoring", _("Monitoring"), [
    (_("Deployments"), "monitoring:deployment-list"),                       # everyone
    MenuItem(_("New deployment"), "monitoring:deployment-create", write=True),  # not observers/read-only keys
    MenuItem(_("Review matches"), "monitoring:match-list", roles=("expert",)),
    MenuItem(_("Audit"), "core:audit", when=lambda principal: principal.is_superuser),
])
register_dashboard_figure("monitoring", _("Observations"), lambda principal: ..., url_name=...)

A menu item is still a (label, url_name) pair, so templates that unpack it keep working; the
predicate only decides whether the principal sees it (the view must check again: a hidden link is
not an access rule).
"""

from dataclasses import dataclass, field


class MenuItem(tuple):
    """(label, url_name) plus who may see it.

    roles: the membership roles that see it (superusers always do); write: only principals who may
    write (hidden from observers and read-only API keys); superuser: admins only;
    when: callable(principal) -> bool, for anything else.
    """

    def __new__(cls, label, url_name, *, roles=None, write=False, superuser=False, when=None):
        item = super().__new__(cls, (label, url_name))
        item.roles = frozenset(str(r) for r in roles) if roles else None
        item.write = write
        item.superuser = superuser
        item.when = when
        return item

    @property
    def label(self):
        return self[0]

    @property
    def url_name(self):
        return self[1]

    def visible_to(self, principal):
        if principal is None:
            return not (self.roles or self.write or self.superuser or self.when)
        if self.superuser and not principal.is_superuser:
            return False
        if self.write and not principal.can_write:
            return False
        if self.roles is not None and not principal.is_superuser and str(principal.role) not in self.roles:
            return False
        if self.when is not None and not self.when(principal):
            return False
        return True


def _as_item(entry):
    if isinstance(entry, MenuItem):
        return entry
    if len(entry) == 3:  # (label, url_name, predicate)
        return MenuItem(entry[0], entry[1], when=entry[2])
    return MenuItem(entry[0], entry[1])


@dataclass
class MenuSection:
    app_label: str
    label: object
    items: list = field(default_factory=list)  # MenuItem, i.e. (label, url_name) with a predicate
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
    """items: (label, url_name) pairs, (label, url_name, predicate) triples or MenuItem objects."""
    _menu[app_label] = MenuSection(app_label, label, [_as_item(i) for i in items], order)


def register_dashboard_figure(app_label, label, compute, url_name=None, order=100):
    """A current-state counter on the dashboard: registered as a figure in core.figures."""
    from core.figures import legacy_figure_key, register_figure, scalar_figure

    if any(f.app_label == app_label and str(f.label) == str(label) for f in _figures):
        return
    _figures.append(DashboardFigure(app_label, label, compute, url_name, order))
    register_figure(
        legacy_figure_key(app_label, label),
        label,
        "",
        scalar_figure(compute),
        app_label=app_label,
        url_name=url_name,
        periodic=False,
        dashboard=True,
        order=order,
    )


def menu_sections(principal=None):
    """All sections; given a principal, only the items it may see, and no empty section."""
    sections = sorted(_menu.values(), key=lambda s: (s.order, s.app_label))
    if principal is None:
        return sections
    visible = []
    for section in sections:
        items = [item for item in section.items if item.visible_to(principal)]
        if items:
            visible.append(MenuSection(section.app_label, section.label, items, section.order))
    return visible


def dashboard_figures():
    return sorted(_figures, key=lambda f: (f.order, f.app_label))


def _register_core_menu():
    # The shared layer's own entries. Registered here (imported by the context processor) rather
    # than in an app's ready(), so they exist whichever app loads first.
    from django.utils.translation import gettext_lazy as _

    def manages_keys(principal):
        from core.apikeys import may_manage_any  # imported late: models are not loaded yet here

        return may_manage_any(principal)

    register_menu(
        "core",
        _("API keys"),
        [MenuItem(_("API keys"), "core:apikey-list", when=manages_keys)],
        order=900,
    )


_register_core_menu()
