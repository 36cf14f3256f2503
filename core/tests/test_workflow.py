"""The shared workflow (core.workflow) on a real model: a joint action plan, on PostgreSQL.

The workflow is declared here, as a topic app would declare it, and registered for the tests only.
"""

import datetime
from importlib import import_module

import pytest
from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.routers import DefaultRouter

from antipoaching.models import ActionPlan, PlanTarget
from core.access import Principal
from core.api.serializers import SharedRecordSerializer
from core.api.views import SharedRecordViewSet
from core.api.workflow import StatusHistoryField, WorkflowViewSetMixin
from core.models import ObjectChange, Role, StatusChange
from core.tests.factories import make_api_key, make_member
from core.views_workflow import workflow_context
from core.workflow import (
    Approval,
    StaleRevision,
    Transition,
    TransitionError,
    Workflow,
    approvals,
    approved_by_each_country,
    approved_countries,
    assert_editable,
    content_changed,
    not_before,
    owner_only,
    perform,
    register,
    unregister,
    watch,
    workflow_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CONTENT = ("title", "objectives", "period_start", "period_end", "participating_agencies", "targets")


def participants(plan):
    return plan.participating_agencies.all()


def plan_countries(plan):
    countries = {a.country for a in plan.participating_agencies.all()}
    return (countries & {"CN", "RU"}) or countries


def has_participants(principal, plan):
    if not plan.participating_agencies.exists():
        return _("List the participating agencies first.")
    return None


class EvaluationForm(forms.Form):
    evaluation_en = forms.CharField(label=_("evaluation (English)"))


def write_evaluation(ctx):
    ctx.updates["evaluation_en"] = ctx.params["evaluation_en"]


class PlanFlow(Workflow):
    model = ActionPlan
    review_status = "under_review"
    frozen = {"under_review": CONTENT, "approved": CONTENT, "active": CONTENT}
    locked = {"active": ("owner_agency",)}
    closed = ("completed", "evaluated")
    transitions = [
        Transition("submit", "draft", "under_review", label=_("Submit"), guards=[owner_only, has_participants]),
        Approval(
            "approve", "under_review", "approved", label=_("Approve"), countries=plan_countries, approvers=participants
        ),
        Transition("return", ("under_review", "approved"), "draft", label=_("Return"), guards=[owner_only]),
        Transition(
            "activate",
            "approved",
            "active",
            label=_("Start"),
            guards=[owner_only, approved_by_each_country(plan_countries)],
        ),
        Transition(
            "complete", "active", "completed", label=_("Complete"), guards=[owner_only, not_before("period_end")]
        ),
        Transition(
            "evaluate",
            "completed",
            "evaluated",
            label=_("Evaluate"),
            guards=[owner_only],
            form_class=EvaluationForm,
            before=[write_evaluation],
            requires_revision=True,
        ),
    ]


@pytest.fixture(autouse=True)
def plan_flow():
    previous = workflow_for(ActionPlan)
    register(PlanFlow)
    yield workflow_for(ActionPlan)
    unregister(ActionPlan)
    if previous is not None:
        register(type(previous))


# --- the API of the test: a viewset with the mixin, mounted beside the real URLs --------------


class PlanFlowSerializer(SharedRecordSerializer):
    status_history = StatusHistoryField()

    class Meta:
        model = ActionPlan
        fields = (*SharedRecordSerializer.shared_fields, "title", "status", "status_history")
        read_only_fields = ("status",)


class PlanFlowViewSet(WorkflowViewSetMixin, SharedRecordViewSet):
    model = ActionPlan
    serializer_class = PlanFlowSerializer
    filterset_class = None


router = DefaultRouter()
router.register("plans", PlanFlowViewSet, basename="wf-plan")
urlpatterns = [path("api/v1/wf-test/", include(router.urls))] + import_module(settings.ROOT_URLCONF).urlpatterns

API = "/api/v1/wf-test/plans/"


# --- data ---------------------------------------------------------------------------------


@pytest.fixture
def cn_coordinator(cn_agency):
    return make_member(cn_agency, Role.AGENCY_COORDINATOR)


@pytest.fixture
def ru_coordinator(ru_agency):
    return make_member(ru_agency, Role.AGENCY_COORDINATOR)


@pytest.fixture
def plan(cn_agency, ru_agency):
    today = timezone.localdate()
    plan = ActionPlan.objects.create(
        owner_agency=cn_agency,
        title_en="Winter joint patrols",
        objectives_en="Remove snares along the border",
        period_start=today - datetime.timedelta(days=60),
        period_end=today + datetime.timedelta(days=300),
    )
    plan.participating_agencies.set([cn_agency, ru_agency])
    return ActionPlan.objects.get(pk=plan.pk)


def who(user):
    return Principal.for_user(user)


def submitted(plan, cn_staff):
    return perform(plan, "submit", who(cn_staff))


def approved(plan, cn_staff, cn_coordinator, ru_coordinator):
    submitted(plan, cn_staff)
    perform(plan, "approve", who(cn_coordinator))
    return perform(plan, "approve", who(ru_coordinator))


def steps(plan):
    return list(workflow_for(plan).history(plan))


# --- perform ------------------------------------------------------------------------------


def test_perform_moves_status_bumps_revision_once_and_records_the_step(plan, cn_staff):
    revision = plan.revision
    result = perform(plan, "submit", who(cn_staff), revision=revision, note="Ready")
    stored = ActionPlan.objects.get(pk=plan.pk)
    assert stored.status == "under_review" and result.status == "under_review"
    assert stored.revision == revision + 1 == plan.revision == result.revision
    (step,) = steps(plan)
    assert (step.transition, step.from_status, step.to_status) == ("submit", "draft", "under_review")
    assert step.user == cn_staff and step.agency == cn_staff.membership.agency and step.api_key is None
    assert step.revision == revision and step.note == "Ready" and not step.is_approval
    # The queryset update still leaves its trace in the audit log.
    entry = ObjectChange.objects.filter(object_id=str(plan.pk), action="update").latest("time")
    assert entry.changed_fields == ["status"] and entry.user == cn_staff


def test_api_key_principal_is_recorded(plan, cn_agency):
    key, _raw = make_api_key(cn_agency)
    perform(plan, "submit", Principal.for_api_key(key))
    (step,) = steps(plan)
    assert step.api_key == key and step.user is None and step.agency == cn_agency


def test_guard_refusal_changes_nothing(plan, ru_staff):
    with pytest.raises(TransitionError) as refused:
        perform(plan, "submit", who(ru_staff))
    assert refused.value.code == "guard"
    assert "owning agency" in refused.value.text
    stored = ActionPlan.objects.get(pk=plan.pk)
    assert stored.status == "draft" and stored.revision == plan.revision and steps(plan) == []


def test_guard_reason_without_participants(cn_agency, cn_staff):
    empty = ActionPlan.objects.create(
        owner_agency=cn_agency,
        title_en="Alone",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 2, 1),
    )
    with pytest.raises(TransitionError, match="participating agencies"):
        perform(empty, "submit", who(cn_staff))


def test_wrong_source_is_refused(plan, cn_staff):
    with pytest.raises(TransitionError) as refused:
        perform(plan, "activate", who(cn_staff))
    assert refused.value.code == "state"
    assert "Draft" in refused.value.text
    assert ActionPlan.objects.get(pk=plan.pk).status == "draft"


def test_unknown_transition_is_refused(plan, cn_staff):
    with pytest.raises(TransitionError) as refused:
        perform(plan, "teleport", who(cn_staff))
    assert refused.value.code == "unknown"


def test_stale_revision_is_refused(plan, cn_staff):
    seen = plan.revision
    other = ActionPlan.objects.get(pk=plan.pk)
    other.objectives_en = "Changed by someone else"
    other.save()
    with pytest.raises(StaleRevision) as stale:
        perform(plan, "submit", who(cn_staff), revision=seen)
    assert "changed since you opened it" in stale.value.text
    assert ActionPlan.objects.get(pk=plan.pk).status == "draft" and steps(plan) == []


def test_a_decision_that_requires_the_revision_refuses_without_it(plan, cn_staff, cn_coordinator, ru_coordinator):
    approved(plan, cn_staff, cn_coordinator, ru_coordinator)
    ActionPlan.objects.filter(pk=plan.pk).update(status="completed")
    with pytest.raises(TransitionError) as refused:
        perform(plan, "evaluate", who(cn_staff), params={"evaluation_en": "Good"})
    assert refused.value.code == "revision_required"


def test_available_transitions_follow_state_and_guards(plan, cn_staff, ru_staff, cn_coordinator):
    flow = workflow_for(plan)
    assert [t.name for t in flow.available_transitions(plan, who(cn_staff))] == ["submit"]
    assert flow.available_transitions(plan, who(ru_staff)) == []
    assert flow.available_transitions(plan, Principal.anonymous()) == []
    submitted(plan, cn_staff)
    assert [t.name for t in flow.available_transitions(plan, who(cn_coordinator))] == ["approve", "return"]


# --- approvals ----------------------------------------------------------------------------


def test_approval_needs_one_coordinator_of_each_country(plan, cn_agency, cn_staff, cn_coordinator, ru_coordinator):
    submitted(plan, cn_staff)
    perform(plan, "approve", who(cn_coordinator), note="China agrees")
    assert ActionPlan.objects.get(pk=plan.pk).status == "under_review"
    assert approved_countries(plan) == {"CN"}
    # A second Chinese coordinator may not approve again…
    second_cn = make_member(cn_agency, Role.AGENCY_COORDINATOR, username="cn_second_coordinator")
    with pytest.raises(TransitionError, match="already approved"):
        perform(plan, "approve", who(second_cn))
    # …and a second Chinese approval slipped into the history still counts once.
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(ActionPlan),
        object_id=str(plan.pk),
        transition="approve",
        from_status="under_review",
        to_status="under_review",
        is_approval=True,
        country="CN",
    )
    assert approved_by_each_country(plan_countries)(who(cn_staff), plan) is not None
    perform(plan, "approve", who(ru_coordinator))
    stored = ActionPlan.objects.get(pk=plan.pk)
    assert stored.status == "approved"
    last = steps(plan)[-1]
    assert last.is_approval and last.country == "RU" and last.to_status == "approved"
    assert approved_by_each_country(plan_countries)(who(cn_staff), stored) is None


def test_only_coordinators_of_participants_approve(plan, cn_staff, ngo_agency):
    submitted(plan, cn_staff)
    with pytest.raises(TransitionError, match="coordinator"):
        perform(plan, "approve", who(cn_staff))
    outsider = make_member(ngo_agency, Role.AGENCY_COORDINATOR)
    with pytest.raises(TransitionError, match="participating agency"):
        perform(plan, "approve", who(outsider))


def test_approvals_count_since_the_last_submission(plan, cn_staff, cn_coordinator):
    submitted(plan, cn_staff)
    perform(plan, "approve", who(cn_coordinator))
    perform(plan, "return", who(cn_staff))
    submitted(plan, cn_staff)
    assert approvals(plan) == []
    perform(plan, "approve", who(cn_coordinator))  # China may approve the new submission
    assert [a.country for a in approvals(plan)] == ["CN"]


# --- frozen and closed content ------------------------------------------------------------


def test_frozen_change_sends_back_to_review_voids_approvals_and_writes_history(
    plan, cn_staff, cn_coordinator, ru_coordinator
):
    plan = approved(plan, cn_staff, cn_coordinator, ru_coordinator)
    revision = plan.revision
    with watch(plan, who(cn_staff)):
        plan.objectives_en = "Remove snares, and also rewrite the approved targets"
        plan.save()
    stored = ActionPlan.objects.get(pk=plan.pk)
    assert stored.status == "under_review" and plan.status == "under_review"
    assert stored.revision == revision + 2 == plan.revision  # the edit, then the step back to review
    assert approvals(plan) == [] and approved_countries(plan) == set()
    assert StatusChange.objects.filter(object_id=str(plan.pk), is_approval=True, voided_at__isnull=True).count() == 0
    last = steps(plan)[-1]
    assert (last.transition, last.from_status, last.to_status) == ("content_changed", "approved", "under_review")
    assert last.changes == ["objectives"] and last.user == cn_staff
    # Both countries must approve the new content again.
    assert "Approval is still needed" in approved_by_each_country(plan_countries)(who(cn_staff), stored)


def test_frozen_children_and_links_are_watched(plan, cn_staff, cn_coordinator, ru_coordinator, ngo_agency):
    plan = approved(plan, cn_staff, cn_coordinator, ru_coordinator)
    flow = workflow_for(plan)
    from core.workflow import changed_fields, snapshot

    before = snapshot(plan)
    PlanTarget.objects.create(plan=plan, metric="patrols", value=10)
    plan.participating_agencies.add(ngo_agency)
    assert changed_fields(plan, before) == ["participating_agencies", "targets"]
    change = content_changed(plan, ["targets", "participating_agencies"], who(cn_staff), workflow=flow)
    assert change.changes == ["participating_agencies", "targets"]
    request = RequestFactory().get("/")
    request.user = cn_staff
    html = render_to_string("core/_workflow.html", {"workflow": workflow_context(request, plan)}, request=request)
    assert "Approved content changed" in html and "participating agencies" in html and "plan targets" in html


def test_change_outside_frozen_fields_keeps_the_approval(plan, cn_staff, cn_coordinator, ru_coordinator):
    plan = approved(plan, cn_staff, cn_coordinator, ru_coordinator)
    with watch(plan, who(cn_staff)):
        plan.sensitivity = "public"
        plan.save()
    assert ActionPlan.objects.get(pk=plan.pk).status == "approved"
    assert approved_countries(plan) == {"CN", "RU"}


def test_partial_approval_is_voided_by_a_change_in_review(plan, cn_staff, cn_coordinator, ru_coordinator):
    submitted(plan, cn_staff)
    perform(plan, "approve", who(cn_coordinator))
    content_changed(plan, ["title"], who(cn_staff))
    # Russia's approval alone must not approve content China has not seen.
    perform(plan, "approve", who(ru_coordinator))
    assert ActionPlan.objects.get(pk=plan.pk).status == "under_review"
    assert approved_countries(plan) == {"RU"}


def test_closed_record_refuses_every_edit(plan, cn_staff):
    ActionPlan.objects.filter(pk=plan.pk).update(status="completed")
    plan.refresh_from_db()
    with pytest.raises(TransitionError, match="can no longer be changed") as closed:
        assert_editable(plan)
    assert closed.value.code == "closed"
    with pytest.raises(TransitionError):
        with watch(plan, who(cn_staff)):
            plan.title_en = "Rewritten after the end"
            plan.save()
    assert ActionPlan.objects.get(pk=plan.pk).title_en == "Winter joint patrols"


def test_locked_field_is_refused(plan):
    ActionPlan.objects.filter(pk=plan.pk).update(status="active")
    plan.refresh_from_db()
    with pytest.raises(TransitionError, match="owning agency") as locked:
        assert_editable(plan, ["owner_agency"])
    assert locked.value.code == "locked"


def test_completion_waits_for_the_end_of_the_period(plan, cn_staff):
    ActionPlan.objects.filter(pk=plan.pk).update(status="active")
    plan.refresh_from_db()
    with pytest.raises(TransitionError, match=plan.period_end.isoformat()):
        perform(plan, "complete", who(cn_staff))
    ActionPlan.objects.filter(pk=plan.pk).update(period_end=timezone.localdate())
    assert perform(plan, "complete", who(cn_staff)).status == "completed"


# --- the API action -----------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_api_lists_the_callers_transitions(api_client, plan, cn_staff, ru_staff):
    api_client.force_authenticate(cn_staff)
    answer = api_client.get(f"{API}{plan.pk}/transitions/")
    assert answer.status_code == 200
    assert answer.data["status"] == "draft" and answer.data["revision"] == plan.revision
    assert [t["name"] for t in answer.data["transitions"]] == ["submit"]
    assert answer.data["transitions"][0]["url"].endswith(f"/plans/{plan.pk}/transitions/submit/")
    api_client.force_authenticate(ru_staff)
    assert api_client.get(f"{API}{plan.pk}/transitions/").data["transitions"] == []


@pytest.mark.urls(__name__)
def test_api_transition_200_400_409(api_client, plan, cn_staff, ru_staff):
    api_client.force_authenticate(ru_staff)
    refused = api_client.post(f"{API}{plan.pk}/transitions/submit/", {"note": "x"}, format="json")
    assert refused.status_code == 400 and "owning agency" in refused.data["detail"]
    api_client.force_authenticate(cn_staff)
    wrong = api_client.post(f"{API}{plan.pk}/transitions/activate/", {}, format="json")
    assert wrong.status_code == 400 and wrong.data["detail"].code == "state"
    stale = api_client.post(
        f"{API}{plan.pk}/transitions/submit/", {"revision": plan.revision + 5, "note": "x"}, format="json"
    )
    assert stale.status_code == 409 and "changed since you opened it" in stale.data["detail"]
    assert ActionPlan.objects.get(pk=plan.pk).status == "draft"
    bad = api_client.post(f"{API}{plan.pk}/transitions/submit/", {"revision": "three"}, format="json")
    assert bad.status_code == 400 and "revision" in bad.data
    done = api_client.post(
        f"{API}{plan.pk}/transitions/submit/", {"revision": plan.revision, "note": "Ready"}, format="json"
    )
    assert done.status_code == 200
    assert done.data["status"] == "under_review" and done["ETag"] == f'"{plan.pk}-{plan.revision + 1}"'
    (entry,) = done.data["status_history"]
    assert entry["transition"] == "submit" and entry["label"] == "Submit" and entry["user"] == cn_staff.username
    assert entry["revision"] == plan.revision and entry["note"] == "Ready"


@pytest.mark.urls(__name__)
def test_api_if_match_is_the_revision_seen(api_client, plan, cn_staff):
    api_client.force_authenticate(cn_staff)
    stale = api_client.post(f"{API}{plan.pk}/transitions/submit/", {}, format="json", HTTP_IF_MATCH=f'"{plan.pk}-99"')
    assert stale.status_code == 409


@pytest.mark.urls(__name__)
def test_api_transition_params_go_through_the_form(api_client, plan, cn_staff):
    ActionPlan.objects.filter(pk=plan.pk).update(status="completed")
    plan.refresh_from_db()
    api_client.force_authenticate(cn_staff)
    url = f"{API}{plan.pk}/transitions/evaluate/"
    missing = api_client.post(url, {"revision": plan.revision}, format="json")
    assert missing.status_code == 400 and "evaluation_en" in missing.data
    done = api_client.post(url, {"revision": plan.revision, "evaluation_en": "Targets met"}, format="json")
    assert done.status_code == 200 and done.data["status"] == "evaluated"
    assert ActionPlan.objects.get(pk=plan.pk).evaluation_en == "Targets met"


@pytest.mark.urls(__name__)
def test_api_read_only_key_and_invisible_record(api_client, plan, cn_agency, ngo_agency):
    _key, raw = make_api_key(cn_agency, read_only=True)
    answer = api_client.post(
        f"{API}{plan.pk}/transitions/submit/", {}, format="json", HTTP_AUTHORIZATION=f"Api-Key {raw}"
    )
    assert answer.status_code == 403
    ActionPlan.objects.filter(pk=plan.pk).update(sensitivity="owner")
    api_client.force_authenticate(make_member(ngo_agency, Role.AGENCY_STAFF))
    assert api_client.post(f"{API}{plan.pk}/transitions/submit/", {}, format="json").status_code == 404


@pytest.mark.urls(__name__)
def test_api_list_history_query_count_is_constant(
    api_client, plan, cn_agency, cn_staff, cn_coordinator, django_assert_max_num_queries
):
    api_client.force_authenticate(cn_staff)
    submitted(plan, cn_staff)
    perform(plan, "approve", who(cn_coordinator))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(API).status_code == 200
        return len(queries)

    few = count()
    for n in range(4):
        more = ActionPlan.objects.create(
            owner_agency=cn_agency,
            title_en=f"Plan {n}",
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
        )
        more.participating_agencies.set([cn_agency])
        perform(more, "submit", who(cn_staff))
    assert count() == few


def test_openapi_documents_the_actions():
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator(patterns=urlpatterns)
    schema = generator.get_schema(request=None, public=True)
    post = schema["paths"]["/api/v1/wf-test/plans/{id}/transitions/{transition}/"]["post"]
    assert "409" in post["responses"] and "400" in post["responses"]
    assert "revision" in schema["components"]["schemas"]["WorkflowStepRequestRequest"]["properties"]
    assert "/api/v1/wf-test/plans/{id}/transitions/" in schema["paths"]
    assert "StatusChange" in str(schema["components"]["schemas"]["PlanFlow"])


# --- the page action ----------------------------------------------------------------------


def _page_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_page_action_performs_and_redirects_back(plan, cn_staff):
    url = reverse("core:workflow-transition", args=["antipoaching.actionplan", plan.pk, "submit"])
    answer = _page_client(cn_staff).post(url, {"revision": plan.revision, "note": "From the page", "next": "/en/"})
    assert answer.status_code == 302 and answer["Location"] == "/en/"
    assert [str(m) for m in get_messages(answer.wsgi_request)] == ["Done: Submit."]
    assert steps(plan)[-1].note == "From the page"


def test_page_action_shows_refusals_as_messages(plan, cn_staff, ru_staff):
    url = reverse("core:workflow-transition", args=["antipoaching.actionplan", plan.pk, "submit"])
    stale = _page_client(cn_staff).post(url, {"revision": plan.revision + 1, "next": "http://evil.example/"})
    assert stale.status_code == 302 and stale["Location"] == plan.get_absolute_url()
    assert "changed since you opened it" in str(list(get_messages(stale.wsgi_request))[0])
    refused = _page_client(ru_staff).post(url, {"revision": plan.revision})
    assert "owning agency" in str(list(get_messages(refused.wsgi_request))[0])
    assert ActionPlan.objects.get(pk=plan.pk).status == "draft"


def test_page_action_unknown_model_record_or_step_is_404(plan, cn_staff, ngo_agency):
    client = _page_client(cn_staff)
    for args in (
        ["core.agency", plan.pk, "submit"],  # no workflow
        ["nope.model", plan.pk, "submit"],
        ["antipoaching.actionplan", "not-a-uuid", "submit"],
        ["antipoaching.actionplan", plan.pk, "teleport"],
    ):
        assert client.post(reverse("core:workflow-transition", args=args)).status_code == 404
    ActionPlan.objects.filter(pk=plan.pk).update(sensitivity="owner")
    outsider = _page_client(make_member(ngo_agency, Role.AGENCY_STAFF))
    url = reverse("core:workflow-transition", args=["antipoaching.actionplan", plan.pk, "submit"])
    assert outsider.post(url).status_code == 404
    assert client.get(url).status_code == 405


def test_partial_renders_buttons_with_revision_and_history(plan, cn_staff, cn_coordinator, ru_coordinator):
    submitted(plan, cn_staff)
    perform(plan, "approve", who(cn_coordinator), note="China agrees")
    plan.refresh_from_db()
    request = RequestFactory().get(plan.get_absolute_url())

    def page_for(user):
        request.user = user
        request._portal_principal = None
        return render_to_string("core/_workflow.html", {"workflow": workflow_context(request, plan)}, request=request)

    html = page_for(cn_coordinator)
    assert 'data-transition="approve"' not in html  # China already approved
    assert 'data-transition="return"' in html and f'name="revision" value="{plan.revision}"' in html
    html = page_for(ru_coordinator)
    assert 'data-transition="approve"' in html and 'data-transition="return"' not in html
    assert "China agrees" in html and "approval: China" in html


def test_history_listing_query_count_does_not_grow(plan, cn_staff):
    request = RequestFactory().get("/")
    request.user = cn_staff
    submitted(plan, cn_staff)

    def count():
        plan.refresh_from_db()
        request._portal_principal = None
        with CaptureQueriesContext(connection) as queries:
            context = workflow_context(request, plan)
            render_to_string("core/_workflow.html", {"workflow": context}, request=request)
        return len(queries), len(context["history"])

    first, rows = count()
    for _n in range(3):
        perform(plan, "return", who(cn_staff))
        perform(plan, "submit", who(cn_staff))
    second, more_rows = count()
    assert more_rows == rows + 6 and second == first


# --- the admin action ---------------------------------------------------------------------


def test_admin_action_uses_perform(plan, cn_staff, ru_staff):
    from django.contrib import admin as django_admin
    from django.contrib.messages.storage.fallback import FallbackStorage

    from core.admin_workflow import workflow_actions

    actions = {a.__name__: a for a in workflow_actions(ActionPlan)}
    assert set(actions) == {f"workflow_{t.name}" for t in PlanFlow.transitions}
    model_admin = django_admin.site._registry[ActionPlan]
    for user, expected in ((ru_staff, "draft"), (cn_staff, "under_review")):
        request = RequestFactory().post("/")
        request.user = user
        request.session = {}
        request._messages = FallbackStorage(request)
        actions["workflow_submit"](model_admin, request, ActionPlan.objects.filter(pk=plan.pk))
        assert ActionPlan.objects.get(pk=plan.pk).status == expected
    assert len(steps(plan)) == 1


# --- history start and atomicity --------------------------------------------------------------


def test_started_records_the_first_step(plan, cn_staff):
    step = workflow_for(plan).started(plan, who(cn_staff), note="Filed")
    assert (step.transition, step.from_status, step.to_status, step.note) == ("created", "", "draft", "Filed")
    assert workflow_for(plan).transition_label("created") == "Created"


def test_a_failing_hook_rolls_everything_back(plan, cn_staff):
    def explode(ctx):
        raise TransitionError("The grant could not be made.")

    class Failing(PlanFlow):
        transitions = [Transition("submit", "draft", "under_review", after=[explode])]

    register(Failing)
    with pytest.raises(TransitionError, match="grant"):
        perform(plan, "submit", who(cn_staff))
    stored = ActionPlan.objects.get(pk=plan.pk)
    assert stored.status == "draft" and stored.revision == plan.revision and steps(plan) == []


def test_admin_history_inline_lists_the_steps(plan, cn_staff, admin_user):
    from django.contrib import admin as django_admin

    from core.admin_workflow import StatusHistoryInline

    submitted(plan, cn_staff)
    request = RequestFactory().get("/")
    request.user = admin_user
    inline = StatusHistoryInline(ActionPlan, django_admin.site)
    formset = inline.get_formset(request, plan)(instance=plan)
    assert [form.instance.transition for form in formset.forms] == ["submit"]
    assert not inline.has_add_permission(request, plan)


def test_a_misspelt_status_is_refused_at_registration():
    from django.core.exceptions import ImproperlyConfigured

    class Misspelt(Workflow):
        model = ActionPlan
        transitions = [Transition("submit", "draft", "under-review")]

    with pytest.raises(ImproperlyConfigured, match="under-review"):
        Misspelt()
