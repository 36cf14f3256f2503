"""Regression tests of issue 8 for incidents, alerts and exports: personal data out of the audit
log, case links by reference, alerts that reach the receiving agencies, neutralized export cells,
link rules and validation on every path."""

import datetime
import json
from io import BytesIO

import pytest
from django.core import mail
from openpyxl import load_workbook

from antipoaching.models import ActionPlan, Alert, Incident, IncidentLink, JointOperation
from antipoaching.services import acknowledge_alert, set_recipients
from antipoaching.tests.conftest import body
from core import notify
from core.access import Principal
from core.models import Notification, ObjectChange, Role
from core.personal_data import erase_personal_data
from core.tests.factories import AgencyFactory, make_member

URL = "/api/v1/antipoaching/incidents/"
LINKS = "/api/v1/antipoaching/case-links/"


def _incident(agency, vocabulary, **fields):
    values = {
        "owner_agency": agency,
        "incident_type": vocabulary["carcass"],
        "occurred_on": datetime.date(2026, 3, 5),
        "sensitivity": "partners",
    }
    values.update(fields)
    return Incident.objects.create(**values)


# --- personal data ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_suspects_never_reach_the_audit_log_and_erasure_blanks_them(api_client, cn_staff, ru_agency, vocabulary):
    api_client.force_authenticate(cn_staff)
    payload = {
        "incident_type": "carcass",
        "occurred_on": "2026-03-05",
        "sensitivity": "restricted",
        "shared_with": ["RUPARK"],
        "suspects_count": 1,
        "suspects": [{"name": "Zhang San", "document": "G12345678"}],
    }
    created = api_client.post(URL, payload, format="json")
    assert created.status_code == 201, created.data
    assert created.data["suspects"][0]["name"] == "Zhang San"  # the owner sees them
    updated = api_client.patch(
        f"{URL}{created.data['id']}/",
        {"suspects": [{"name": "Li Si", "document": "E98765432"}]},
        format="json",
    )
    assert updated.status_code == 200, updated.data
    incident = Incident.objects.get(pk=created.data["id"])
    log = json.dumps(
        list(ObjectChange.objects.filter(object_id=str(incident.pk)).values("before", "after", "object_repr"))
    )
    for secret in ("Zhang San", "G12345678", "Li Si", "E98765432"):
        assert secret not in log
    assert ObjectChange.objects.filter(object_id=str(incident.pk), changed_fields__contains=["suspects"]).exists()

    erase_personal_data(incident, Principal.for_user(cn_staff), reason="Acquitted")
    incident.refresh_from_db()
    assert incident.suspects in ([], None)
    log = json.dumps(list(ObjectChange.objects.filter(object_id=str(incident.pk)).values("before", "after")))
    assert "Li Si" not in log and "E98765432" not in log


@pytest.mark.django_db
def test_scrub_migration_removes_suspects_logged_before(cn_agency, vocabulary):
    import importlib

    migration = importlib.import_module("antipoaching.migrations.0004_scrub_suspects_from_audit_log")
    incident = _incident(cn_agency, vocabulary, sensitivity="restricted")
    # An entry as the audit log wrote it before suspects were declared personal data.
    ObjectChange.objects.filter(object_id=str(incident.pk)).update(
        after={"suspects": [{"name": "Zhang San"}], "place_en": "Valley"}
    )
    migration.scrub(None, None)
    entry = ObjectChange.objects.filter(object_id=str(incident.pk)).first()
    assert "Zhang San" not in json.dumps(entry.after) and entry.after["place_en"] == "Valley"


@pytest.mark.django_db
def test_a_partner_never_sees_suspects_in_api_page_or_export(api_client, client, cn_agency, ru_staff, vocabulary):
    incident = _incident(
        cn_agency, vocabulary, sensitivity="restricted", suspects=[{"name": "Zhang San"}], reference="CN-9"
    )
    listed = AgencyFactory(code="RU2", country="RU")
    other = make_member(listed, Role.AGENCY_STAFF, username="ru2_staff")
    incident.shared_with.add(listed)
    api_client.force_authenticate(other)
    data = api_client.get(f"{URL}{incident.pk}/").data
    assert data["suspects"] == [{"name": "Zhang San"}]  # a listed agency of a restricted record
    partner = _incident(cn_agency, vocabulary, reference="CN-10")
    api_client.force_authenticate(ru_staff)
    assert not api_client.get(f"{URL}{partner.pk}/").data.get("suspects")
    assert "Zhang San" not in body(api_client.get(f"{URL}export/")).decode()


# --- exports --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_cells_starting_with_a_formula_are_neutralized(api_client, client, cn_staff, cn_agency, vocabulary):
    _incident(cn_agency, vocabulary, reference='=HYPERLINK("http://evil")', place_en="+cmd|' /C calc'!A0")
    api_client.force_authenticate(cn_staff)
    csv = body(api_client.get(f"{URL}export/")).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "'+cmd" in csv
    client.force_login(cn_staff)
    response = client.get("/en/antipoaching/incidents/?export=xlsx")
    assert response.streaming
    sheet = load_workbook(BytesIO(body(response))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    formulas = [c for c in cells if c.data_type == "f"]
    assert formulas == []
    assert any(str(c.value).startswith("=HYPERLINK") and c.data_type == "s" for c in cells)
    # The streamed CSV of the page too.
    page_csv = body(client.get("/en/antipoaching/incidents/?export=csv")).decode("utf-8-sig")
    assert "'=HYPERLINK" in page_csv


# --- case links by reference -------------------------------------------------------------------


@pytest.mark.django_db
def test_cases_are_linked_by_reference_and_invisible_ones_do_not_exist(
    api_client, client, cn_staff, ru_agency, cn_agency, vocabulary
):
    mine = _incident(cn_agency, vocabulary, reference="NECT-2026-0003")
    theirs = _incident(ru_agency, vocabulary, reference="LOTL-2026-0001")
    hidden = _incident(ru_agency, vocabulary, reference="LOTL-2026-0002", sensitivity="owner_only")
    api_client.force_authenticate(cn_staff)
    response = api_client.post(LINKS, {"from_incident": str(mine.pk), "to_incident": "LOTL-2026-0001"}, format="json")
    assert response.status_code == 201, response.data
    assert IncidentLink.objects.filter(from_incident=mine, to_incident=theirs).exists()
    missing = api_client.post(LINKS, {"from_incident": str(mine.pk), "to_incident": "LOTL-2026-9999"}, format="json")
    invisible = api_client.post(LINKS, {"from_incident": str(mine.pk), "to_incident": "LOTL-2026-0002"}, format="json")
    by_id = api_client.post(LINKS, {"from_incident": str(mine.pk), "to_incident": str(hidden.pk)}, format="json")
    assert missing.status_code == invisible.status_code == by_id.status_code == 400
    assert str(invisible.data["to_incident"][0]).replace("0002", "9999") == str(missing.data["to_incident"][0])

    client.force_login(cn_staff)
    IncidentLink.objects.all().delete()
    client.post(f"/en/antipoaching/incidents/{mine.pk}/link/", {"other": "LOTL-2026-0001", "note": "same group"})
    assert IncidentLink.objects.filter(from_incident=mine, to_incident=theirs).exists()
    page = client.post(f"/en/antipoaching/incidents/{mine.pk}/link/", {"other": "LOTL-2026-0002"}, follow=True)
    assert "LOTL-2026-0002" in page.content.decode() and "exists" in page.content.decode()
    assert IncidentLink.objects.count() == 1
    lookup = client.get("/en/antipoaching/incidents/lookup/?q=LOTL").json()["results"]
    assert [r["value"] for r in lookup] == ["LOTL-2026-0001"]  # the owner-only case is not suggested


@pytest.mark.django_db
def test_a_partner_links_its_own_case_but_not_two_cases_of_others(api_client, cn_staff, ru_agency, vocabulary):
    first = _incident(ru_agency, vocabulary, reference="LOTL-1")
    second = _incident(ru_agency, vocabulary, reference="LOTL-2")
    api_client.force_authenticate(cn_staff)
    response = api_client.post(LINKS, {"from_incident": "LOTL-1", "to_incident": "LOTL-2"}, format="json")
    assert response.status_code == 400
    assert not IncidentLink.objects.filter(from_incident=first, to_incident=second).exists()


# --- link rules: operations and activities into another agency's plan --------------------------


@pytest.mark.django_db
def test_only_participants_attach_operations_to_a_plan(api_client, cn_agency, ru_agency, third_staff, ru_staff):
    plan = ActionPlan.objects.create(
        owner_agency=cn_agency,
        title_en="Joint plan",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    plan.participating_agencies.set([cn_agency, ru_agency])
    body_ = {
        "plan": str(plan.pk),
        "kind": "joint_patrol",
        "title": {"en": "Sweep"},
        "agencies": ["RUPARK"],
        "start": "2026-02-01T08:00:00Z",
    }
    api_client.force_authenticate(third_staff)  # sees the partners plan, takes no part in it
    refused = api_client.post("/api/v1/antipoaching/operations/", body_ | {"agencies": ["THIRD"]}, format="json")
    assert refused.status_code == 400 and "plan" in refused.data
    api_client.force_authenticate(ru_staff)  # a participant
    assert api_client.post("/api/v1/antipoaching/operations/", body_, format="json").status_code == 201
    assert JointOperation.objects.count() == 1


# --- validation once -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_partial_updates_run_the_model_rules(api_client, cn_staff, cn_agency, vocabulary):
    incident = _incident(cn_agency, vocabulary, quantity=None)
    api_client.force_authenticate(cn_staff)
    for patch, field in (
        ({"arrests": -1}, "arrests"),
        ({"quantity": "3"}, "unit"),  # a quantity needs its unit (Incident.clean), also on PATCH
        ({"latitude": "43.1"}, "longitude"),
    ):
        response = api_client.patch(f"{URL}{incident.pk}/", patch, format="json")
        assert response.status_code == 400 and field in response.data, response.data
    revision = incident.revision
    incident.refresh_from_db()
    assert incident.revision == revision and incident.arrests == 0


# --- alerts reach the receiving agencies ---------------------------------------------------------


@pytest.mark.django_db
def test_an_urgent_alert_notifies_every_receiving_agency_at_once(settings, cn_staff, cn_agency, ru_agency, ru_staff):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ru_coord = make_member(ru_agency, Role.AGENCY_COORDINATOR, username="ru_coord_alert", language="ru")
    for user, address in ((ru_coord, "coord@ru.example"), (ru_staff, "staff@ru.example")):
        user.email = address
        user.save()
    observer = make_member(ru_agency, Role.OBSERVER, username="ru_observer")
    notify.set_email_delivery(ru_staff, "none")  # urgent: emailed whatever the choice
    alert = Alert.objects.create(
        owner_agency=cn_agency,
        title_en="Group crossed",
        title_ru="Группа перешла",
        message_en="Near post 14",
        message_ru="У поста 14",
        urgency="urgent",
    )
    set_recipients(alert, [ru_agency], actor=cn_staff)
    from core.reminders import send_due_reminders

    send_due_reminders(digests=False)
    notes = Notification.objects.filter(record_id=str(alert.pk))
    assert set(notes.values_list("recipient__username", flat=True)) == {ru_staff.username, ru_coord.username}
    assert all(n.urgent for n in notes) and not notes.filter(recipient=observer).exists()
    assert {m.to[0] for m in mail.outbox} == {"staff@ru.example", "coord@ru.example"}
    russian = next(m for m in mail.outbox if m.to == ["coord@ru.example"])
    assert "Группа перешла" in russian.subject
    assert notify.urgent_unread_for(ru_staff).count() == 1

    acknowledge_alert(alert, Principal.for_user(ru_coord))
    assert notify.urgent_unread_for(ru_staff).count() == 0  # cleared for the whole agency
    assert notify.urgent_unread_for(ru_coord).count() == 0


@pytest.mark.django_db
def test_an_alert_created_through_the_api_notifies(settings, api_client, cn_staff, ru_staff):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        "/api/v1/antipoaching/alerts/",
        {"title": {"en": "Low notice"}, "message": {"en": "FYI"}, "urgency": "low", "recipients": ["RUPARK"]},
        format="json",
    )
    assert response.status_code == 201, response.data
    note = Notification.objects.get(recipient=ru_staff)
    assert not note.urgent and note.event == "antipoaching.alert"
    assert not Notification.objects.filter(recipient=cn_staff).exists()  # not the sender
