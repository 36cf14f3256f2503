"""Regression tests of issue 8 for joint plans: approved content frozen, closed plans read-only,
dates checked at completion, decisions bound to a revision, and the people concerned told."""

import datetime

import pytest
from django.core import mail

from antipoaching.models import ActionPlan, PlanActivity, PlanStatus, PlanTarget
from core.access import Principal
from core.models import Notification, StatusChange
from core.workflow import approved_countries, history, perform

URL = "/api/v1/antipoaching/plans/"


@pytest.fixture
def plan(cn_staff, cn_agency, ru_agency):
    plan = ActionPlan.objects.create(
        owner_agency=cn_agency,
        title_en="Joint winter anti-snare plan",
        objectives_en="Remove snares along the border",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 6, 30),
        created_by=cn_staff,
    )
    plan.participating_agencies.set([cn_agency, ru_agency])
    PlanTarget.objects.create(plan=plan, metric="distance_km", value=100, per="month")
    return plan


def _approve_all(plan, cn_staff, cn_coord, ru_coord):
    perform(plan, "submit", Principal.for_user(cn_staff))
    perform(plan, "approve", Principal.for_user(cn_coord), revision=plan.revision)
    perform(plan, "approve", Principal.for_user(ru_coord), revision=plan.revision)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert approved_countries(plan) == {"CN", "RU"}
    return plan


@pytest.fixture
def approved(plan, cn_staff, cn_coord, ru_coord):
    return _approve_all(plan, cn_staff, cn_coord, ru_coord)


@pytest.fixture
def closed(approved, cn_staff):
    ActionPlan.objects.filter(pk=approved.pk).update(period_end=datetime.date(2026, 1, 31))
    approved.refresh_from_db()
    perform(approved, "activate", Principal.for_user(cn_staff))
    perform(approved, "complete", Principal.for_user(cn_staff))
    approved.refresh_from_db()
    assert approved.status == PlanStatus.COMPLETED
    return approved


def _assert_back_in_review(plan, changes):
    plan.refresh_from_db()
    assert plan.status == PlanStatus.UNDER_REVIEW
    assert approved_countries(plan) == set()  # approvals voided
    assert StatusChange.objects.filter(object_id=str(plan.pk), is_approval=True, voided_at__isnull=True).count() == 0
    step = history(plan).last()
    assert step.transition == "content_changed" and step.changes == changes


# --- approved content is frozen ------------------------------------------------------------------


@pytest.mark.django_db
def test_api_patch_of_approved_objectives_sends_the_plan_back_to_review(api_client, approved, cn_staff):
    api_client.force_authenticate(cn_staff)
    response = api_client.patch(f"{URL}{approved.pk}/", {"objectives": {"en": "Only count snares"}}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "under_review" and response.data["approved_countries"] == []
    assert response.data["status_history"][-1]["changes"] == ["objectives"]
    _assert_back_in_review(approved, ["objectives"])


@pytest.mark.django_db
def test_api_patch_of_targets_and_a_no_op_patch(api_client, approved, cn_staff):
    api_client.force_authenticate(cn_staff)
    # Sending back what was read changes nothing: the plan stays approved.
    current = api_client.get(f"{URL}{approved.pk}/").data
    same = {k: current[k] for k in ("title", "objectives", "targets", "activities", "period_end")}
    assert api_client.patch(f"{URL}{approved.pk}/", same, format="json").data["status"] == "approved"
    response = api_client.patch(
        f"{URL}{approved.pk}/", {"targets": [{"metric": "distance_km", "value": "1", "per": "month"}]}, format="json"
    )
    assert response.status_code == 200, response.data
    _assert_back_in_review(approved, ["targets"])


@pytest.mark.django_db
def test_page_edit_of_the_period_sends_the_plan_back_to_review(client, approved, cn_staff, cn_agency, ru_agency):
    client.force_login(cn_staff)
    response = client.post(
        f"/en/antipoaching/plans/{approved.pk}/edit/",
        {
            "owner_agency": cn_agency.pk,
            "sensitivity": approved.sensitivity,
            "title_en": approved.title_en,
            "objectives_en": approved.objectives_en,
            "participating_agencies": [cn_agency.pk, ru_agency.pk],
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    _assert_back_in_review(approved, ["period_end"])
    page = client.get(approved.get_absolute_url()).content.decode()
    assert "Approved content changed" in page and "period end" in page


@pytest.mark.django_db
def test_page_child_edits_send_the_plan_back_to_review(client, approved, cn_staff, cn_coord, ru_coord, cn_agency):
    client.force_login(cn_staff)
    response = client.post(
        f"/en/antipoaching/plans/{approved.pk}/targets/", {"metric": "arrests", "value": "3", "per": "total"}
    )
    assert response.status_code == 302
    _assert_back_in_review(approved, ["targets"])
    perform(approved, "approve", Principal.for_user(cn_coord), revision=approved.revision)
    perform(approved, "approve", Principal.for_user(ru_coord), revision=approved.revision)
    assert approved.status == PlanStatus.APPROVED
    client.post(
        f"/en/antipoaching/plans/{approved.pk}/activities/",
        {"title_en": "Night patrol", "agency": cn_agency.pk, "due_date": "2026-04-01", "status": "planned"},
    )
    assert PlanActivity.objects.filter(plan=approved).count() == 1
    _assert_back_in_review(approved, ["planned_activities"])


@pytest.mark.django_db
def test_admin_edit_of_approved_content_sends_the_plan_back_to_review(admin_client, approved):
    from antipoaching.tests.test_admin_saves import page_data

    url = f"/en/admin/antipoaching/actionplan/{approved.pk}/change/"
    data = page_data(admin_client.get(url))
    # Saving unchanged is not a change of the approved content.
    assert admin_client.post(url, data).status_code == 302
    approved.refresh_from_db()
    assert approved.status == PlanStatus.APPROVED
    data["objectives_en"] = "Rewritten in the admin"
    assert admin_client.post(url, data).status_code == 302
    _assert_back_in_review(approved, ["objectives"])


@pytest.mark.django_db
def test_marking_an_activity_done_keeps_an_active_plan_active(approved, cn_staff, cn_agency):
    from antipoaching import services

    activity = PlanActivity(
        plan=approved, title_en="Joint patrol", agency=cn_agency, due_date=datetime.date(2026, 3, 1)
    )
    with services.editing_plan(approved, Principal.for_user(cn_staff)):
        services.save_activity(activity)
    approved.refresh_from_db()
    assert approved.status == PlanStatus.UNDER_REVIEW  # a new activity is new content
    ActionPlan.objects.filter(pk=approved.pk).update(status=PlanStatus.ACTIVE)
    activity.status = "done"
    with services.editing_plan(approved, Principal.for_user(cn_staff)):
        services.save_activity(activity)
    approved.refresh_from_db()
    assert approved.status == PlanStatus.ACTIVE  # progress is not a change of the approved content


# --- a closed plan is read-only on every path ----------------------------------------------------


@pytest.mark.django_db
def test_closed_plan_is_read_only_on_the_api(api_client, closed, cn_staff):
    api_client.force_authenticate(cn_staff)
    revision = closed.revision
    for body in (
        {"objectives": {"en": "Rewritten"}},
        {"targets": [{"metric": "patrols", "value": "1", "per": "total"}]},
        {"period_end": "2027-12-31"},
    ):
        response = api_client.patch(f"{URL}{closed.pk}/", body, format="json")
        assert response.status_code == 400, response.data
        assert "can no longer be changed" in str(response.data)
    closed.refresh_from_db()
    assert closed.revision == revision and closed.objectives_en == "Remove snares along the border"
    assert list(closed.targets.values_list("metric", flat=True)) == ["distance_km"]


@pytest.mark.django_db
def test_closed_plan_is_read_only_on_the_pages_and_in_the_admin(client, admin_client, closed, cn_staff, cn_agency):
    from antipoaching.tests.test_admin_saves import page_data

    client.force_login(cn_staff)
    page = client.get(f"/en/antipoaching/plans/{closed.pk}/edit/")
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(participating_agencies=[a.pk for a in closed.participating_agencies.all()], title_en="Rewritten")
    data["shared_with"] = []
    response = client.post(f"/en/antipoaching/plans/{closed.pk}/edit/", data)
    assert response.status_code == 200 and "can no longer be changed" in response.content.decode()
    response = client.post(
        f"/en/antipoaching/plans/{closed.pk}/targets/", {"metric": "arrests", "value": "3", "per": "total"}, follow=True
    )
    assert "can no longer be changed" in response.content.decode()
    url = f"/en/admin/antipoaching/actionplan/{closed.pk}/change/"
    data = page_data(admin_client.get(url))
    data["objectives_en"] = "Rewritten in the admin"
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "can no longer be changed" in response.content.decode()
    closed.refresh_from_db()
    assert (
        closed.title_en == "Joint winter anti-snare plan" and closed.objectives_en == "Remove snares along the border"
    )
    assert closed.targets.count() == 1 and closed.status == PlanStatus.COMPLETED


# --- dates are checked at completion; decisions are bound to a revision --------------------------


@pytest.mark.django_db
def test_a_2027_plan_cannot_be_completed_or_evaluated_in_2026(api_client, approved, cn_staff):
    ActionPlan.objects.filter(pk=approved.pk).update(period_end=datetime.date(2027, 3, 31))
    api_client.force_authenticate(cn_staff)
    assert api_client.post(f"{URL}{approved.pk}/transitions/activate/", {}, format="json").status_code == 200
    response = api_client.post(f"{URL}{approved.pk}/transitions/complete/", {}, format="json")
    assert response.status_code == 400 and "2027-03-31" in response.data["detail"]
    # Forced into "completed" (as old data may be), it still cannot be evaluated before the end.
    ActionPlan.objects.filter(pk=approved.pk).update(status=PlanStatus.COMPLETED)
    response = api_client.post(
        f"{URL}{approved.pk}/transitions/evaluate/", {"evaluation": {"en": "Done"}}, format="json"
    )
    assert response.status_code == 400 and "2027-03-31" in response.data["detail"]
    approved.refresh_from_db()
    assert approved.status == PlanStatus.COMPLETED and approved.evaluation_en in ("", None)


@pytest.mark.django_db
def test_evaluation_closes_the_plan_in_three_languages(api_client, closed, cn_staff):
    api_client.force_authenticate(cn_staff)
    empty = api_client.post(f"{URL}{closed.pk}/transitions/evaluate/", {}, format="json")
    assert empty.status_code == 400
    done = api_client.post(
        f"{URL}{closed.pk}/transitions/evaluate/",
        {"evaluation": {"en": "Targets met", "ru": "Цели достигнуты"}},
        format="json",
    )
    assert done.status_code == 200, done.data
    assert done.data["status"] == "evaluated" and done.data["evaluation"]["ru"] == "Цели достигнуты"


@pytest.mark.django_db
def test_an_approval_with_a_stale_revision_is_refused(api_client, client, plan, cn_staff, cn_coord, ru_coord):
    perform(plan, "submit", Principal.for_user(cn_staff))
    seen = plan.revision
    api_client.force_authenticate(cn_staff)
    api_client.patch(f"{URL}{plan.pk}/", {"objectives": {"en": "Changed while they read"}}, format="json")
    api_client.force_authenticate(cn_coord)
    response = api_client.post(f"{URL}{plan.pk}/transitions/approve/", {"revision": seen}, format="json")
    assert response.status_code == 409
    assert "changed since you opened it" in response.data["detail"]
    missing = api_client.post(f"{URL}{plan.pk}/transitions/approve/", {}, format="json")
    assert missing.status_code == 400
    client.force_login(ru_coord)
    response = client.post(f"/en/workflow/antipoaching.actionplan/{plan.pk}/approve/", {"revision": seen}, follow=True)
    assert "changed since you opened it" in response.content.decode()
    assert not StatusChange.objects.filter(object_id=str(plan.pk), is_approval=True).exists()


@pytest.mark.django_db
def test_a_second_approval_from_the_same_country_does_not_count(plan, cn_staff, cn_coord, cn_agency):
    from core.models import Role
    from core.tests.factories import make_member

    other_cn = make_member(cn_agency, Role.AGENCY_COORDINATOR, username="cn_coord_2")
    perform(plan, "submit", Principal.for_user(cn_staff))
    perform(plan, "approve", Principal.for_user(cn_coord), revision=plan.revision)
    with pytest.raises(Exception, match="already approved"):
        perform(plan, "approve", Principal.for_user(other_cn), revision=plan.revision)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.UNDER_REVIEW


# --- the people concerned are told --------------------------------------------------------------


@pytest.mark.django_db
def test_submission_and_decisions_notify_coordinators(settings, plan, cn_staff, cn_coord, ru_coord):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from core.reminders import send_due_reminders

    perform(plan, "submit", Principal.for_user(cn_staff))
    assert Notification.objects.filter(recipient=ru_coord, event="antipoaching.plan_submitted").exists()
    assert not Notification.objects.filter(recipient=cn_staff).exists()
    perform(plan, "approve", Principal.for_user(ru_coord), revision=plan.revision)
    assert not Notification.objects.filter(event="antipoaching.plan_decided").exists()  # not yet approved
    perform(plan, "return", Principal.for_user(ru_coord), note="Fix the targets")
    returned = Notification.objects.get(recipient=cn_coord, event="antipoaching.plan_decided")
    assert "returned" in returned.subject.lower()
    perform(plan, "submit", Principal.for_user(cn_staff))
    perform(plan, "approve", Principal.for_user(cn_coord), revision=plan.revision)
    perform(plan, "approve", Principal.for_user(ru_coord), revision=plan.revision)
    approved = Notification.objects.filter(recipient=cn_coord, event="antipoaching.plan_decided").latest("pk")
    assert "approved" in approved.subject.lower()
    send_due_reminders(digests=False)
    assert any(ru_coord.email in m.to for m in mail.outbox)
