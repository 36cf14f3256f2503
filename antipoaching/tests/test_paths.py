"""Further paths: admin actions use the same workflow rules, API keys, read-only accounts, dataset sources."""

import datetime

import pytest

from antipoaching.models import ActionPlan, Alert, AlertReceipt, Incident, PlanStatus
from antipoaching.services import set_recipients
from core.datasets import dataset_source
from core.models import Role
from core.tests.factories import make_api_key, make_member

from .conftest import make_patrol


@pytest.fixture
def plan(cn_agency, ru_agency):
    plan = ActionPlan.objects.create(
        owner_agency=cn_agency,
        title_en="Plan",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    plan.participating_agencies.set([cn_agency, ru_agency])
    return plan


@pytest.mark.django_db
def test_admin_actions_follow_the_two_country_rule(admin_client, plan):
    changelist = "/en/admin/antipoaching/actionplan/"
    admin_client.post(changelist, {"action": "workflow_submit", "_selected_action": [plan.pk]})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.UNDER_REVIEW
    # A superuser is no country's coordinator: the admin cannot approve on their behalf.
    response = admin_client.post(changelist, {"action": "workflow_approve", "_selected_action": [plan.pk]}, follow=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.UNDER_REVIEW
    assert "coordinator" in response.content.decode()


@pytest.mark.django_db
def test_partner_system_acknowledges_with_its_key(api_client, cn_agency, ru_agency):
    alert = Alert.objects.create(owner_agency=cn_agency, title_en="Crossing", message_en="Now", urgency="high")
    set_recipients(alert, [ru_agency])
    key_obj, key = make_api_key(ru_agency, read_only=True)
    response = api_client.post(
        f"/api/v1/antipoaching/alerts/{alert.pk}/acknowledge/", HTTP_AUTHORIZATION=f"Api-Key {key}"
    )
    assert response.status_code == 200, response.data
    receipt = AlertReceipt.objects.get(alert=alert)
    assert receipt.acknowledged_at and receipt.acknowledged_via_key == key_obj.prefix
    assert response.data["receipts"][0]["acknowledged_by"] == f"api-key:{key_obj.prefix}"


@pytest.mark.django_db
def test_read_only_observer_cannot_write(api_client, cn_agency, vocabulary):
    observer = make_member(cn_agency, Role.OBSERVER, username="observer")
    api_client.force_authenticate(observer)
    response = api_client.post(
        "/api/v1/antipoaching/incidents/", {"incident_type": "snare", "occurred_on": "2026-03-01"}, format="json"
    )
    assert response.status_code == 403
    assert Incident.objects.count() == 0


@pytest.mark.django_db
def test_dataset_sources_count_an_agency_s_records(cn_agency, vocabulary):
    make_patrol(cn_agency, start=datetime.datetime(2026, 3, 2, 8, tzinfo=datetime.UTC))
    Incident.objects.create(
        owner_agency=cn_agency, incident_type=vocabulary["snare"], occurred_on=datetime.date(2026, 3, 2)
    )
    start = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)
    assert dataset_source("antipoaching.patrols").count_records(cn_agency, start, end) == 1
    now = datetime.datetime.now(datetime.UTC)
    assert (
        dataset_source("antipoaching.incidents").count_records(
            cn_agency, now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=1)
        )
        == 1
    )


@pytest.mark.django_db
def test_incident_page_form_refuses_suspects_on_partner_record(client, cn_staff, cn_agency, ru_agency, vocabulary):
    client.force_login(cn_staff)
    data = {
        "owner_agency": cn_agency.pk,
        "sensitivity": "partners",
        "incident_type": vocabulary["carcass"].pk,
        "occurred_on": "2026-03-05",
        "suspects_count": "1",
        "arrests": "0",
        "status": "open",
        "suspects": '[{"name": "Zhang San"}]',
        "transit_countries": "[]",
    }
    response = client.post("/en/antipoaching/incidents/new/", data)
    assert response.status_code == 200 and "restricted record" in response.content.decode()
    response = client.post("/en/antipoaching/incidents/new/", data | {"arrests": "-1", "suspects": "[]"})
    assert response.status_code == 200
    assert Incident.objects.count() == 0
    response = client.post(
        "/en/antipoaching/incidents/new/", data | {"sensitivity": "restricted", "shared_with": [ru_agency.pk]}
    )
    assert response.status_code == 302
    assert Incident.objects.get().suspects == [{"name": "Zhang San"}]


@pytest.mark.django_db
def test_restricted_alert_page_hidden_from_others(client, cn_agency, ru_agency, third_staff, ru_staff):
    alert = Alert.objects.create(
        owner_agency=cn_agency, title_en="Secret crossing", message_en="x", sensitivity="restricted"
    )
    alert.shared_with.add(ru_agency)
    set_recipients(alert, [ru_agency])
    client.force_login(third_staff)
    assert "Secret crossing" not in client.get("/en/antipoaching/alerts/").content.decode()
    assert client.get(alert.get_absolute_url()).status_code == 404
    client.force_login(ru_staff)
    assert client.get(alert.get_absolute_url()).status_code == 200
    assert AlertReceipt.objects.get(alert=alert).opened_at is not None


@pytest.mark.django_db
def test_plan_and_incident_lists_hold_their_query_count(
    api_client, cn_staff, cn_agency, ru_agency, vocabulary, django_assert_max_num_queries
):
    for n in range(6):
        plan = ActionPlan.objects.create(
            owner_agency=cn_agency,
            title_en=f"Plan {n}",
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 2, 1),
        )
        plan.participating_agencies.set([cn_agency, ru_agency])
        Incident.objects.create(
            owner_agency=cn_agency, incident_type=vocabulary["snare"], occurred_on=datetime.date(2026, 3, n + 1)
        )
    api_client.force_authenticate(cn_staff)
    api_client.get("/api/v1/antipoaching/plans/")  # warm the principal's caches
    with django_assert_max_num_queries(9):
        plans = api_client.get("/api/v1/antipoaching/plans/")
    assert len(plans.data["results"]) == 6 and plans.data["results"][0]["is_joint"] is True
    with django_assert_max_num_queries(7):
        incidents = api_client.get("/api/v1/antipoaching/incidents/")
    assert len(incidents.data["results"]) == 6
