import pytest

from reserves.models import ProtectedArea

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[130.0, 43.0], [130.1, 43.0], [130.1, 43.1], [130.0, 43.1], [130.0, 43.0]]],
}
URL = "/api/v1/reserves/protected-areas/"


@pytest.fixture
def area(cn_agency):
    return ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Test park",
        name_zh_hans="测试公园",
        name_ru="Тестовый парк",
        country="CN",
        boundary=SQUARE,
        sensitivity="partners",
    )


@pytest.mark.django_db
def test_create_reads_back_translated_name_and_area(api_client, cn_staff):
    api_client.force_authenticate(cn_staff)
    response = api_client.post(
        URL,
        {"name": {"en": "Park", "zh-hans": "公园", "ru": "Парк"}, "country": "CN", "boundary": SQUARE},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["name"] == {"zh-hans": "公园", "en": "Park", "ru": "Парк"}
    assert response.data["owner_agency"] == "CNPARK"
    # 0.1° × 0.1° at 43°N is about 11.1 km × 8.1 km.
    assert 88 < float(response.data["area_km2"]) < 92
    assert response["ETag"]


@pytest.mark.django_db
def test_if_match_mismatch_is_412(api_client, cn_staff, area):
    api_client.force_authenticate(cn_staff)
    detail = api_client.get(f"{URL}{area.pk}/")
    etag = detail["ETag"]
    first = api_client.patch(f"{URL}{area.pk}/", {"designation": {"en": "Reserve"}}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.data
    second = api_client.patch(f"{URL}{area.pk}/", {"designation": {"en": "Other"}}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    area.refresh_from_db()
    assert area.designation_en == "Reserve"
