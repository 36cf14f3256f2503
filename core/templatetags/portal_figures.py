"""Template helpers for figures and charts: {% load portal_figures %}."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from core.charts import format_number
from core.figures import dimension_label

register = template.Library()


@register.filter
def figure_number(value, decimals=None):
    """A number in the active language's format, grouped ("12 345,5" in Russian); other values as they are."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "as_tuple"):
        return value
    return format_number(value, decimals)


@register.filter
def figure_dimension(value, key):
    """A grouping value (country code, month, agency) as people read it: {{ value|figure_dimension:"month" }}."""
    return dimension_label(key, value)


@register.simple_tag
def chart_assets():
    """The chart stylesheet (put it in {% block extra_head %} of a page that draws charts)."""
    return format_html('<link rel="stylesheet" href="{}">', static("core/charts.css"))
