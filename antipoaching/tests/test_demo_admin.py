import pytest
from django.core.management import call_command

from antipoaching.models import ActionPlan, Alert, Incident, Patrol, PlanStatus
from core.models import ExchangeVisit, TrainingCourse


@pytest.mark.django_db
def test_demo_is_idempotent_and_complete():
    call_command("seed_demo", "--quiet-logins", stdout=__import__("io").StringIO())
    counts = [Patrol.objects.count(), Incident.objects.count(), Alert.objects.count()]
    call_command("seed_demo", "--quiet-logins", stdout=__import__("io").StringIO())
    assert [Patrol.objects.count(), Incident.objects.count(), Alert.objects.count()] == counts
    plan = ActionPlan.objects.get()
    assert plan.status == PlanStatus.ACTIVE
    assert set(plan.transitions.filter(is_approval=True).values_list("country", flat=True)) == {"CN", "RU"}
    assert all(p.distance_km > 0 for p in Patrol.objects.all())
    assert TrainingCourse.objects.exists() and ExchangeVisit.objects.exists()


@pytest.mark.django_db
def test_admin_pages_of_every_model(admin_client):
    call_command("seed_demo", "--quiet-logins", stdout=__import__("io").StringIO())
    for name in (
        "incidenttype",
        "actionplan",
        "plantransition",
        "plantarget",
        "planactivity",
        "jointoperation",
        "patrol",
        "patrolleg",
        "waypoint",
        "incident",
        "incidentlink",
        "alert",
        "alertreceipt",
    ):
        assert admin_client.get(f"/en/admin/antipoaching/{name}/").status_code == 200, name
    for name in ("trainingcourse", "trainingparticipant", "exchangevisit", "exchangevisitmember"):
        assert admin_client.get(f"/en/admin/core/{name}/").status_code == 200, name
    plan = ActionPlan.objects.get()
    assert admin_client.get(f"/en/admin/antipoaching/actionplan/{plan.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_bench_command_rolls_back(capsys):
    call_command("bench_kpis", "--patrols", "200")
    out = capsys.readouterr().out
    assert "KPI table per country" in out and "4 SQL queries" in out
    assert Patrol.objects.count() == 0
