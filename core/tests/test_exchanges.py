import datetime

import pytest

from core.models import ExchangeVisit

URL = "/api/v1/exchange-visits/"


def _visit(**extra):
    return {
        "title": {"en": "LOTL rangers visit Hunchun", "ru": "Визит инспекторов в Хуньчунь"},
        "topic": "antipoaching",
        "delegation_agency": "RUPARK",
        "host_agency": "CNPARK",
        "start_date": "2026-06-10",
        "end_date": "2026-06-14",
        "purpose": {"en": "Exchange anti-snare experience"},
        "lessons_learned": {"en": "Joint SMART keys help", "zh-hans": "统一SMART数据模型有帮助"},
        "members": [{"name": "Ivan", "agency": "RUPARK", "position": "Inspector", "is_leader": True}],
    } | extra


@pytest.mark.django_db
def test_exchange_visit_round_trip(api_client, ru_staff, cn_agency):
    api_client.force_authenticate(ru_staff)
    response = api_client.post(URL, _visit(), format="json")
    assert response.status_code == 201, response.data
    assert response.data["members"] == [
        {"name": "Ivan", "agency": "RUPARK", "position": "Inspector", "is_leader": True}
    ]
    assert response.data["lessons_learned"]["zh-hans"] == "统一SMART数据模型有帮助"
    assert (
        api_client.get(URL, {"topic": "antipoaching", "host_agency": "CNPARK"}).data["results"][0]["id"]
        == response.data["id"]
    )
    assert api_client.get(URL, {"q": "SMART"}).data["results"]


@pytest.mark.django_db
def test_exchange_visit_with_protected_area(api_client, ru_staff, cn_agency):
    from reserves.models import ProtectedArea

    area = ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Hunchun reserve", country="CN")
    api_client.force_authenticate(ru_staff)
    response = api_client.post(URL, _visit(protected_areas=[str(area.pk)]), format="json")
    assert response.status_code == 201, response.data
    assert ExchangeVisit.objects.get().protected_areas.get() == area


@pytest.mark.django_db
def test_exchange_visit_bad_input(api_client, ru_staff, cn_agency):
    api_client.force_authenticate(ru_staff)
    assert api_client.post(URL, _visit(end_date="2026-06-01"), format="json").status_code == 400
    assert api_client.post(URL, _visit(host_agency="RUPARK"), format="json").status_code == 400
    assert api_client.post(URL, _visit(owner_agency="CNPARK"), format="json").status_code == 400
    assert ExchangeVisit.objects.count() == 0


@pytest.mark.django_db
def test_exchange_pages(client, ru_staff, cn_agency, ru_agency):
    visit = ExchangeVisit.objects.create(
        owner_agency=ru_agency,
        title_en="Study tour",
        topic="monitoring",
        delegation_agency=ru_agency,
        host_agency=cn_agency,
        start_date=datetime.date(2026, 6, 10),
        end_date=datetime.date(2026, 6, 12),
        purpose_en="Learn",
    )
    client.force_login(ru_staff)
    assert "Study tour" in client.get("/en/exchange-visits/").content.decode()
    assert "Learn" in client.get(f"/en/exchange-visits/{visit.pk}/").content.decode()
    response = client.post(
        "/en/exchange-visits/new/",
        {
            "owner_agency": ru_agency.pk,
            "sensitivity": "partners",
            "title_en": "Visit",
            "topic": "monitoring",
            "delegation_agency": ru_agency.pk,
            "host_agency": ru_agency.pk,
            "start_date": "2026-06-10",
            "end_date": "2026-06-12",
            "purpose_en": "x",
        },
    )
    assert response.status_code == 200
    assert ExchangeVisit.objects.count() == 1
