from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.access import principal_for
from core.api.filters import AgencyFilterSet
from core.figures import dashboard_items, map_layers
from core.forms import GrantForm
from core.models import Agency, DataSharingGrant, Membership
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
            # celery's current app, not tumen_portal.celery: core imports nothing of the project
            # package. The URL is passed explicitly because current_app is per thread and may be
            # celery's unconfigured fallback app in a server thread.
            from celery import current_app

            with current_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            state["broker"] = "ok"
        except Exception as exc:  # the broker being down degrades reminders, not pages
            state["broker"] = f"error: {exc.__class__.__name__}"
    state["status"] = "ok" if code == 200 else "unavailable"
    return JsonResponse(state, status=code)


@login_required
def dashboard(request):
    """The figures flagged for the dashboard and the map layers the apps registered, for this principal."""
    principal = principal_for(request)
    layers = [
        {"layer": layer, "element_id": layer.element_id, "geojson": layer.geojson(principal)}
        for layer in map_layers(dashboard=True)
    ]
    return render(
        request,
        "core/dashboard.html",
        {
            "figures": dashboard_items(principal),
            "map_layers": layers,
            "map_layer_ids": ",".join(item["element_id"] for item in layers),
        },
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
        # Everyone signed in sees an agency's name, country, kind and contact; who works there
        # (usernames, roles) only its own people, the secretariat and superusers.
        context = super().get_context_data(**kwargs)
        principal = self.principal
        context["show_members"] = may_see_members(principal, self.object)
        if context["show_members"]:
            context["members"] = Membership.objects.filter(agency=self.object).select_related("user")
        return context


def may_see_members(principal, agency):
    """Member lists of an agency: its own people, the secretariat and superusers."""
    return principal.is_superuser or principal.is_secretariat or principal.agency_id == agency.pk


@login_required
def grant_list(request):
    """The grants the user's agency gave and received; coordinators give and revoke them here."""
    principal = principal_for(request)
    if principal.agency is None and not principal.is_superuser:
        raise PermissionDenied(_("Your account does not belong to an agency."))
    may_grant = principal.agency is not None and principal.is_coordinator and principal.can_write
    form = GrantForm(request.POST or None, grantor=principal.agency) if may_grant else None
    if request.method == "POST":
        if not may_grant:
            raise PermissionDenied(_("Only a coordinator of the granting agency may give or revoke grants."))
        revoke_id = request.POST.get("revoke")
        if revoke_id:
            grant = get_object_or_404(DataSharingGrant, pk=revoke_id, grantor=principal.agency)
            if grant.revoked_at is None:
                grant.revoked_at = timezone.now()
                grant.save(update_fields=["revoked_at", "updated_at"])
            messages.success(request, _("The grant has been revoked."))
            return redirect("core:grant-list")
        if form.is_valid():
            form.save()
            messages.success(request, _("The grant has been given."))
            return redirect("core:grant-list")
    grants = DataSharingGrant.objects.select_related("grantor", "grantee")
    if not principal.is_superuser:
        grants = grants.filter(Q(grantor=principal.agency) | Q(grantee=principal.agency))
    return render(request, "core/grant_list.html", {"grants": grants, "form": form, "today": timezone.localdate()})
