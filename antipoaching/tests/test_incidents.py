import datetime
from decimal import Decimal

import pytest

from antipoaching.models import Incident, IncidentLink
from antipoaching.tests.conftest import body
from core.models import ObjectChange

URL = "/api/v1/antipoaching/incidents/"


@pytest.fixture
def restricted(cn_agency, ru_agency, vocabulary):
    incident = Incident.objects.create(
        owner_agency=cn_agency,
        sensitivity="restricted",
        incident_type=vocabulary["carcass"],
        occurred_on=datetime.date(2026, 3, 5),
        reference="CN-2026-017",
        place_en="Secret valley",
        latitude=Decimal("43.123456"),
        longitude=Decimal("131.234567"),
        suspects_count=1,
        arrests=1,
        suspects=[{"name": "Zhang San", "nationality": "CN"}],
        is_seizure=True,
        commodity="skin",
        quantity=1,
        unit="pieces",
    )
    incident.shared_with.add(ru_agency)
    return incident


@pytest.fixture
def seizure_payload(vocabulary):
    return {
        "incident_type": "carcass",
        "occurred_on": "2026-03-05",
        "reference": "RU-77",
        "place": {"en": "Kraskino checkpoint"},
        "is_seizure": True,
        "commodity": "bones",
        "quantity": "3.5",
        "unit": "kg",
        "estimated_value": "12000",
        "currency": "USD",
        "country_of_origin": "RU",
        "transit_countries": ["MN"],
        "country_of_destination": "CN",
        "point_of_seizure": "export",
        "agencies_involved": ["RUPARK"],
        "suspects_count": 2,
        "arrests": 1,
    }


@pytest.mark.django_db
def test_restricted_incident_hidden_from_unlisted_agency_everywhere(api_client, restricted, third_staff, vocabulary):
    api_client.force_authenticate(third_staff)
    assert api_client.get(URL).data["results"] == []
    assert api_client.get(f"{URL}{restricted.pk}/").status_code == 404
    assert api_client.get(URL, {"q": "Secret"}).data["results"] == []
    assert api_client.get(URL, {"incident_type": "carcass"}).data["results"] == []
    export = api_client.get(f"{URL}export/")
    assert export.status_code == 200 and "CN-2026-017" not in body(export).decode()
    kpis = api_client.get("/api/v1/antipoaching/kpis/").data
    assert all(row["incidents"] == 0 for row in kpis["rows"])


@pytest.mark.django_db
def test_listed_agency_sees_it_with_suspects_and_read_is_audited(api_client, restricted, ru_staff):
    api_client.force_authenticate(ru_staff)
    assert [r["id"] for r in api_client.get(URL).data["results"]] == [str(restricted.pk)]
    detail = api_client.get(f"{URL}{restricted.pk}/")
    assert detail.status_code == 200
    assert detail.data["suspects"][0]["name"] == "Zhang San"
    assert ObjectChange.objects.filter(action="read", object_id=str(restricted.pk)).count() == 1


@pytest.mark.django_db
def test_view_grant_does_not_reveal_suspects(api_client, restricted, cn_agency, third_agency, third_staff):
    from core.models import DataSharingGrant

    DataSharingGrant.objects.create(
        grantor=cn_agency, grantee=third_agency, scope="view", valid_from=datetime.date(2026, 1, 1)
    )
    api_client.force_authenticate(third_staff)
    detail = api_client.get(f"{URL}{restricted.pk}/")
    assert detail.status_code == 200
    assert not detail.data.get("suspects")  # blanked (core.personal_data)


@pytest.mark.django_db
def test_suspects_only_on_restricted_records(api_client, ru_staff, cn_agency, seizure_payload):
    api_client.force_authenticate(ru_staff)
    payload = seizure_payload | {"suspects": [{"name": "Ivanov"}]}
    response = api_client.post(URL, payload, format="json")
    assert response.status_code == 400 and "suspects" in response.data
    assert Incident.objects.count() == 0
    payload |= {"sensitivity": "restricted", "shared_with": ["CNPARK"]}
    response = api_client.post(URL, payload, format="json")
    assert response.status_code == 201, response.data
    incident = Incident.objects.get()
    # Downgrading the record while it holds suspects is refused.
    response = api_client.patch(f"{URL}{incident.pk}/", {"sensitivity": "partners"}, format="json")
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.sensitivity == "restricted"


@pytest.mark.django_db
def test_seizure_fields_round_trip_and_validation(api_client, ru_staff, seizure_payload):
    api_client.force_authenticate(ru_staff)
    response = api_client.post(URL, seizure_payload, format="json")
    assert response.status_code == 201, response.data
    for key in ("commodity", "unit", "currency", "country_of_origin", "country_of_destination", "point_of_seizure"):
        assert response.data[key] == seizure_payload[key]
    assert response.data["transit_countries"] == ["MN"]
    assert response.data["agencies_involved"] == ["RUPARK"]
    assert not response.data.get("suspects")  # partners record: no personal data at all
    bad = api_client.post(URL, seizure_payload | {"arrests": -1}, format="json")
    assert bad.status_code == 400 and "arrests" in bad.data
    bad = api_client.post(URL, seizure_payload | {"transit_countries": ["Mongolia"]}, format="json")
    assert bad.status_code == 400
    bad = api_client.post(URL, seizure_payload | {"owner_agency": "CNPARK"}, format="json")
    assert bad.status_code == 400
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_carcass_of_tiger_is_snapped_for_other_agencies(api_client, cn_agency, ru_staff, vocabulary):
    from core.tests.factories import SpeciesFactory

    tiger = SpeciesFactory(scientific_name="Panthera tigris altaica")
    Incident.objects.create(
        owner_agency=cn_agency,
        incident_type=vocabulary["carcass"],
        species=tiger,
        occurred_on=datetime.date(2026, 3, 5),
        latitude=Decimal("43.123456"),
        longitude=Decimal("131.234567"),
    )
    api_client.force_authenticate(ru_staff)
    row = api_client.get(URL).data["results"][0]
    assert (row["latitude"], row["longitude"], row["generalized"]) == (43.15, 131.25, True)
    export = body(api_client.get(f"{URL}export/")).decode()
    assert "43.123456" not in export and "43.15" in export


@pytest.mark.django_db
def test_cases_link_across_the_border_and_hide_invisible_ends(
    api_client, restricted, cn_agency, ru_agency, ru_staff, third_staff, vocabulary
):
    ru_case = Incident.objects.create(
        owner_agency=ru_agency,
        incident_type=vocabulary["carcass"],
        occurred_on=datetime.date(2026, 3, 6),
        reference="RU-1",
    )
    api_client.force_authenticate(ru_staff)
    response = api_client.post(
        "/api/v1/antipoaching/case-links/",
        {"from_incident": str(ru_case.pk), "to_incident": str(restricted.pk)},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert api_client.get(f"{URL}{ru_case.pk}/").data["linked_cases"] == [str(restricted.pk)]
    api_client.force_authenticate(third_staff)
    assert api_client.get(f"{URL}{ru_case.pk}/").data["linked_cases"] == []
    assert api_client.get("/api/v1/antipoaching/case-links/").data["results"] == []
    response = api_client.post(
        "/api/v1/antipoaching/case-links/",
        {"from_incident": str(ru_case.pk), "to_incident": str(restricted.pk)},
        format="json",
    )
    assert response.status_code == 400
    assert IncidentLink.objects.count() == 1
