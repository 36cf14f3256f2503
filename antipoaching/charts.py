"""Server-side SVG charts (no JavaScript chart library and no CDN): grouped bars with a legend."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

COLORS = {"CN": "#b02a37", "RU": "#0a58ca"}
PALETTE = ["#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d"]


def bar_chart(title, categories, series, width=560, height=240, unit=""):
    """`series`: [(label, color, [value per category]), …]. Returns inline, accessible SVG."""
    left, right, top, bottom = 48, 10, 28, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v or 0) for _label, _color, vals in series for v in vals]
    peak = max(values + [0]) or 1
    group_w = plot_w / max(len(categories), 1)
    bar_w = max(min(group_w * 0.8 / max(len(series), 1), 40), 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#666"/>',
        f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end">{_fmt(peak)}{escape(unit)}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" font-size="10" text-anchor="end">0</text>',
    ]
    for i, category in enumerate(categories):
        x0 = left + i * group_w + (group_w - bar_w * len(series)) / 2
        for j, (label, color, vals) in enumerate(series):
            value = float(vals[i] or 0)
            h = plot_h * value / peak
            x = x0 + j * bar_w
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" fill="{color}">'
                f"<title>{escape(label)} · {escape(category)}: {_fmt(value)}{escape(unit)}</title></rect>"
            )
            if h > 0 and len(categories) <= 12:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" font-size="9" text-anchor="middle">{_fmt(value)}</text>'
                )
        centre = left + i * group_w + group_w / 2
        lines = _wrap(str(category), max(int(group_w / 6), 6))
        tspans = "".join(
            f'<tspan x="{centre:.1f}" dy="{0 if n == 0 else 11}">{escape(line)}</tspan>' for n, line in enumerate(lines)
        )
        parts.append(f'<text y="{top + plot_h + 13}" font-size="10" text-anchor="middle">{tspans}</text>')
    x = left
    for label, color, _vals in series:
        parts.append(f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="{height - 5}" font-size="11">{escape(label)}</text>')
        x += 24 + 7 * len(str(label))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _wrap(text, width, lines=2):
    """Split a category label into at most two short lines (long words are cut)."""
    words, result, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            result.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    result.append(current)
    result = [line if len(line) <= width else line[: width - 1] + "…" for line in result]
    if len(result) > lines:
        result = result[: lines - 1] + [result[lines - 1][: width - 1] + "…"]
    return result


def _fmt(value):
    value = float(value)
    return f"{value:.0f}" if value == int(value) or value >= 100 else f"{value:.2f}".rstrip("0").rstrip(".")
