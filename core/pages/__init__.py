"""The generic record page set: one declaration gives an app its list, detail, create, edit
(and, where declared, delete) pages with URL patterns, on the portal's access policy.

In the spirit of Wagtail's ModelViewSet and NetBox's register_model_view:

    class VisitPages(RecordPages):
        model = ExchangeVisit
        prefix = "exchange-visit"                   # url names exchange-visit-list, -detail, ...
        filterset_class = ExchangeVisitFilterSet      # the same one the API uses
        columns = [Column("title", link=True), "topic", "host_agency", "start_date"]
        fields = VISIT_FIELDS                         # or form_class = VisitForm
        detail_fields = ["topic", "host_agency", "start_date", "end_date", "purpose"]
        children = [ChildSection("members", ["name", "agency", "is_leader"], title=_("Members"))]

    urlpatterns = [*VisitPages().urls, ...]            # in the app's urls.py (app_name set there)

The views are the bases of core/views_base.py (visible_to, can_edit, audited reads, read-only
accounts refused), so the page set adds no access rule of its own. Views reverse their sibling
pages in the namespace they were reached under, so the same declaration works in a test urlconf.
"""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.generic import DeleteView

from core.access import can_edit
from core.pages.display import Column, cell, display_value, field_label
from core.views_base import (
    PortalCreateView,
    PortalDetailView,
    PortalListView,
    PortalUpdateView,
    PrincipalViewMixin,
    edit_title,
    new_title,
)

__all__ = ["ChildSection", "Column", "RecordPages"]


class ChildSection:
    """Rows hanging off the record (targets of a plan, members of a visit), shown as a table.

    accessor: the related manager's name on the record (or a callable(record, principal) giving
    rows); columns as in RecordPages.columns; template: a partial that replaces the table and gets
    `section`, `rows` and `object` (e.g. to add an inline form).
    """

    def __init__(self, accessor, columns=(), *, title=None, template=None, empty=None):
        self.accessor = accessor
        self.columns = [c if isinstance(c, Column) else Column(c) for c in columns]
        self.title = title
        self.template = template
        self.empty = empty

    def rows(self, record, principal):
        if callable(self.accessor):
            return list(self.accessor(record, principal))
        return list(getattr(record, self.accessor).all())

    def render_data(self, record, principal):
        rows = self.rows(record, principal)
        model = rows[0].__class__ if rows else None
        if model is None and not callable(self.accessor):
            model = getattr(type(record), self.accessor).rel.related_model
        return {
            "section": self,
            "title": self.title or (capfirst(model._meta.verbose_name_plural) if model else ""),
            "headers": [c.header(model) for c in self.columns],
            "rows": [[cell(row, c, None) for c in self.columns] for row in rows],
            "objects": rows,
            "empty": self.empty or _("None yet."),
        }


class _PageMixin:
    pages = None  # the RecordPages instance, set by RecordPages.view_class

    def page_url(self, action, *args):
        namespace = self.request.resolver_match.namespace if self.request.resolver_match else ""
        name = f"{self.pages.prefix}-{action}"
        return reverse(f"{namespace}:{name}" if namespace else name, args=args)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        context.update(
            pages=self.pages,
            verbose_name=opts.verbose_name,
            verbose_name_plural=opts.verbose_name_plural,
            list_url=self.page_url("list"),
            can_create="create" in self.pages.actions and self.pages.can_create(self.principal),
            create_url=self.page_url("create") if "create" in self.pages.actions else None,
        )
        return context


class RecordListView(_PageMixin, PortalListView):
    def get_queryset(self):
        queryset = super().get_queryset()
        self.ordering_param = self.request.GET.get("ordering", "")
        key = self.ordering_param.lstrip("-")
        if key and key in self.pages.sortable_keys():
            queryset = queryset.order_by(self.ordering_param, "pk")
        else:
            self.ordering_param = ""
        return queryset

    def get_template_names(self):
        return [self.pages.list_template or "core/pages/list.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sortable = self.pages.sortable_keys()
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("ordering", None)
        base = query.urlencode()
        headers = []
        for column in self.pages.get_columns():
            header = column.header(self.model)
            key = column.sort_key(self.model)
            if key in sortable:
                descending = self.ordering_param == key
                header["sort_url"] = "?" + (base + "&" if base else "") + f"ordering={'-' if descending else ''}{key}"
                header["sorted"] = (
                    "asc" if self.ordering_param == key else "desc" if self.ordering_param == f"-{key}" else ""
                )
            headers.append(header)
        detail = self.pages.prefix + "-detail"
        namespace = self.request.resolver_match.namespace
        detail_name = f"{namespace}:{detail}" if namespace else detail
        context.update(
            headers=headers,
            rows=[
                [
                    cell(obj, column, reverse(detail_name, args=[obj.pk]) if column.link else None)
                    for column in self.pages.get_columns()
                ]
                for obj in context["object_list"]
            ],
            page_title=capfirst(self.model._meta.verbose_name_plural),
            ordering=self.ordering_param,
        )
        return context


class RecordDetailView(_PageMixin, PortalDetailView):
    def get_template_names(self):
        return [self.pages.detail_template or "core/pages/detail.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record, principal = self.object, self.principal
        context.update(
            page_title=str(record),
            record_fields=[
                {"name": name, "label": field_label(self.model, name), "value": display_value(record, name)}
                for name in self.pages.get_detail_fields()
            ],
            detail_parts=self.pages.detail_parts,
            children=[section.render_data(record, principal) for section in self.pages.children],
            edit_url=self.page_url("edit", record.pk) if "edit" in self.pages.actions else None,
            delete_url=(
                self.page_url("delete", record.pk)
                if "delete" in self.pages.actions and context["can_edit"] and principal.can_write
                else None
            ),
        )
        context.update(self.pages.detail_context(record, principal))
        return context


class _RecordFormMixin(_PageMixin):
    def get_form_class(self):
        if self.pages.form_class is not None:
            return self.pages.form_class
        return super().get_form_class()

    def get_template_names(self):
        return [self.pages.form_template or "core/record_form.html"]

    def get_success_url(self):
        return self.page_url("detail", self.object.pk)


class RecordCreateView(_RecordFormMixin, PortalCreateView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.principal.can_write:
            raise PermissionDenied(_("Your account is read-only."))
        if request.user.is_authenticated and not self.pages.can_create(self.principal):
            raise PermissionDenied(
                _("Your account may not create a %(model)s.") % {"model": self.model._meta.verbose_name}
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.pages.create_title()
        context["cancel_url"] = self.page_url("list")
        return context


class RecordUpdateView(_RecordFormMixin, PortalUpdateView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.principal.can_write:
            raise PermissionDenied(_("Your account is read-only."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.pages.edit_title(self.object)
        context["cancel_url"] = self.page_url("detail", self.object.pk)
        return context


class RecordDeleteView(_PageMixin, PrincipalViewMixin, DeleteView):
    template_name = "core/pages/confirm_delete.html"

    def get_queryset(self):
        queryset = self.model.objects
        return queryset.visible_to(self.principal) if hasattr(queryset, "visible_to") else queryset.all()

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not self.principal.can_write:
            raise PermissionDenied(_("Your account is read-only."))
        if hasattr(obj, "owner_agency_id") and not can_edit(self.principal, obj):
            raise PermissionDenied(_("Only the owning agency may delete this record."))
        if not hasattr(obj, "owner_agency_id") and not self.principal.is_superuser:
            raise PermissionDenied(_("Only an administrator may delete this record."))
        return obj

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.pages.delete_title(self.object)
        context["cancel_url"] = self.page_url("detail", self.object.pk)
        return context

    def form_valid(self, form):
        label = str(self.object)
        try:
            with transaction.atomic():
                self.pages.delete(self.object, self.principal)
        except ProtectedError:
            messages.error(
                self.request, _("%(record)s is still used by other records and was not deleted.") % {"record": label}
            )
            return redirect(self.page_url("detail", self.object.pk))
        messages.success(self.request, _("Deleted: %(record)s.") % {"record": label})
        return redirect(self.page_url("list"))


def lookup_view(pages):
    """JSON for the reference picker: [{"value": reference, "label": text}], only visible records."""
    from core.access import principal_for

    def view(request):
        if not request.user.is_authenticated:
            return JsonResponse({"detail": _("Log in first.")}, status=403)
        principal = principal_for(request)
        field = pages.reference_field
        queryset = pages.model.objects
        queryset = queryset.visible_to(principal) if hasattr(queryset, "visible_to") else queryset.all()
        term = request.GET.get("q", "").strip()[:100]
        if term:
            queryset = queryset.filter(**{f"{field}__icontains": term})
        results = [
            {"value": getattr(obj, field), "label": str(obj)} for obj in queryset.order_by(field)[: pages.lookup_limit]
        ]
        return JsonResponse({"results": results})

    return view


class RecordPages:
    """Declare a model's pages; `urls` gives the URL patterns. Override methods for what is special."""

    model = None
    prefix = None  # url names <prefix>-list, -detail, -create, -edit, -delete, -lookup
    path = None  # url path, default "<prefix>s/"
    filterset_class = None
    columns = ()  # field names (or "a.b" paths) or Column objects; the first links by default
    ordering_fields = None  # sortable keys; None: every column backed by a concrete field
    form_class = None
    fields = None  # used when there is no form_class; translated fields expand to 3 languages
    detail_fields = None  # None: the form's fields
    detail_parts = ()  # templates included on the detail page after the fields (get the context)
    children = ()  # ChildSection objects
    actions = ("list", "detail", "create", "edit")  # add "delete" to offer deletion
    reference_field = None  # a unique human reference ("case_reference"): adds <prefix>-lookup
    lookup_limit = 20
    paginate_by = 50
    select_related_fields = ()
    prefetch_related_fields = ()
    list_template = detail_template = form_template = None

    list_view = RecordListView
    detail_view = RecordDetailView
    create_view = RecordCreateView
    edit_view = RecordUpdateView
    delete_view = RecordDeleteView

    def __init__(self, **overrides):
        for key, value in overrides.items():
            if not hasattr(type(self), key):
                raise TypeError(f"{type(self).__name__} has no attribute {key!r}")
            setattr(self, key, value)
        if self.model is None or not self.prefix:
            raise TypeError("RecordPages needs a model and a prefix")

    # --- declarations read by the views ---------------------------------------------------------

    def get_columns(self):
        columns = [c if isinstance(c, Column) else Column(c) for c in (self.columns or ["__str__"])]
        if not any(c.link for c in columns):
            columns[0] = columns[0].linked()
        return columns

    def sortable_keys(self):
        if self.ordering_fields is not None:
            return set(self.ordering_fields)
        keys = set()
        for column in self.get_columns():
            key = column.sort_key(self.model)
            if key:
                keys.add(key)
        return keys

    def get_detail_fields(self):
        if self.detail_fields is not None:
            return list(self.detail_fields)
        names = list(self.fields or (self.form_class._meta.fields if self.form_class else []) or [])
        return [n for n in names if _is_field(self.model, n)]

    def can_create(self, principal):
        """Who sees the "New" button and may open the create page; default: any writing account."""
        return principal.can_write

    def detail_context(self, record, principal):
        """Extra context for the detail page (figures, maps); override."""
        return {}

    def delete(self, record, principal):
        """Delete a record; override to call the app's service (cancel obligations, ...)."""
        record.delete()

    # --- titles, in the user's language ---------------------------------------------------------

    def create_title(self):
        return new_title(self.model._meta.verbose_name)

    def edit_title(self, record):
        return edit_title(self.model._meta.verbose_name, record)

    def delete_title(self, record):
        return _("Delete %(model)s %(record)s") % {"model": self.model._meta.verbose_name, "record": record}

    # --- views and urls -----------------------------------------------------------------------

    def view_class(self, action):
        base = {
            "list": self.list_view,
            "detail": self.detail_view,
            "create": self.create_view,
            "edit": self.edit_view,
            "delete": self.delete_view,
        }[action]
        attrs = {
            "pages": self,
            "model": self.model,
            "select_related_fields": tuple(self.select_related_fields),
            "prefetch_related_fields": tuple(self.prefetch_related_fields),
        }
        if action == "list":
            attrs.update(filterset_class=self.filterset_class, paginate_by=self.paginate_by)
        if action in ("create", "edit"):
            attrs.update(fields=None if self.form_class else list(self.fields or []), form_class=self.form_class)
        return type(f"{self.model.__name__}{action.capitalize()}View", (base,), attrs)

    def get_urls(self):
        root = self.path if self.path is not None else f"{self.prefix}s/"
        patterns = []
        routes = {
            "list": "",
            "create": "new/",
            "detail": "<pk>/",
            "edit": "<pk>/edit/",
            "delete": "<pk>/delete/",
        }
        pk_converter = "uuid" if isinstance(self.model._meta.pk, models.UUIDField) else "int"
        for action in ("list", "create", "detail", "edit", "delete"):
            if action not in self.actions:
                continue
            route = root + routes[action].replace("<pk>", f"<{pk_converter}:pk>")
            patterns.append(path(route, self.view_class(action).as_view(), name=f"{self.prefix}-{action}"))
        if self.reference_field:
            patterns.append(path(root + "lookup/", lookup_view(self), name=f"{self.prefix}-lookup"))
        return patterns

    @property
    def urls(self):
        return self.get_urls()


def _is_field(model, name):
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
