"""What the monitoring pages share: table lists, the viewer's locations, decisions sent from a page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.views_base import PortalListView

from .. import services


def fmt_point(lat, lon):
    if lat is None or lon is None:
        return "—"
    return f"{lat:.6f}, {lon:.6f}".rstrip("0")


class TableListView(PortalListView):
    """A list page drawn from `columns`: [(label, accessor(obj) -> text)]."""

    template_name = "monitoring/list.html"
    columns = ()
    title = ""
    create_url_name = None
    ordering_choices = ()

    def get_queryset(self):
        queryset = super().get_queryset()
        order = self.request.GET.get("order")
        if order and order.lstrip("-") in dict(self.ordering_choices):
            queryset = queryset.order_by(order, "pk")
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["headers"] = [label for label, _accessor in self.columns]
        context["rows"] = [
            (obj.get_absolute_url(), [accessor(obj) for _label, accessor in self.columns])
            for obj in context["object_list"]
        ]
        context["create_url"] = (
            reverse(self.create_url_name) if self.create_url_name and self.principal.can_write else None
        )
        context["ordering_choices"] = self.ordering_choices
        return context


class LocationListMixin:
    location_prefix = ""

    def base_queryset(self):
        return services.annotate_view_location(super().base_queryset(), self.principal, self.location_prefix)


def post_decision(request, record, decide):
    """Run a reviewer's decision sent from a page; a refused decision becomes an error message."""
    try:
        decide(request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return HttpResponseRedirect(record.get_absolute_url())


class AfterSaveMixin:
    """Create/edit pages: `after_save(form)` calls the services that keep derived fields, in the
    same transaction as the save (model save() has no side effects)."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            self.after_save(form)
        return response

    def after_save(self, form):
        pass
