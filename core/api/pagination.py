from rest_framework.pagination import CursorPagination


class PortalCursorPagination(CursorPagination):
    """Cursor pagination: stable on big tables that grow while a partner pages through them."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-created_at"
