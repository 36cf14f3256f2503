"""The registry of figures: one table shape for every count, sum or rate the portal shows.

A figure is computed for a principal (only what it may see is counted), a Period and a grouping
(country, agency, month, year or whatever the figure declares). Pages, the dashboard, exports and
the annual report read the same FigureTable.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .period import Period

# Groupings every figure may declare; an app may add its own (e.g. "area") with register_grouping.
GROUPINGS = {
    "country": gettext_lazy("Country"),
    "agency": gettext_lazy("Agency"),
    "month": gettext_lazy("Month"),
    "year": gettext_lazy("Year"),
}


def register_grouping(key, label):
    GROUPINGS.setdefault(key, label)


class FigureError(ValueError):
    """An unknown figure or a grouping it does not support; the message is translated."""


@dataclass
class Column:
    key: str
    label: object
    is_dimension: bool = False
    unit: object = ""


@dataclass
class Row:
    values: dict
    url: str | None = None  # the records behind this row, when the figure can link to them

    def __getitem__(self, key):
        return self.values[key]

    def get(self, key, default=None):
        return self.values.get(key, default)


@dataclass
class FigureTable:
    """Columns (dimensions first, then values), rows of values keyed by column, an optional link per row."""

    columns: list
    rows: list = field(default_factory=list)
    key: str = ""
    label: object = ""
    unit: object = ""
    period: Period = field(default_factory=Period)
    group_by: tuple = ()
    url: str | None = None  # the list behind the whole figure

    @property
    def dimension_columns(self):
        return [c for c in self.columns if c.is_dimension]

    @property
    def value_columns(self):
        return [c for c in self.columns if not c.is_dimension]

    def headers(self):
        """Translated column labels, for exports and data tables."""
        return [str(c.label) for c in self.columns]

    def value_rows(self, display=True):
        """Rows as lists in column order; `display` turns dimension values into their labels."""
        for row in self.rows:
            yield [
                dimension_label(c.key, row.get(c.key)) if (display and c.is_dimension) else row.get(c.key)
                for c in self.columns
            ]

    @property
    def value(self):
        """The single value of an ungrouped figure (the first value column of its only row)."""
        if not self.rows or not self.value_columns:
            return None
        return self.rows[0].get(self.value_columns[0].key)

    def total(self, key=None):
        key = key or self.value_columns[0].key
        return sum(row.get(key) or 0 for row in self.rows)

    def row(self, **dims):
        for row in self.rows:
            if all(row.get(k) == v for k, v in dims.items()):
                return row
        return None

    def series(self, category, series_by=None, value_key=None):
        """(categories, {series value: [value per category]}) for charts.

        `category` is the dimension along the axis (e.g. "month"); `series_by` another dimension
        drawn side by side (e.g. "country"). Missing cells are 0.
        """
        value_key = value_key or self.value_columns[0].key
        categories = []
        for row in self.rows:
            if row.get(category) not in categories:
                categories.append(row.get(category))
        categories.sort(key=_sort_key)
        groups = {}
        for row in self.rows:
            name = row.get(series_by) if series_by else value_key
            values = groups.setdefault(name, [0] * len(categories))
            values[categories.index(row.get(category))] += row.get(value_key) or 0
        return categories, groups

    def by_columns(self, series_by, keys=None):
        """(value column labels, {series value: [value per column]}): measures side by side.

        For "China and Russia side by side" over several measures of a table grouped by country.
        """
        columns = [c for c in self.value_columns if keys is None or c.key in keys]
        groups = {row.get(series_by): [row.get(c.key) or 0 for c in columns] for row in self.rows}
        return [c.label for c in columns], groups


def _sort_key(value):
    if value is None:
        return (2, "")
    if isinstance(value, (datetime.date, int, float)):
        return (0, value.toordinal() if isinstance(value, datetime.date) else value)
    return (1, str(value))


def dimension_label(key, value):
    """A dimension value as people read it: country name, agency code, month and year in the active language."""
    if value is None or value == "":
        return "—"
    if key == "country":
        from core.models import Country

        try:
            return str(Country(value).label)
        except ValueError:
            return str(value)
    if key == "agency":
        if isinstance(value, str):  # queryset_figure groups agencies by code
            return value
        code = getattr(value, "code", None)
        if code:
            return code
        from core.models import Agency

        agency = Agency.objects.filter(pk=value).only("code").first()
        return agency.code if agency else str(value)
    if key == "month" and isinstance(value, datetime.date):
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


@dataclass
class Figure:
    key: str
    label: object
    unit: object
    compute: object  # callable(principal, period, group_by) -> FigureTable
    app_label: str = "core"
    url_name: str | None = None
    dimensions: tuple = ()
    periodic: bool = True  # False: the figure is a current state (open alerts) and ignores periods
    dashboard: bool = False
    order: int = 100
    description: object = ""

    def table(self, principal, period=None, group_by=()):
        period = period or Period.all_time()
        group_by = tuple(group_by or ())
        unknown = [g for g in group_by if g not in self.dimensions]
        if unknown:
            raise FigureError(
                _("“%(figure)s” cannot be grouped by %(grouping)s.")
                % {"figure": self.label, "grouping": ", ".join(str(GROUPINGS.get(g, g)) for g in unknown)}
            )
        table = self.compute(principal, period, group_by)
        table.key, table.label, table.unit = self.key, self.label, self.unit
        table.period, table.group_by = period, group_by
        if table.url is None and self.url_name:
            from django.urls import reverse

            table.url = reverse(self.url_name)
        return table


_figures: dict[str, Figure] = {}


def register_figure(
    key,
    label,
    unit,
    compute,
    app_label="core",
    url_name=None,
    dimensions=(),
    periodic=True,
    dashboard=False,
    order=100,
    description="",
):
    """Register a figure (call from AppConfig.ready(); registering a key again replaces it)."""
    for grouping in dimensions:
        if grouping not in GROUPINGS:
            raise ValueError(f"unknown grouping {grouping!r}: call register_grouping() first")
    figure = Figure(
        key, label, unit, compute, app_label, url_name, tuple(dimensions), periodic, dashboard, order, description
    )
    _figures[key] = figure
    return figure


def unregister_figure(key):
    _figures.pop(key, None)


def get_figure(key):
    try:
        return _figures[key]
    except KeyError:
        raise FigureError(_("There is no figure “%(key)s”.") % {"key": key}) from None


def figures(app_label=None, dashboard=None):
    """Registered figures, in display order, optionally of one app or only the dashboard's."""
    found = [
        f
        for f in _figures.values()
        if (app_label is None or f.app_label == app_label) and (dashboard is None or f.dashboard == dashboard)
    ]
    return sorted(found, key=lambda f: (f.order, f.app_label, f.key))


def figure_table(key, principal, period=None, group_by=()):
    """The FigureTable of figure `key` for `principal` (raises FigureError for a bad key or grouping)."""
    return get_figure(key).table(principal, period, group_by)
