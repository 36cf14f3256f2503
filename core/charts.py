"""Server-side SVG charts: grouped and stacked bars (vertical or horizontal) and line/time series.

No JavaScript and no inline style: every colour and font size comes from classes styled by
core/static/core/charts.css, so the pages work under a Content-Security-Policy without
'unsafe-inline'. Each chart carries a <title>, a <desc> and a data table as its text alternative;
numbers and dates are written in the active language.

    chart = bar_chart(_("Patrol km per month"), months, [Series(_("China"), cn, "cn"), Series(_("Russia"), ru, "ru")])
    {{ chart }}   # in a template, after {% chart_assets %} in the page head
"""

import datetime
import math
import re
import unicodedata
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Series classes charts.css knows: countries, totals, compliance statuses, then a palette.
KNOWN_CLASSES = ("cn", "ru", "int", "total", "on_time", "late", "missing", "pending", "target")
PALETTE_SIZE = 6
COUNTRY_CLASSES = {"CN": "cn", "RU": "ru", "INT": "int"}
CHAR_WIDTH = 6.2  # average width of a Latin character at the label size, in SVG units


@dataclass
class Series:
    label: object
    values: list
    css_class: str = ""  # one of KNOWN_CLASSES (or any token charts.css styles); empty: the palette


def country_series(code, label, values):
    """A series coloured as its country everywhere on the portal (China red, Russia blue)."""
    return Series(label, values, COUNTRY_CLASSES.get(code, ""))


# --- formatting ------------------------------------------------------------------------------


def format_number(value, decimals=None):
    """`value` in the active language: grouped thousands, the language's decimal mark, at most 2 decimals."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    if decimals is None:
        if number == number.to_integral_value():
            decimals = 0
        else:
            decimals = 1 if _half_up(number, 1) == _half_up(number, 2) else 2
    # Half up, as people round in reports (Decimal's default would write 0.125 as 0.12).
    return formats.number_format(_half_up(number, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _half_up(number, decimals):
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_category(value, date_format=None):
    """A category for an axis: dates in the language's month or date format, other values as text."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return formats.date_format(value, date_format or "SHORT_DATE_FORMAT")
    return "" if value is None else str(value)


def _category_labels(categories, date_format):
    dates = [c for c in categories if isinstance(c, datetime.date)]
    if date_format is None and dates and all(d.day == 1 for d in dates):
        date_format = "YEAR_MONTH_FORMAT"  # month buckets (TruncMonth) read as "March 2026"
    return [format_category(c, date_format) for c in categories]


def _text_width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_label(text, width, max_lines=2):
    """Split a label into at most `max_lines` lines of about `width` narrow characters (CJK count double)."""
    width = max(int(width), 3)
    pieces = []
    for word in " ".join(str(text).split()).split(" "):
        while _text_width(word) > width:
            cut, used = 0, 0
            for index, ch in enumerate(word):
                used += _text_width(ch)
                if used > width:
                    break
                cut = index + 1
            pieces.append(word[: max(cut, 1)])
            word = word[max(cut, 1) :]
        pieces.append(word)
    lines, current = [], ""
    for piece in pieces:
        candidate = f"{current} {piece}" if current and _joins_with_space(current, piece) else current + piece
        if current and _text_width(candidate) > width:
            lines.append(current)
            current = piece
        else:
            current = candidate
    lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _text_width(last) > width - 1:
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last.rstrip() + "…"]
    return lines


def _joins_with_space(left, right):
    # Pieces cut out of one long CJK or Latin word join without a space.
    return not (_text_width(left[-1:]) == 2 or _text_width(right[:1]) == 2)


def _css(token, index):
    token = re.sub(r"[^a-z0-9_-]", "", str(token or "").lower())
    return f"chart-s-{token}" if token else f"chart-s-{index % PALETTE_SIZE}"


def nice_ticks(peak, count=4):
    """Round axis ticks from 0 to at least `peak` (0, 25, 50, 75, 100 …)."""
    if peak <= 0:
        return [0, 1]
    raw = peak / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0]
    while ticks[-1] < peak - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


# --- the chart object ------------------------------------------------------------------------


@dataclass
class Chart:
    title: object
    categories: list  # display labels
    series: list
    svg: str = ""
    description: object = ""
    unit: object = ""
    category_label: object = ""
    chart_id: str = ""
    percent: bool = False
    empty_text: object = ""

    def __bool__(self):
        return bool(self.categories and self.series)

    def table_rows(self):
        for index, category in enumerate(self.categories):
            yield category, [_value_text(s.values[index], self.unit) for s in self.series]

    def __html__(self):
        return render_to_string("core/charts/chart.html", {"chart": self})

    def __str__(self):
        return mark_safe(self.__html__())


def _value_text(value, unit):
    text = format_number(value)
    return f"{text} {unit}" if unit and value is not None else text


def _number(value):
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _svg_open(chart, width, height):
    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"
    description = chart.description or chart.title
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart-svg" viewBox="0 0 {width} {height:.0f}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" id="{chart.chart_id}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<text class="chart-title" x="0" y="16">{escape(chart.title)}</text>',
    ]


def _legend(series, y, width, left=0):
    """Legend items in rows, wrapping when a row is full. Returns (parts, height used)."""
    parts, x, row = [], left, 0
    for index, item in enumerate(series):
        label = str(item.label)
        item_width = 24 + _text_width(label) * CHAR_WIDTH
        if x > left and x + item_width > width:
            x, row = left, row + 1
        top = y + row * 18
        parts.append(
            f'<rect class="chart-swatch {_css(item.css_class, index)}" x="{x:.1f}" y="{top:.1f}" width="10" height="10"/>'
        )
        parts.append(f'<text class="chart-legend" x="{x + 14:.1f}" y="{top + 9:.1f}">{escape(label)}</text>')
        x += item_width
    return parts, (row + 1) * 18 if series else 0


def _chart_id(chart_id):
    return chart_id or f"chart-{uuid.uuid4().hex[:8]}"


# --- bars --------------------------------------------------------------------------------------


def bar_chart(
    title,
    categories,
    series,
    *,
    unit="",
    description="",
    category_label="",
    stacked=False,
    percent=False,
    horizontal=False,
    width=640,
    height=None,
    date_format=None,
    value_labels=True,
    chart_id=None,
    empty_text="",
):
    """Bars per category: side by side (grouped), stacked, or stacked to 100 % (`percent`).

    categories: labels, dates (month buckets show as "March 2026") or numbers.
    series: [Series(label, [value per category], css_class)], e.g. China and Russia side by side.
    horizontal: one bar per category as a row (agency names on the left, as on the compliance page).
    empty_text: what the page says when there is nothing to draw (default "No data to chart yet.").
    """
    chart = Chart(
        title,
        _category_labels(categories, date_format),
        list(series),
        description=description,
        unit="%" if percent and not unit else unit,
        category_label=category_label,
        chart_id=_chart_id(chart_id),
        percent=percent,
        empty_text=empty_text,
    )
    if not chart:
        return chart
    stacked = stacked or percent
    data = [[_number(v) for v in s.values] for s in chart.series]
    if percent:
        totals = [sum(column) for column in zip(*data, strict=True)]
        data = [[(v / t * 100 if t else 0) for v, t in zip(row, totals, strict=True)] for row in data]
    if horizontal:
        chart.svg = _horizontal_bars(chart, data, stacked, width, value_labels)
    else:
        chart.svg = _vertical_bars(chart, data, stacked, width, height or 260, value_labels)
    return chart


def stacked_bar_chart(title, categories, series, **options):
    return bar_chart(title, categories, series, stacked=True, **options)


def _peak(data, stacked):
    if stacked:
        return max([sum(column) for column in zip(*data, strict=True)] + [0])
    return max([v for row in data for v in row] + [0])


def _vertical_bars(chart, data, stacked, width, height, value_labels):
    count, n_series = len(chart.categories), len(chart.series)
    left, right, top = 60, 10, 34
    group_w = (width - left - right) / count
    label_chars = max(group_w / CHAR_WIDTH, 4)
    wrapped = [wrap_label(c, label_chars, max_lines=3) for c in chart.categories]
    step = max(1, math.ceil(count / 16))  # at most 16 axis labels; every bar keeps its tooltip
    label_h = 13 * max(len(lines) for lines in wrapped)
    legend, legend_h = _legend(chart.series, 0, width)
    plot_h = height - top - label_h - 10 - legend_h
    ticks = [100 * i / 4 for i in range(5)] if chart.percent else nice_ticks(_peak(data, stacked))
    scale = plot_h / (ticks[-1] or 1)
    base = top + plot_h
    parts = _svg_open(chart, width, height)
    for tick in ticks:
        y = base - tick * scale
        parts.append(f'<line class="chart-grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart-tick" x="{left - 4}" y="{y + 3:.1f}">{escape(_value_text(tick, chart.unit))}</text>'
        )
    bar_w = group_w * 0.8 if stacked else max(min(group_w * 0.8 / n_series, 40), 2)
    for i in range(count):
        x0 = left + i * group_w + (group_w - (bar_w if stacked else bar_w * n_series)) / 2
        running = 0.0
        for j, item in enumerate(chart.series):
            value = data[j][i]
            h = value * scale
            x = x0 if stacked else x0 + j * bar_w
            y = base - (running + value) * scale if stacked else base - h
            parts.append(
                f'<rect class="chart-bar {_css(item.css_class, j)}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}">'
                f"<title>{escape(_tooltip(chart, item, i, value))}</title></rect>"
            )
            if value_labels and not stacked and h > 0 and count * n_series <= 24:
                parts.append(
                    f'<text class="chart-value" x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}">{escape(format_number(value))}</text>'
                )
            running += value
        if value_labels and stacked and not chart.percent and running > 0 and count <= 24:
            parts.append(
                f'<text class="chart-value" x="{x0 + bar_w / 2:.1f}" y="{base - running * scale - 2:.1f}">'
                f"{escape(format_number(running))}</text>"
            )
        if i % step == 0:
            centre = left + i * group_w + group_w / 2
            tspans = "".join(
                f'<tspan x="{centre:.1f}" dy="{0 if n == 0 else 13}">{escape(line)}</tspan>'
                for n, line in enumerate(wrapped[i])
            )
            parts.append(f'<text class="chart-category" y="{base + 14:.1f}">{tspans}</text>')
    parts.append(f'<line class="chart-axis" x1="{left}" y1="{base:.1f}" x2="{width - right}" y2="{base:.1f}"/>')
    parts.append(f'<g class="chart-legend-group" transform="translate(0 {height - legend_h + 4:.1f})">')
    parts.extend(legend)
    parts.append("</g></svg>")
    return mark_safe("".join(parts))


def _horizontal_bars(chart, data, stacked, width, value_labels):
    count, n_series = len(chart.categories), len(chart.series)
    label_w = min(max(_text_width(c) for c in chart.categories) * CHAR_WIDTH + 8, width * 0.3)
    wrapped = [wrap_label(c, (label_w - 8) / CHAR_WIDTH) for c in chart.categories]
    left, right, top = label_w, 56, 30
    row_h = 26 if stacked else 10 + 14 * n_series
    legend, legend_h = _legend(chart.series, 0, width)
    height = top + row_h * count + 8 + legend_h
    plot_w = width - left - right
    peak = 100 if chart.percent else (nice_ticks(_peak(data, stacked))[-1] or 1)
    scale = plot_w / peak
    parts = _svg_open(chart, width, height)
    for i in range(count):
        y0 = top + i * row_h
        tspans = "".join(
            f'<tspan x="{left - 6:.1f}" dy="{0 if n == 0 else 12}">{escape(line)}</tspan>'
            for n, line in enumerate(wrapped[i])
        )
        parts.append(f'<text class="chart-category chart-category-row" y="{y0 + 15:.1f}">{tspans}</text>')
        parts.append(
            f'<rect class="chart-track" x="{left:.1f}" y="{y0 + 4:.1f}" width="{plot_w:.1f}" height="{row_h - 8}"/>'
        )
        running, bar_h = 0.0, (row_h - 8) if stacked else 12
        for j, item in enumerate(chart.series):
            value = data[j][i]
            w = value * scale
            x = left + running * scale if stacked else left
            y = y0 + 4 if stacked else y0 + 5 + j * 14
            parts.append(
                f'<rect class="chart-bar {_css(item.css_class, j)}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}">'
                f"<title>{escape(_tooltip(chart, item, i, value))}</title></rect>"
            )
            if value_labels and not stacked:
                parts.append(
                    f'<text class="chart-value chart-value-row" x="{left + w + 4:.1f}" y="{y + 10:.1f}">'
                    f"{escape(format_number(value))}</text>"
                )
            running += value
        if value_labels and stacked:
            total = sum(_number(s.values[i]) for s in chart.series)
            parts.append(
                f'<text class="chart-value chart-value-row" x="{width - right + 4:.1f}" y="{y0 + 17:.1f}">'
                f"{escape(format_number(total))}</text>"
            )
    parts.append(f'<g class="chart-legend-group" transform="translate(0 {height - legend_h + 4:.1f})">')
    parts.extend(legend)
    parts.append("</g></svg>")
    return mark_safe("".join(parts))


def _tooltip(chart, item, index, shown):
    raw = item.values[index]
    text = f"{item.label} · {chart.categories[index]}: {_value_text(raw, '' if chart.percent else chart.unit)}"
    if chart.percent:
        text += f" ({format_number(round(shown, 1))} %)"
    return text


# --- lines -------------------------------------------------------------------------------------


def line_chart(
    title,
    categories,
    series,
    *,
    unit="",
    description="",
    category_label="",
    width=640,
    height=240,
    date_format=None,
    chart_id=None,
    empty_text="",
):
    """A time series (or any ordered categories): one line per series with a marker per point."""
    chart = Chart(
        title,
        _category_labels(categories, date_format),
        list(series),
        description=description,
        unit=unit,
        category_label=category_label,
        chart_id=_chart_id(chart_id),
        empty_text=empty_text,
    )
    if not chart:
        return chart
    data = [[_number(v) for v in s.values] for s in chart.series]
    count = len(chart.categories)
    left, right, top = 60, 16, 34
    legend, legend_h = _legend(chart.series, 0, width)
    plot_w = width - left - right
    plot_h = height - top - 24 - legend_h
    ticks = nice_ticks(_peak(data, False))
    scale = plot_h / (ticks[-1] or 1)
    base = top + plot_h
    gap = plot_w / max(count - 1, 1)
    step = max(1, math.ceil(count * 70 / plot_w))  # labels about 70 units apart
    parts = _svg_open(chart, width, height)
    for tick in ticks:
        y = base - tick * scale
        parts.append(f'<line class="chart-grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart-tick" x="{left - 4}" y="{y + 3:.1f}">{escape(_value_text(tick, unit))}</text>'
        )
    for i, label in enumerate(chart.categories):
        if i % step == 0:
            x = left + (i * gap if count > 1 else plot_w / 2)
            parts.append(f'<text class="chart-category" x="{x:.1f}" y="{base + 14:.1f}">{escape(label)}</text>')
    for j, item in enumerate(chart.series):
        css = _css(item.css_class, j)
        points = [(left + (i * gap if count > 1 else plot_w / 2), base - v * scale) for i, v in enumerate(data[j])]
        parts.append(f'<polyline class="chart-line {css}" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}"/>')
        for i, (x, y) in enumerate(points):
            parts.append(
                f'<circle class="chart-point {css}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                f"<title>{escape(_tooltip(chart, item, i, data[j][i]))}</title></circle>"
            )
    parts.append(f'<line class="chart-axis" x1="{left}" y1="{base:.1f}" x2="{width - right}" y2="{base:.1f}"/>')
    parts.append(f'<g class="chart-legend-group" transform="translate(0 {height - legend_h + 4:.1f})">')
    parts.extend(legend)
    parts.append("</g></svg>")
    chart.svg = mark_safe("".join(parts))
    return chart


# --- from a figure -------------------------------------------------------------------------------


def chart_from_table(table, category, series_by=None, *, kind="bar", value_key=None, title=None, **options):
    """Draw a core.figures FigureTable: `category` along the axis, one series per `series_by` value.

    chart_from_table(figure_table("antipoaching.patrol_km", p, Period.year(2026), ("country", "month")),
                     "month", "country", kind="line")
    """
    from core.figures import dimension_label

    categories, groups = table.series(category, series_by, value_key)
    series = [
        Series(
            dimension_label(series_by, name) if series_by else table.label,
            values,
            COUNTRY_CLASSES.get(name, "") if series_by == "country" else "",
        )
        for name, values in groups.items()
    ]
    labels = [c if isinstance(c, datetime.date) else dimension_label(category, c) for c in categories]
    draw = {"bar": bar_chart, "stacked": stacked_bar_chart, "line": line_chart}[kind]
    options.setdefault("unit", table.unit)
    options.setdefault("category_label", dict((c.key, c.label) for c in table.columns).get(category, ""))
    return draw(title or table.label, labels, series, **options)
