"""One write path (issue 8, point 3): side effects follow every writer, derived fields keep the ETag."""

import datetime

import pytest
from django.core import mail

from antipoaching import services
from antipoaching.models import ActionPlan, PlanActivity, Waypoint
from core import reminders
from core.access import Principal
from core.models import DatedObligation, Notification, ObligationStatus, Reminder, ReminderStatus
from core.workflow import perform

from .conftest import TRACK, make_patrol

PLANS = "/api/v1/antipoaching/plans/"
PATROLS = "/api/v1/antipoaching/patrols/"
LEGS = "/api/v1/antipoaching/patrol-legs/"
WAYPOINTS = "/api/v1/antipoaching/waypoints/"
# Three weeks after the activities' due dates: every reminder, overdue notice and escalation is due.
LATER = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)


def _activities():
    return [
        {"title": {"en": "Clear the snare line"}, "agency": "CNPARK", "due_date": "2026-05-01"},
        {"title": {"en": "Train the new rangers"}, "agency": "CNPARK", "due_date": "2026-05-10"},
    ]


@pytest.fixture
def approved_plan(api_client, cn_staff, cn_coord, cn_agency):
    """A one-country plan, approved: its activities are reminded to CNPARK's coordinator."""
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        PLANS,
        {
            "title": {"en": "Snare-free spring"},
            "participating_agencies": ["CNPARK"],
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "activities": _activities(),
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    plan = ActionPlan.objects.get(pk=response.data["id"])
    perform(plan, "submit", Principal.for_user(cn_staff))
    plan.refresh_from_db()
    perform(plan, "approve", Principal.for_user(cn_coord), revision=plan.revision)
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert DatedObligation.objects.filter(status=ObligationStatus.OPEN).count() == 2
    return plan


def _open_obligations():
    return DatedObligation.objects.filter(status=ObligationStatus.OPEN)


def _assert_never_reminded(obligation):
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.CANCELLED
    assert not obligation.reminders.filter(status__in=[ReminderStatus.PENDING, ReminderStatus.SENT]).exists()
    assert not Notification.objects.filter(obligation=obligation).exists()
    assert not [m for m in mail.outbox if obligation.title in m.subject + m.body]


@pytest.mark.django_db
def test_deleting_an_activity_through_the_api_cancels_its_obligation_and_reminders(
    api_client, approved_plan, cn_staff, cn_coord
):
    snare = PlanActivity.objects.get(plan=approved_plan, title_en="Clear the snare line")
    kept = PlanActivity.objects.get(plan=approved_plan, title_en="Train the new rangers")
    obligation = reminders.obligation_for(snare)
    assert obligation.reminders.filter(status=ReminderStatus.PENDING).exists()
    api_client.force_authenticate(cn_staff)
    response = api_client.patch(
        f"{PLANS}{approved_plan.pk}/",
        {"activities": [{"id": kept.pk, "title": {"en": "Train the new rangers"}, "agency": "CNPARK"}]},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert not PlanActivity.objects.filter(pk=snare.pk).exists()
    # Rewriting the approved activities sends the plan back to review; approved again, the
    # activity that stayed is reminded again.
    assert response.data["status"] == "under_review"
    approved_plan.refresh_from_db()
    perform(approved_plan, "approve", Principal.for_user(cn_coord), revision=approved_plan.revision)
    reminders.send_due_reminders(now=LATER, digests=False)
    _assert_never_reminded(obligation)
    # The activity that stayed is still reminded (so the run above did send what was due).
    assert any("Train the new rangers" in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_deleting_an_activity_by_the_service_and_the_plan_by_the_api(api_client, approved_plan, cn_staff):
    snare, train = PlanActivity.objects.filter(plan=approved_plan).order_by("due_date")
    first, second = reminders.obligation_for(snare), reminders.obligation_for(train)
    services.delete_activity(snare)
    first.refresh_from_db()
    assert first.status == ObligationStatus.CANCELLED
    api_client.force_authenticate(cn_staff)
    assert api_client.delete(f"{PLANS}{approved_plan.pk}/").status_code == 204
    reminders.send_due_reminders(now=LATER, digests=False)
    _assert_never_reminded(first)
    _assert_never_reminded(second)
    assert mail.outbox == []


@pytest.mark.django_db
def test_patching_a_plans_activities_twice_leaves_one_open_obligation_each(api_client, approved_plan, cn_staff):
    api_client.force_authenticate(cn_staff)
    for _round in range(2):
        current = api_client.get(f"{PLANS}{approved_plan.pk}/").data["activities"]
        response = api_client.patch(f"{PLANS}{approved_plan.pk}/", {"activities": current}, format="json")
        assert response.status_code == 200, response.data
    # The same list sent twice, as a client without ids would: replaced, never doubled.
    for _round in range(2):
        response = api_client.patch(f"{PLANS}{approved_plan.pk}/", {"activities": _activities()}, format="json")
        assert response.status_code == 200, response.data
    activities = list(PlanActivity.objects.filter(plan=approved_plan))
    assert len(activities) == 2
    open_ids = sorted(_open_obligations().values_list("object_id", flat=True))
    assert open_ids == sorted(str(a.pk) for a in activities)
    reminders.send_due_reminders(now=LATER, digests=False)
    overdue = [m.subject for m in mail.outbox if m.subject.startswith("Overdue")]
    assert sorted(overdue) == ["Overdue: Clear the snare line", "Overdue: Train the new rangers"]


@pytest.mark.django_db
def test_an_unknown_or_repeated_activity_id_is_refused(api_client, approved_plan, cn_staff):
    api_client.force_authenticate(cn_staff)
    activity = PlanActivity.objects.filter(plan=approved_plan).first()
    row = {"title": {"en": "x"}, "agency": "CNPARK"}
    for rows in ([row | {"id": 999999}], [row | {"id": activity.pk}, row | {"id": activity.pk}]):
        response = api_client.patch(f"{PLANS}{approved_plan.pk}/", {"activities": rows}, format="json")
        assert response.status_code == 400 and "activities" in response.data
    assert PlanActivity.objects.filter(plan=approved_plan).count() == 2
    assert _open_obligations().count() == 2


@pytest.mark.django_db
def test_orphan_obligations_are_cancelled_by_the_sync(approved_plan):
    activity = PlanActivity.objects.filter(plan=approved_plan).first()
    obligation = reminders.obligation_for(activity)
    PlanActivity.objects.filter(pk=activity.pk).delete()  # a delete that bypassed the services
    services.sync_obligations()
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.CANCELLED
    assert not Reminder.objects.filter(obligation=obligation, status=ReminderStatus.PENDING).exists()


@pytest.mark.django_db
def test_editing_a_waypoint_or_a_leg_keeps_the_patrols_etag(api_client, cn_staff, cn_agency, vocabulary):
    patrol = make_patrol(cn_agency)
    api_client.force_authenticate(cn_staff)
    read = api_client.get(f"{PATROLS}{patrol.pk}/")
    etag = read["ETag"]
    waypoint = api_client.post(
        WAYPOINTS,
        {
            "patrol": str(patrol.pk),
            "time": "2026-03-02T09:00:00Z",
            "latitude": "43.1",
            "longitude": "131.2",
            "incident_type": "snare",
        },
        format="json",
    )
    assert waypoint.status_code == 201, waypoint.data
    edited = api_client.patch(f"{WAYPOINTS}{waypoint.data['id']}/", {"count": 4, "removed": 2}, format="json")
    assert edited.status_code == 200, edited.data
    leg = api_client.post(
        LEGS,
        {"patrol": str(patrol.pk), "start": "2026-03-02T08:00:00Z", "end": "2026-03-02T12:00:00Z", "track": TRACK},
        format="json",
    )
    assert leg.status_code == 201, leg.data
    moved = api_client.patch(f"{LEGS}{leg.data['id']}/", {"end": "2026-03-02T14:00:00Z"}, format="json")
    assert moved.status_code == 200, moved.data
    assert api_client.get(f"{PATROLS}{patrol.pk}/")["ETag"] == etag
    # The patrol's own writer still holds a valid ETag; the effort fields are up to date.
    response = api_client.patch(
        f"{PATROLS}{patrol.pk}/", {"comments": "Snares removed"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.data
    assert float(response.data["distance_km"]) == float(leg.data["distance_km"]) > 5
    assert response.data["hours"] == "6.00" and response.data["patrol_days"] == 1
    assert response["ETag"] != etag
    assert api_client.delete(f"{LEGS}{leg.data['id']}/").status_code == 204
    assert api_client.delete(f"{WAYPOINTS}{waypoint.data['id']}/").status_code == 204
    after = api_client.get(f"{PATROLS}{patrol.pk}/")
    assert after["ETag"] == response["ETag"] and after.data["distance_km"] == "0.000"
    assert after.data["hours"] == "9.00"  # back to the patrol's own times
    assert not Waypoint.objects.exists()


@pytest.mark.django_db
def test_patrol_effort_follows_the_patrol_itself(api_client, cn_staff, cn_agency):
    patrol = make_patrol(cn_agency, members=[])
    days = patrol.patrol_days
    assert days >= 1 and (patrol.team_size, patrol.person_days) == (1, days)
    api_client.force_authenticate(cn_staff)
    response = api_client.patch(f"{PATROLS}{patrol.pk}/", {"members": ["Li", "Zhao"]}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["team_size"] == 3 and response.data["person_days"] == 3 * days
    patrol.refresh_from_db()
    assert patrol.revision == 2 and patrol.person_days == 3 * days


def test_models_do_not_import_services():
    """Layering: the models hold no write path, so they never import the services (no cycle)."""
    import pathlib
    import re

    app = pathlib.Path(__file__).parents[1]
    paths = [*app.glob("models.py"), *(app / "models").glob("*.py")]
    assert paths
    for path in paths:
        assert not re.search(r"^\s*(from|import)\s+\S*services", path.read_text(), re.M), path
