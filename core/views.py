from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.access import principal_for
from core.api.filters import AgencyFilterSet
from core.models import Agency, Membership
from core.navigation import dashboard_figures
from core.search import search
from core.views_base import PortalDetailView, PortalListView


@never_cache
def healthz(request):
    """200 with the state of the database and the broker; 503 when the database is down."""
    state = {"database": "ok", "broker": "not configured"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the portal cannot serve
        state["database"] = f"error: {exc.__class__.__name__}"
        code = 503
    from django.conf import settings

    if settings.CELERY_BROKER_URL:
        try:
            from tumen_portal.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            state["broker"] = "ok"
        except Exception as exc:  # the broker being down degrades reminders, not pages
            state["broker"] = f"error: {exc.__class__.__name__}"
    state["status"] = "ok" if code == 200 else "unavailable"
    return JsonResponse(state, status=code)


@login_required
def dashboard(request):
    principal = principal_for(request)
    figures = []
    for figure in dashboard_figures():
        figures.append({"figure": figure, "value": figure.compute(principal)})
    from reserves.services import protected_areas_geojson

    return render(
        request,
        "core/dashboard.html",
        {"figures": figures, "areas_geojson": protected_areas_geojson(principal)},
    )


@login_required
def search_view(request):
    term = request.GET.get("q", "")
    results = search(principal_for(request), term)
    return render(request, "core/search.html", {"term": term, "results": results})


class AgencyListView(PortalListView):
    model = Agency
    filterset_class = AgencyFilterSet
    template_name = "core/agency_list.html"


class AgencyDetailView(PortalDetailView):
    model = Agency
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "core/agency_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = Membership.objects.filter(agency=self.object).select_related("user")
        return context


