"""Page view bases for every app: lists with the app's FilterSet, detail, create and edit.

They apply the same access policy as the API: the queryset is `visible_to(principal)`, edits
need `can_edit`, and opening a restricted record is audited.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from core.access import can_edit, principal_for
from core.audit import record_read
from core.forms import expand_translated


class PrincipalViewMixin(LoginRequiredMixin):
    @property
    def principal(self):
        return principal_for(self.request)


class PortalListView(PrincipalViewMixin, ListView):
    """Set `model`, `filterset_class` (the same one the API uses) and `template_name`."""

    filterset_class = None
    paginate_by = 50
    select_related_fields = ()
    prefetch_related_fields = ()

    def base_queryset(self):
        queryset = self.model.objects
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(self.principal)
        else:
            queryset = queryset.all()
        return queryset.select_related(*self.select_related_fields).prefetch_related(*self.prefetch_related_fields)

    def get_queryset(self):
        queryset = self.base_queryset()
        if self.filterset_class:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
            queryset = self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset
        else:
            self.filterset = None
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.filterset is not None:
            from core.widgets import apply_portal_widgets

            apply_portal_widgets(self.filterset.form)  # date pickers in the filter form too
        context["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        return context


class PortalDetailView(PrincipalViewMixin, DetailView):
    select_related_fields = ()
    prefetch_related_fields = ()

    def get_queryset(self):
        queryset = self.model.objects
        queryset = queryset.visible_to(self.principal) if hasattr(queryset, "visible_to") else queryset.all()
        return queryset.select_related(*self.select_related_fields).prefetch_related(*self.prefetch_related_fields)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        record_read(obj, self.principal)
        return obj

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = hasattr(self.object, "owner_agency_id") and can_edit(self.principal, self.object)
        context["history"] = record_history(self.principal, self.object)
        return context


def record_history(principal, record, limit=20):
    """The audit trail of a record, for its owning agency (who changed it, who read it) and admins."""
    owner_id = getattr(record, "owner_agency_id", None)
    if not (principal.is_superuser or (owner_id and owner_id == principal.agency_id)):
        return None
    from django.contrib.contenttypes.models import ContentType

    from core.models import ObjectChange

    return list(
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=str(record.pk)
        )
        .select_related("user", "agency", "api_key")
        .order_by("-time")[:limit]
    )


def new_title(model_name):
    return capfirst(_("new %(model)s") % {"model": model_name})


def edit_title(model_name, record):
    return _("Edit %(model)s %(record)s") % {"model": model_name, "record": record}


class _PortalFormMixin(PrincipalViewMixin):
    """`fields` may name translated fields; they expand into the three language columns."""

    def get_form_class(self):
        if self.fields is not None and self.form_class is None:
            from django.forms import modelform_factory

            from core.forms import SharedRecordForm

            return modelform_factory(
                self.model, form=SharedRecordForm, fields=expand_translated(self.model, self.fields)
            )
        return super().get_form_class()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["principal"] = self.principal
        return kwargs

    def get_form(self, form_class=None):
        # Date pickers, list inputs and map pickers for every page form, whatever its base.
        from core.widgets import apply_portal_widgets

        form = super().get_form(form_class)
        if getattr(form, "principal", None) is None:
            form.principal = self.principal
        return apply_portal_widgets(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("page_title", self.page_title())
        return context

    def page_title(self):
        """What is being created or edited, from the model's verbose_name, in the user's language."""
        model_name = self.model._meta.verbose_name
        if getattr(self, "object", None) is not None and self.object.pk:
            return edit_title(model_name, self.object)
        return new_title(model_name)

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
        messages.success(self.request, _("Saved."))
        return response


class PortalCreateView(_PortalFormMixin, CreateView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not principal_for(request).can_write:
            raise PermissionDenied(_("Your account is read-only."))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        if hasattr(form.instance, "created_by_id") and self.request.user.pk:
            form.instance.created_by = self.request.user
        return super().form_valid(form)


class PortalUpdateView(_PortalFormMixin, UpdateView):
    def get_queryset(self):
        queryset = self.model.objects
        return queryset.visible_to(self.principal) if hasattr(queryset, "visible_to") else queryset.all()

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if hasattr(obj, "owner_agency_id") and not can_edit(self.principal, obj):
            raise PermissionDenied(_("Only the owning agency may change this record."))
        return obj
