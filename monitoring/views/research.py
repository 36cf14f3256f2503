"""Research projects and data requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.access import principal_for
from core.views_base import PortalCreateView, PortalDetailView, PortalUpdateView

from .. import filters, services
from ..forms import RequestForm
from ..models import (
    DataRequest,
    ResearchProject,
)
from .base import TableListView, post_decision

# --- research -------------------------------------------------------------------------------------

PROJECT_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "title",
    "summary",
    "agencies",
    "researchers",
    "start_date",
    "end_date",
    "datasets_used",
]


class ProjectListView(TableListView):
    model = ResearchProject
    filterset_class = filters.ResearchProjectFilterSet
    title = gettext_lazy("Research projects")
    create_url_name = "monitoring:project-create"
    select_related_fields = ("owner_agency",)
    columns = (
        (gettext_lazy("Title"), lambda o: o.title),
        (gettext_lazy("Start"), lambda o: o.start_date),
        (gettext_lazy("End"), lambda o: o.end_date or "—"),
        (gettext_lazy("Owner"), lambda o: o.owner_agency.code),
    )


class ProjectDetailView(PortalDetailView):
    model = ResearchProject
    template_name = "monitoring/project_detail.html"
    prefetch_related_fields = ("agencies", "publications", "datasets_used")


class ProjectCreateView(PortalCreateView):
    model = ResearchProject
    fields = PROJECT_FIELDS
    template_name = "core/record_form.html"


class ProjectUpdateView(PortalUpdateView):
    model = ResearchProject
    fields = PROJECT_FIELDS
    template_name = "core/record_form.html"


class RequestListView(TableListView):
    model = DataRequest
    filterset_class = filters.DataRequestFilterSet
    title = gettext_lazy("Data requests")
    create_url_name = "monitoring:request-create"
    select_related_fields = ("owner_agency", "requested_from")
    columns = (
        (gettext_lazy("Request"), lambda o: str(o)),
        (gettext_lazy("From"), lambda o: o.owner_agency.code),
        (gettext_lazy("Status"), lambda o: o.get_status_display()),
        (gettext_lazy("Needed until"), lambda o: o.needed_until),
    )


class RequestDetailView(PortalDetailView):
    model = DataRequest
    template_name = "monitoring/request_detail.html"
    select_related_fields = ("owner_agency", "requested_from", "requester", "decided_by", "grant")
    prefetch_related_fields = ("history__by",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_decide"] = self.object.status == "submitted" and services.can_decide(self.principal, self.object)
        return context


@login_required
def request_create(request):
    principal = principal_for(request)
    if not principal.can_write:
        raise PermissionDenied(_("Your account is read-only."))
    form = RequestForm(request.POST or None)
    form.fields["project"].queryset = ResearchProject.objects.visible_to(principal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.submit_data_request(
                principal,
                data["requested_from"],
                data["requested_dataset"],
                data["purpose"],
                data["needed_until"],
                data["project"],
            )
        except ValidationError as exc:
            form.add_error("requested_from", exc)
        else:
            messages.success(request, _("Request sent."))
            return HttpResponseRedirect(created.get_absolute_url())
    return render(request, "monitoring/request_form.html", {"form": form})


@login_required
@require_POST
def request_decide(request, pk):
    principal = principal_for(request)
    data_request = get_object_or_404(DataRequest.objects.visible_to(principal), pk=pk)
    approve = request.POST.get("decision") == "approve"
    return post_decision(
        request, data_request, lambda note: services.decide_data_request(principal, data_request, approve, note)
    )
