"""The app's plain record pages on core.pages (list, create, edit); the special detail pages
(plan workflow and evaluation, patrol legs and waypoints, incident map and links, alert
receipts) stay in views.py on the same bases. URL names are unchanged (plan-list, ...)."""

from django.utils.translation import gettext_lazy as _

from core.exports import FORMATS, export_response
from core.pages import Column, RecordListView, RecordPages, RecordUpdateView

from . import services
from .filters import ActionPlanFilterSet, IncidentFilterSet, JointOperationFilterSet, PatrolFilterSet
from .forms import AlertForm, IncidentForm, OperationForm, PatrolForm, PlanForm
from .models import ActionPlan, Alert, Incident, JointOperation, Patrol
from .services import export_rows


class ExportListView(RecordListView):
    """A list whose ?export=csv|xlsx downloads the filtered rows the page shows (streamed)."""

    export_rows = None
    export_label = ""

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in FORMATS:
            headers, rows = type(self).export_rows(self.principal, self.get_queryset())
            return export_response(headers, rows, self.export_label, fmt)
        return super().get(request, *args, **kwargs)


class PlanEditView(RecordUpdateView):
    def form_valid(self, form):
        # Approved content rewritten on the page: back to review, approvals voided.
        with services.editing_plan(self.object, self.principal):
            return super().form_valid(form)


class PlanPages(RecordPages):
    model = ActionPlan
    prefix = "plan"
    filterset_class = ActionPlanFilterSet
    columns = [
        Column("title", link=True),
        "status",
        Column("period_start", label=_("From")),
        Column("period_end", label=_("To")),
        Column("participating_agencies", value=lambda p: ", ".join(a.code for a in p.participating_agencies.all())),
        "owner_agency.code",
    ]
    form_class = PlanForm
    actions = ("list", "create", "edit")  # the detail page is views.PlanDetailView
    edit_view = PlanEditView
    select_related_fields = ("owner_agency",)
    prefetch_related_fields = ("participating_agencies",)


class OperationPages(RecordPages):
    model = JointOperation
    prefix = "operation"
    filterset_class = JointOperationFilterSet
    columns = [Column("title", link=True), "kind", "start", "plan", "owner_agency.code"]
    form_class = OperationForm
    actions = ("list", "detail", "create", "edit")
    detail_fields = ["kind", "start", "end", "plan", "agencies", "description", "results"]
    detail_parts = ["antipoaching/_operation_patrols.html"]
    select_related_fields = ("owner_agency", "plan")
    prefetch_related_fields = ("agencies",)

    def detail_context(self, record, principal):
        patrols = Patrol.objects.visible_to(principal).filter(operation=record).select_related("owner_agency")
        return {"patrols": patrols}


class PatrolListView(ExportListView):
    export_rows = staticmethod(export_rows.patrol_rows)
    export_label = "patrols"


class PatrolPages(RecordPages):
    model = Patrol
    prefix = "patrol"
    filterset_class = PatrolFilterSet
    columns = [
        Column("__str__", label=_("Patrol"), link=True),
        "start",
        "mandate",
        "distance_km",
        "patrol_days",
        "person_days",
        "owner_agency.code",
    ]
    form_class = PatrolForm
    actions = ("list", "create", "edit")
    list_view = PatrolListView
    list_template = "antipoaching/pages/export_list.html"
    select_related_fields = ("owner_agency", "protected_area")


class IncidentListView(ExportListView):
    export_rows = staticmethod(export_rows.incident_rows)
    export_label = "incidents"


class IncidentPages(RecordPages):
    model = Incident
    prefix = "incident"
    filterset_class = IncidentFilterSet
    columns = [
        Column("__str__", label=_("Incident"), link=True),
        "occurred_on",
        "incident_type",
        "is_seizure",
        "status",
        "owner_agency.code",
    ]
    form_class = IncidentForm
    actions = ("list", "create", "edit")
    list_view = IncidentListView
    list_template = "antipoaching/pages/export_list.html"
    reference_field = "reference"  # incident-lookup: the case reference picker's suggestions
    select_related_fields = ("owner_agency", "incident_type", "species")


class AlertPages(RecordPages):
    """Create and edit only: the alert list and detail show receipts and urgency (views.py)."""

    model = Alert
    prefix = "alert"
    form_class = AlertForm
    actions = ("create", "edit")


def urls():
    return [
        *PlanPages().urls,
        *OperationPages().urls,
        *PatrolPages().urls,
        *IncidentPages().urls,
        *AlertPages().urls,
    ]
