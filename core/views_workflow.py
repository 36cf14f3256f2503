"""The workflow on pages: one POST URL for every registered model and a context for detail pages.

A detail page shows the buttons and the history with

    context["workflow"] = workflow_context(request, record)        # or WorkflowDetailMixin
    {% include "core/_workflow.html" %}

and every button posts to `core:workflow-transition`, which performs the step through the same
`perform()` as the API and the admin, then redirects back with a message.
"""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import principal_for
from core.models import Country
from core.workflow import StaleRevision, TransitionError, workflow_for
from core.workflow.approvals import approvals_in


def _model_key(record):
    return type(record)._meta.label_lower


class _Step:
    """One button: the transition, its URL and the form of its extra inputs."""

    def __init__(self, transition, url):
        self.name = transition.name
        self.label = transition.label
        self.style = transition.style
        self.note_required = transition.note_required
        self.is_approval = transition.is_approval
        self.url = url
        self.form = transition.form_class(prefix=None) if transition.form_class else None


def history_rows(workflow, steps):
    """The steps with their translated labels, ready for the template (no further queries)."""

    def field_label(name):
        try:
            field = workflow.model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        if field.one_to_many or (field.auto_created and not field.concrete):
            return str(field.related_model._meta.verbose_name_plural)  # child rows: "plan targets"
        return str(field.verbose_name)

    for step in steps:
        step.change_labels = [field_label(name) for name in step.changes or []]
        step.country_label = Country(step.country).label if step.country in Country.values else step.country
        step.label = workflow.transition_label(step.transition)
        step.from_label = workflow.status_label(step.from_status)
        step.to_label = workflow.status_label(step.to_status)
    return steps


def workflow_context(request, record, principal=None):
    """What `core/_workflow.html` shows for `record`, or None when it has no workflow."""
    workflow = workflow_for(record)
    if workflow is None:
        return None
    principal = principal or principal_for(request)
    key = _model_key(record)
    steps = [
        _Step(t, reverse("core:workflow-transition", args=[key, record.pk, t.name]))
        for t in workflow.available_transitions(record, principal)
    ]
    history = history_rows(workflow, list(workflow.history(record)))
    return {
        "record": record,
        "status": workflow.status_of(record),
        "status_label": workflow.status_label(workflow.status_of(record)),
        "revision": record.revision,
        "steps": steps,
        "history": history,
        "approvals": approvals_in(history, workflow.review_status) if workflow.review_status else [],
        "closed": workflow.status_of(record) in workflow.closed,
        "next": request.get_full_path() if request is not None else "",
    }


class WorkflowDetailMixin:
    """For a PortalDetailView: adds `workflow` to the context."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["workflow"] = workflow_context(self.request, self.object, principal_for(self.request))
        return context


def _back(request, record):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    if hasattr(record, "get_absolute_url"):
        return record.get_absolute_url()
    return reverse("core:dashboard")


@login_required
@require_POST
def transition_view(request, model, pk, transition):
    try:
        model_class = apps.get_model(model)
    except (LookupError, ValueError):
        raise Http404
    workflow = workflow_for(model_class)
    if workflow is None:
        raise Http404
    principal = principal_for(request)
    queryset = model_class.objects.visible_to(principal) if hasattr(model_class.objects, "visible_to") else None
    if queryset is None:
        raise Http404
    try:
        record = get_object_or_404(queryset, pk=pk)
    except ValidationError:
        raise Http404  # not a valid id for this model
    back = _back(request, record)
    try:
        step = workflow.transition(transition)
    except TransitionError:
        raise Http404
    revision = request.POST.get("revision") or None
    if revision is not None and not str(revision).isdigit():
        revision = None
    params = {}
    if step.form_class is not None:
        form = step.form_class(data=request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
            return HttpResponseRedirect(back)
        params = form.cleaned_data
    try:
        workflow.perform(
            record, transition, principal, revision=revision, note=request.POST.get("note", ""), params=params
        )
    except StaleRevision as exc:
        messages.warning(request, exc.text)
    except ValidationError as exc:  # TransitionError, or a rule a hook enforced
        messages.error(request, " ".join(str(m) for m in exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": step.label})
    return HttpResponseRedirect(back)
