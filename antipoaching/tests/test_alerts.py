import pytest

from antipoaching.models import Alert, AlertReceipt

URL = "/api/v1/antipoaching/alerts/"


def _alert(**extra):
    return {
        "title": {"en": "Poaching group crossed near post 14"},
        "message": {"en": "Four people, two rifles."},
        "urgency": "urgent",
        "recipients": ["RUPARK"],
    } | extra


@pytest.mark.django_db
def test_receipts_track_open_and_acknowledge(api_client, cn_staff, ru_staff, ru_agency):
    api_client.force_authenticate(cn_staff)
    created = api_client.post(URL, _alert(), format="json")
    assert created.status_code == 201, created.data
    assert created.data["unacknowledged_urgent"] is True
    pending = api_client.get("/api/v1/antipoaching/alerts-pending/").data
    assert pending["count"] == 1
    alert_id = created.data["id"]
    api_client.force_authenticate(ru_staff)
    api_client.get(f"{URL}{alert_id}/")
    receipt = AlertReceipt.objects.get(alert_id=alert_id, agency=ru_agency)
    assert receipt.opened_at and receipt.opened_by == ru_staff and receipt.acknowledged_at is None
    ack = api_client.post(f"{URL}{alert_id}/acknowledge/")
    assert ack.status_code == 200
    assert ack.data["receipts"][0]["acknowledged_by"] == ru_staff.username
    api_client.force_authenticate(cn_staff)
    assert api_client.get(f"{URL}{alert_id}/").data["unacknowledged_urgent"] is False
    assert api_client.get("/api/v1/antipoaching/alerts-pending/").data["count"] == 0
    # The sender opening its own alert is not a receipt.
    assert AlertReceipt.objects.filter(alert_id=alert_id).count() == 1


@pytest.mark.django_db
def test_restricted_alert_only_reaches_listed_agencies(api_client, cn_staff, ru_agency, third_staff):
    api_client.force_authenticate(cn_staff)
    created = api_client.post(URL, _alert(sensitivity="restricted"), format="json")
    assert created.status_code == 201, created.data
    assert created.data["shared_with"] == ["RUPARK"]
    api_client.force_authenticate(third_staff)
    assert api_client.get(URL).data["results"] == []
    assert api_client.get(f"{URL}{created.data['id']}/").status_code == 404
    assert api_client.post(f"{URL}{created.data['id']}/acknowledge/").status_code == 404


@pytest.mark.django_db
def test_non_recipient_cannot_acknowledge_and_public_is_refused(api_client, cn_staff, ru_agency, third_staff):
    api_client.force_authenticate(cn_staff)
    created = api_client.post(URL, _alert(), format="json").data
    api_client.force_authenticate(third_staff)
    assert api_client.post(f"{URL}{created['id']}/acknowledge/").status_code == 403
    bad = api_client.post(URL, _alert(sensitivity="public"), format="json")
    assert bad.status_code == 400
    empty = api_client.post(URL, _alert(recipients=[]), format="json")
    assert empty.status_code == 400
    assert Alert.objects.count() == 1
