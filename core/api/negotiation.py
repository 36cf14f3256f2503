"""Content negotiation (DEFAULT_CONTENT_NEGOTIATION_CLASS): DRF's, except for file answers.

An export answers the file its `as` parameter names (CSV, XLSX) or its own type (a zip), whatever
renderers the view has: a client that asks for that type (Accept: text/csv) must not be refused
with 406 before the view runs. Its refusals (400, 403, 404) are rendered as JSON.
"""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation

EXPORT_ACTIONS = {"export"}


def answers_files(view):
    """An export: a viewset's `export` action, or a view named …ExportView."""
    if view is None:
        return False
    return getattr(view, "action", None) in EXPORT_ACTIONS or type(view).__name__.endswith("ExportView")


class PortalContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            view = (getattr(request, "parser_context", None) or {}).get("view")
            if not answers_files(view) or not renderers:
                raise
            return renderers[0], renderers[0].media_type
