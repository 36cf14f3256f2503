"""Build a figure's compute function from a queryset, so that most figures are one declaration."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, F
from django.db.models.functions import ExtractYear, TruncMonth
from django.urls import reverse

from .registry import Column, FigureTable, Row

# The list pages' shared filters (core.filters.SharedRecordFilterSet) take these parameters.
SHARED_LINK_PARAMS = {"country": "owner_country", "agency": "owner_agency"}


def _month_end(day):
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def queryset_figure(
    queryset,
    *,
    value=None,
    value_key="count",
    value_label=None,
    date_field=None,
    is_datetime=False,
    country_field="owner_agency__country",
    agency_field="owner_agency__code",
    url_name=None,
    link_params=None,
    extra_dimensions=None,
):
    """A compute(principal, period, group_by) over `queryset(principal)`.

    queryset: callable(principal) -> QuerySet that already applies the access policy
        (`Model.objects.visible_to(principal)`); the figure never widens it.
    value: the aggregate (default Count("pk", distinct=True)); value_label its column label.
    date_field: the field the period and the month/year groupings use (None: not periodic).
    link_params: list filter parameters per dimension and for the period's bounds, e.g.
        {"country": "owner_country", "agency": "owner_agency", "start": "start_after", "end": "start_before"};
        a row gets a link only when every grouping it has (and the period) can be expressed.
    extra_dimensions: {"area": "protected_area__name_en"} for groupings an app registered.
    """
    from django.utils.translation import gettext_lazy

    aggregate = value if value is not None else Count("pk", distinct=True)
    params = {**SHARED_LINK_PARAMS, **(link_params or {})}
    fields = {"country": country_field, "agency": agency_field, **(extra_dimensions or {})}

    def expression(name):
        if name in ("month", "year") and not date_field:
            raise ValueError(f"grouping by {name} needs queryset_figure(date_field=...)")
        if name == "month":
            return TruncMonth(date_field)
        if name == "year":
            return ExtractYear(date_field)
        return F(fields[name])

    def link(row_values, period):
        if not url_name:
            return None
        query = {}
        start, end = period.start, period.end
        for name, raw in row_values.items():
            if name == "month" and raw:
                start, end = max(filter(None, (start, raw))), min(filter(None, (end, _month_end(raw))))
            elif name == "year" and raw:
                first, last = datetime.date(raw, 1, 1), datetime.date(raw, 12, 31)
                start, end = max(filter(None, (start, first))), min(filter(None, (end, last)))
            elif name in params and raw not in (None, ""):
                query[params[name]] = raw
            else:
                return None
        for bound, day in (("start", start), ("end", end)):
            if day is not None:
                if bound not in params:
                    return None
                query[params[bound]] = day.isoformat()
        url = reverse(url_name)
        return f"{url}?{urlencode(query)}" if query else url

    def compute(principal, period, group_by):
        records = queryset(principal)
        if date_field and period.is_bounded:
            records = records.filter(period.q(date_field, is_datetime=is_datetime))
        aliases = {name: f"fig_{name}" for name in group_by}
        if aliases:
            records = records.annotate(**{alias: expression(name) for name, alias in aliases.items()})
            result = records.values(*aliases.values()).annotate(fig_value=aggregate).order_by(*aliases.values())
        else:
            result = [records.aggregate(fig_value=aggregate)]
        columns = [Column(name, _grouping_label(name), is_dimension=True) for name in group_by]
        columns.append(Column(value_key, value_label or gettext_lazy("Number")))
        rows = []
        for item in result:
            values = {}
            for name, alias in aliases.items():
                raw = item[alias]
                values[name] = raw.date() if isinstance(raw, datetime.datetime) else raw
            row_link = link(values, period)
            values[value_key] = item["fig_value"] or 0
            rows.append(Row(values, row_link))
        return FigureTable(columns=columns, rows=rows)

    return compute


def _grouping_label(name):
    from .registry import GROUPINGS

    return GROUPINGS.get(name, name)


def scalar_figure(function, value_label=None):
    """A compute for a single current number, e.g. `lambda principal: alerts(principal).count()`."""
    from django.utils.translation import gettext_lazy

    def compute(principal, period, group_by):
        return FigureTable(
            columns=[Column("value", value_label or gettext_lazy("Number"))],
            rows=[Row({"value": function(principal)})],
        )

    return compute
