"""The one chart module: CSP-safe SVG (classes, no style, no script), escaped, accessible, localized."""

import datetime
import re

import pytest
from django.utils import translation

from core.charts import (
    Series,
    bar_chart,
    chart_from_table,
    country_series,
    format_number,
    line_chart,
    nice_ticks,
    stacked_bar_chart,
    wrap_label,
)
from core.figures import Column, FigureTable, Row

MONTHS = [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)]


def _all_charts(title="Patrol km", label="China"):
    series = [country_series("CN", label, [12345.5, 3, 0]), country_series("RU", "Russia", [1, 2, 7])]
    return [
        bar_chart(title, MONTHS, series),
        stacked_bar_chart(title, ["A", "B", "C"], series),
        bar_chart(title, ["CNPARK", "RUPARK", "NGO"], series, horizontal=True, percent=True),
        bar_chart(title, ["CNPARK", "RUPARK", "NGO"], series, horizontal=True),
        line_chart(title, MONTHS, series),
    ]


def test_no_inline_style_no_script_and_classes_for_colours():
    for chart in _all_charts():
        html = str(chart)
        assert "<svg" in html and "</svg>" in html
        assert not re.search(r"\sstyle\s*=", html), html
        assert "<script" not in html.lower() and "javascript:" not in html.lower()
        assert not re.search(r"\son[a-z]+\s*=", html)  # no event handler attributes
        assert not re.search(r"\sfill\s*=", html)  # colours come from charts.css
        assert "chart-s-cn" in html and "chart-s-ru" in html


def test_labels_are_escaped_everywhere():
    for chart in _all_charts(title="Tom & <script>alert(1)</script>", label="<script>x</script> & co"):
        html = str(chart)
        assert "<script" not in html
        assert "Tom &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in html
    chart = bar_chart("t", ['"><svg onload=alert(1)>'], [Series("s", [1])])
    assert "<svg onload" not in str(chart) and "&quot;&gt;&lt;svg onload" in str(chart)


def test_accessible_title_desc_and_data_table():
    chart = bar_chart(
        "Patrol km", MONTHS, [Series("China", [1, 2, 3], "cn")], description="Km per month", chart_id="km"
    )
    html = str(chart)
    assert 'role="img"' in html and 'aria-labelledby="km-title km-desc"' in html
    assert '<title id="km-title">Patrol km</title>' in html and '<desc id="km-desc">Km per month</desc>' in html
    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    assert "<caption>Patrol km</caption>" in table
    assert re.findall(r"<td[^>]*>(.*?)</td>", table) == ["1", "2", "3"]


def test_numbers_and_months_in_russian_and_chinese():
    with translation.override("ru"):
        assert format_number(12345.5) == "12\xa0345,5"
        html = str(bar_chart("km", MONTHS, [Series("Китай", [12345.5, 1, 2])]))
        assert "12\xa0345,5" in html and "Январь 2026" in html
        assert "10\xa0000" in html  # axis ticks grouped too
    with translation.override("zh-hans"):
        assert format_number(12345.5) == "12345.5"
        html = str(line_chart("km", MONTHS, [Series("中国", [12345.5, 1, 2])]))
        assert "12345.5" in html and "2026年1月" in html
    with translation.override("en"):
        assert format_number(12345.5) == "12,345.5"
        assert format_number(2) == "2" and format_number(0.125) == "0.13"


def test_long_labels_are_wrapped_and_cut_with_the_full_text_in_the_tooltip():
    lines = wrap_label("Snares and traps removed per month", 12, max_lines=2)
    assert len(lines) == 2 and lines[1].endswith("…") and all(len(line) <= 12 for line in lines)
    assert wrap_label("中华人民共和国国家林业和草原局", 10, max_lines=3)[0] == "中华人民共"
    long = "Number of snares and traps removed by the joint patrols"
    html = str(bar_chart("t", [long] * 6, [Series("s", [1] * 6)]))
    assert html.count("<tspan") >= 12 and f"· {long}: 1</title>" in html


def test_grouped_stacked_and_percent_geometry():
    grouped = str(bar_chart("t", ["a"], [Series("x", [10]), Series("y", [5])], chart_id="g"))
    heights = [float(h) for h in re.findall(r'class="chart-bar[^"]*"[^>]*height="([\d.]+)"', grouped)]
    assert heights[0] == pytest.approx(2 * heights[1])
    stacked = str(stacked_bar_chart("t", ["a"], [Series("x", [10]), Series("y", [5])]))
    assert ">15</text>" in stacked  # the stack's total is labelled
    percent = str(
        bar_chart(
            "t", ["a"], [Series("on", [3], "on_time"), Series("late", [1], "late")], horizontal=True, percent=True
        )
    )
    widths = [float(w) for w in re.findall(r'class="chart-bar[^"]*"[^>]*width="([\d.]+)"', percent)]
    assert widths[0] == pytest.approx(3 * widths[1], rel=0.01)
    assert "(75 %)" in percent and "chart-s-on_time" in percent
    assert nice_ticks(12345.5)[-1] >= 12345.5 and nice_ticks(0) == [0, 1]


def test_empty_chart_is_falsy_and_says_so():
    chart = bar_chart("t", [], [])
    assert not chart and "<svg" not in str(chart) and "No data to chart yet." in str(chart)
    assert "No rounds are due yet." in str(bar_chart("t", [], [], empty_text="No rounds are due yet."))


@pytest.mark.django_db
def test_chart_from_a_figure_table():
    table = FigureTable(
        columns=[Column("country", "Country", True), Column("month", "Month", True), Column("count", "Number")],
        rows=[
            Row({"country": "CN", "month": MONTHS[0], "count": 2}),
            Row({"country": "RU", "month": MONTHS[1], "count": 4}),
        ],
        label="Visits",
    )
    html = str(chart_from_table(table, "month", "country", kind="line"))
    assert "chart-s-cn" in html and "chart-s-ru" in html and "China" in html and "January 2026" in html
