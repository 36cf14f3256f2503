"""Survey pages."""

from django.utils.translation import gettext_lazy

from core.views_base import PortalCreateView, PortalDetailView, PortalUpdateView

from .. import filters, services
from ..models import (
    Survey,
)
from .base import TableListView

# --- surveys ------------------------------------------------------------------------------------

SURVEY_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "name",
    "description",
    "kind",
    "method",
    "participating_agencies",
    "protocol_version",
    "protected_area",
    "start_date",
    "end_date",
]


class SurveyListView(TableListView):
    model = Survey
    filterset_class = filters.SurveyFilterSet
    title = gettext_lazy("Surveys")
    create_url_name = "monitoring:survey-create"
    select_related_fields = ("owner_agency",)
    columns = (
        (gettext_lazy("Name"), lambda o: o.name),
        (gettext_lazy("Kind"), lambda o: o.get_kind_display()),
        (gettext_lazy("Method"), lambda o: o.get_method_display()),
        (gettext_lazy("Start"), lambda o: o.start_date),
        (gettext_lazy("End"), lambda o: o.end_date or "—"),
        (gettext_lazy("Owner"), lambda o: o.owner_agency.code),
    )


class SurveyDetailView(PortalDetailView):
    model = Survey
    template_name = "monitoring/survey_detail.html"
    select_related_fields = ("owner_agency", "protocol_version__protocol")
    prefetch_related_fields = ("participating_agencies",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = services.joint_survey_report(self.principal, self.object)
        return context


class SurveyCreateView(PortalCreateView):
    model = Survey
    fields = SURVEY_FIELDS
    template_name = "core/record_form.html"


class SurveyUpdateView(PortalUpdateView):
    model = Survey
    fields = SURVEY_FIELDS
    template_name = "core/record_form.html"
