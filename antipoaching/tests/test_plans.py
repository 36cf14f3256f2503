import pytest

from antipoaching.models import ActionPlan, PlanStatus
from core.models import Role, StatusChange
from core.tests.factories import make_member
from core.workflow import perform

URL = "/api/v1/antipoaching/plans/"


def _plan_payload(*codes):
    return {
        "title": {"en": "Joint winter anti-snare plan", "ru": "Совместный план", "zh-hans": "联合计划"},
        "objectives": {"en": "Remove snares along the border"},
        "participating_agencies": list(codes),
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "targets": [{"metric": "distance_km", "value": "100", "per": "month"}],
        "activities": [{"title": {"en": "Joint patrol"}, "agency": codes[-1], "due_date": "2026-02-01"}],
    }


@pytest.fixture
def joint_plan(api_client, cn_staff, ru_agency, cn_agency):
    api_client.force_authenticate(cn_staff)
    response = api_client.post(URL, _plan_payload("CNPARK", "RUPARK"), format="json")
    assert response.status_code == 201, response.data
    api_client.force_authenticate(None)
    return ActionPlan.objects.get(pk=response.data["id"])


def _post(api_client, user, plan, step, **data):
    api_client.force_authenticate(user)
    if step == "approve" and "revision" not in data:
        plan.refresh_from_db()
        data["revision"] = plan.revision  # a decision is bound to the revision the decider saw
    return api_client.post(f"{URL}{plan.pk}/transitions/{step}/", data, format="json")


def _steps(plan):
    return StatusChange.objects.filter(object_id=str(plan.pk)).exclude(transition="created")


@pytest.mark.django_db
def test_joint_plan_needs_a_coordinator_of_each_country(api_client, joint_plan, cn_staff, cn_coord, ru_coord):
    assert _post(api_client, cn_staff, joint_plan, "submit").status_code == 200
    first = _post(api_client, cn_coord, joint_plan, "approve", note="ok for China")
    assert first.status_code == 200, first.data
    assert first.data["status"] == "under_review"  # one country is not enough
    assert first.data["approved_countries"] == ["CN"]
    assert first.data["is_joint"] is True
    again = _post(api_client, cn_coord, joint_plan, "approve")
    assert again.status_code == 400  # the same country twice does not count
    second = _post(api_client, ru_coord, joint_plan, "approve")
    assert second.status_code == 200, second.data
    assert second.data["status"] == "approved"
    steps = list(_steps(joint_plan).values_list("to_status", "country", "user__username"))
    assert steps == [
        ("under_review", "", "cnpark_agency_staff"),
        ("under_review", "CN", "cn_coord"),
        ("approved", "RU", "ru_coord"),
    ]
    assert all(t.at for t in _steps(joint_plan))


@pytest.mark.django_db
def test_staff_and_outsiders_cannot_approve(api_client, joint_plan, cn_staff, ru_staff, third_agency):
    _post(api_client, cn_staff, joint_plan, "submit")
    assert _post(api_client, ru_staff, joint_plan, "approve").status_code == 400  # staff, not coordinator
    outsider = make_member(third_agency, Role.AGENCY_COORDINATOR, username="third_coord")
    # Another agency's coordinator may see a partners plan but is not a participant.
    assert _post(api_client, outsider, joint_plan, "approve").status_code in (400, 404)
    joint_plan.refresh_from_db()
    assert joint_plan.status == PlanStatus.UNDER_REVIEW
    assert not _steps(joint_plan).filter(is_approval=True).exists()


@pytest.mark.django_db
def test_returning_to_draft_resets_approvals(api_client, joint_plan, cn_staff, cn_coord, ru_coord):
    _post(api_client, cn_staff, joint_plan, "submit")
    _post(api_client, cn_coord, joint_plan, "approve")
    assert _post(api_client, ru_coord, joint_plan, "return", note="fix targets").status_code == 200
    _post(api_client, cn_staff, joint_plan, "submit")
    response = _post(api_client, ru_coord, joint_plan, "approve")
    assert response.data["status"] == "under_review"  # China must approve the new version again
    assert response.data["approved_countries"] == ["RU"]


@pytest.mark.django_db
def test_full_lifecycle_and_wrong_steps(api_client, joint_plan, cn_staff, cn_coord, ru_coord, settings):
    ActionPlan.objects.filter(pk=joint_plan.pk).update(period_end="2026-01-31")  # the period is over
    assert _post(api_client, cn_staff, joint_plan, "activate").status_code == 400  # still a draft
    _post(api_client, cn_staff, joint_plan, "submit")
    _post(api_client, cn_coord, joint_plan, "approve")
    _post(api_client, ru_coord, joint_plan, "approve")
    assert _post(api_client, ru_coord, joint_plan, "activate").data["status"] == "active"
    assert _post(api_client, cn_staff, joint_plan, "complete").data["status"] == "completed"
    empty = _post(api_client, cn_staff, joint_plan, "evaluate")
    assert empty.status_code == 400
    done = _post(
        api_client, cn_staff, joint_plan, "evaluate", evaluation={"en": "Targets met", "ru": "Цели достигнуты"}
    )
    assert done.data["status"] == "evaluated"
    assert done.data["evaluation"]["ru"] == "Цели достигнуты"
    assert [t["to_status"] for t in done.data["status_history"]][-3:] == ["active", "completed", "evaluated"]


@pytest.mark.django_db
def test_status_is_not_writable_and_agencies_change_sends_back_to_review(
    api_client, joint_plan, cn_staff, cn_coord, ru_coord
):
    api_client.force_authenticate(cn_staff)
    api_client.patch(f"{URL}{joint_plan.pk}/", {"status": "approved"}, format="json")
    joint_plan.refresh_from_db()
    assert joint_plan.status == PlanStatus.DRAFT
    _post(api_client, cn_staff, joint_plan, "submit")
    _post(api_client, cn_coord, joint_plan, "approve")
    api_client.force_authenticate(cn_staff)
    response = api_client.patch(f"{URL}{joint_plan.pk}/", {"participating_agencies": ["CNPARK"]}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "under_review" and response.data["approved_countries"] == []
    assert response.data["status_history"][-1]["changes"] == ["participating_agencies"]


@pytest.mark.django_db
def test_single_country_plan_needs_its_own_coordinator(api_client, cn_staff, cn_coord, cn_agency):
    api_client.force_authenticate(cn_staff)
    plan_id = api_client.post(URL, _plan_payload("CNPARK"), format="json").data["id"]
    plan = ActionPlan.objects.get(pk=plan_id)
    _post(api_client, cn_staff, plan, "submit")
    assert _post(api_client, cn_coord, plan, "approve").data["status"] == "approved"


@pytest.mark.django_db
def test_plan_for_another_agency_and_bad_dates_are_refused(api_client, cn_staff, ru_agency):
    api_client.force_authenticate(cn_staff)
    payload = _plan_payload("CNPARK", "RUPARK") | {"owner_agency": "RUPARK"}
    assert api_client.post(URL, payload, format="json").status_code == 400
    payload = _plan_payload("CNPARK", "RUPARK") | {"period_end": "2025-01-01"}
    response = api_client.post(URL, payload, format="json", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert "period_end" in response.data
    assert ActionPlan.objects.count() == 0


@pytest.mark.django_db
def test_service_rule_is_the_same_for_admin_actions(joint_plan, cn_staff, cn_coord, ru_coord):
    from core.access import Principal
    from core.workflow import available_transitions

    perform(joint_plan, "submit", Principal.for_user(cn_staff))
    perform(joint_plan, "approve", Principal.for_user(ru_coord), revision=joint_plan.revision)
    joint_plan.refresh_from_db()
    assert joint_plan.status == PlanStatus.UNDER_REVIEW
    names = [t.name for t in available_transitions(joint_plan, Principal.for_user(cn_coord))]
    assert names == ["approve", "return"]


@pytest.mark.django_db
def test_plan_area_must_be_a_polygon_and_operations_link_to_plans(api_client, cn_staff, ru_agency, cn_agency):
    api_client.force_authenticate(cn_staff)
    line = {"type": "LineString", "coordinates": [[131.0, 43.0], [131.1, 43.1]]}
    bad = api_client.post(URL, _plan_payload("CNPARK", "RUPARK") | {"area": line}, format="json")
    assert bad.status_code == 400 and "area" in bad.data
    square = {"type": "Polygon", "coordinates": [[[131, 43], [131.1, 43], [131.1, 43.1], [131, 43.1], [131, 43]]]}
    plan = api_client.post(URL, _plan_payload("CNPARK", "RUPARK") | {"area": square}, format="json").data
    operation = api_client.post(
        "/api/v1/antipoaching/operations/",
        {
            "plan": plan["id"],
            "kind": "joint_patrol",
            "title": {"en": "Joint sweep"},
            "agencies": ["CNPARK", "RUPARK"],
            "start": "2026-02-01T08:00:00Z",
            "end": "2026-02-01T07:00:00Z",
        },
        format="json",
    )
    assert operation.status_code == 400 and "end" in operation.data
    operation = api_client.post(
        "/api/v1/antipoaching/operations/",
        {
            "plan": plan["id"],
            "kind": "joint_patrol",
            "title": {"en": "Joint sweep"},
            "agencies": ["CNPARK", "RUPARK"],
            "start": "2026-02-01T08:00:00Z",
        },
        format="json",
    )
    assert operation.status_code == 201, operation.data
    api_client.put(
        f"{URL}{plan['id']}/",
        _plan_payload("CNPARK", "RUPARK") | {"targets": [{"metric": "joint_operations", "value": "2", "per": "total"}]},
        format="json",
    )
    evaluation = api_client.get(f"{URL}{plan['id']}/evaluation/").data
    assert evaluation["targets"][0]["achieved"] == 1 and evaluation["targets"][0]["percent"] == 50.0


@pytest.mark.django_db
def test_activities_of_approved_plans_plug_into_reminders(joint_plan, cn_staff, cn_coord, ru_coord):
    from antipoaching import services
    from antipoaching.models import PlanActivity
    from core.access import Principal
    from core.models import DatedObligation

    activity = PlanActivity.objects.get(plan=joint_plan)
    assert DatedObligation.objects.count() == 0  # a draft plan reminds nobody
    perform(joint_plan, "submit", Principal.for_user(cn_staff))
    perform(joint_plan, "approve", Principal.for_user(cn_coord), revision=joint_plan.revision)
    perform(joint_plan, "approve", Principal.for_user(ru_coord), revision=joint_plan.revision)
    obligation = DatedObligation.objects.get()
    assert obligation.agency == activity.agency and obligation.due_date == activity.due_date
    assert obligation.status == "open"
    activity.status = "done"
    services.save_activity(activity)
    obligation.refresh_from_db()
    assert obligation.status == "fulfilled" and obligation.fulfilled_at
    assert services.sync_obligations() == 1
    assert DatedObligation.objects.count() == 1


def test_evaluation_body_must_be_text_or_a_translated_object():
    from antipoaching.workflows import EvaluationForm

    assert EvaluationForm(data={"evaluation": {"en": "Met the km target", "ru": "Цель выполнена"}}).is_valid()
    assert EvaluationForm(data={"evaluation": "Met the km target"}).is_valid()
    for bad in (True, ["x"], {"fr": "non"}, {"en": 3}, {"en": ""}):
        assert not EvaluationForm(data={"evaluation": bad}).is_valid()
