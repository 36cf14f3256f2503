"""Staff pages of protected areas: list with filters and map, detail, create and edit, bad geometry."""

import json
import re

import pytest

from core.models import Role
from core.tests.factories import make_member
from reserves.models import ProtectedArea

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[130.0, 43.0], [130.1, 43.0], [130.1, 43.1], [130.0, 43.1], [130.0, 43.0]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[130.0, 43.0], [130.1, 43.1], [130.1, 43.0], [130.0, 43.1], [130.0, 43.0]]],
}


@pytest.fixture
def area(cn_agency):
    return ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Hunchun",
        name_zh_hans="珲春",
        name_ru="Хуньчунь",
        country="CN",
        boundary=SQUARE,
        boundary_is_approximate=True,
    )


@pytest.mark.django_db
@pytest.mark.sqlite
def test_list_page_shows_areas_and_their_map_layer(client, cn_staff, area):
    client.force_login(cn_staff)
    page = client.get("/zh-hans/reserves/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "珲春" in html
    layer = json.loads(
        re.search(r'<script id="areas-geojson" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    assert layer["features"][0]["properties"]["name"] == "珲春"
    assert layer["features"][0]["geometry"] == SQUARE


@pytest.mark.django_db
def test_list_filter_uses_the_same_filterset_as_the_api(client, cn_staff, area, ru_agency):
    ProtectedArea.objects.create(owner_agency=ru_agency, name_en="Kedrovaya Pad", name_ru="Кедровая падь", country="RU")
    client.force_login(cn_staff)
    html = client.get("/en/reserves/", {"country": "RU"}).content.decode()
    assert "Kedrovaya Pad" in html and "Hunchun" not in html
    html = client.get("/en/reserves/", {"q": "Кедровая"}).content.decode()
    assert "Kedrovaya Pad" in html and "Hunchun" not in html


@pytest.mark.django_db
def test_detail_page_shows_area_and_approximate_note(client, cn_staff, area):
    client.force_login(cn_staff)
    html = client.get(f"/ru/reserves/{area.pk}/").content.decode()
    assert "Хуньчунь" in html
    assert str(area.area_km2) in html.replace(",", ".")
    assert 'id="area-map"' in html
    from django.utils import translation

    english = "The outline shown is simplified and approximate; it is not the legal boundary."
    with translation.override("ru"):
        russian = translation.gettext(english)
    assert russian != english and russian in html


@pytest.mark.django_db
def test_create_form_computes_area_and_refuses_invalid_geometry(client, cn_agency):
    client.force_login(make_member(cn_agency, Role.AGENCY_COORDINATOR))
    base = {
        "owner_agency": cn_agency.pk,
        "sensitivity": "public",
        "name_en": "New park",
        "country": "CN",
        "iucn_category": "II",
    }
    bad = client.post("/en/reserves/new/", {**base, "boundary": json.dumps(BOWTIE)})
    assert bad.status_code == 200
    assert "The geometry is not valid: Self-intersection" in bad.content.decode()
    assert ProtectedArea.objects.count() == 0
    good = client.post("/en/reserves/new/", {**base, "boundary": json.dumps(SQUARE)})
    assert good.status_code == 302, good.context["form"].errors if good.context else good
    created = ProtectedArea.objects.get()
    assert 88 < created.area_km2 < 92 and created.owner_agency == cn_agency


@pytest.mark.django_db
def test_form_refuses_an_agency_the_user_does_not_belong_to(client, cn_agency, ru_agency):
    client.force_login(make_member(cn_agency))
    response = client.post(
        "/en/reserves/new/",
        {"owner_agency": ru_agency.pk, "sensitivity": "public", "name_en": "X", "country": "RU", "iucn_category": "II"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["owner_agency"]
    assert ProtectedArea.objects.count() == 0


@pytest.mark.django_db
def test_only_the_owner_may_edit(client, area, ru_staff, cn_staff):
    client.force_login(ru_staff)
    assert client.get(f"/en/reserves/{area.pk}/edit/").status_code == 403
    client.force_login(cn_staff)
    assert client.get(f"/en/reserves/{area.pk}/edit/").status_code == 200


@pytest.mark.django_db
def test_observer_cannot_open_the_create_form(client, cn_agency):
    client.force_login(make_member(cn_agency, Role.OBSERVER))
    assert client.get("/en/reserves/new/").status_code == 403


@pytest.mark.django_db
def test_api_refuses_invalid_geometry_with_a_clear_message(api_client, cn_staff):
    api_client.force_authenticate(cn_staff)
    for boundary, fragment in (
        (BOWTIE, "Self-intersection"),
        ({"type": "LineString", "coordinates": [[130, 43], [131, 44]]}, "Polygon / MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[230.0, 43.0], [130.1, 43.0], [130.1, 43.1], [230.0, 43.0]]]}, "WGS84"),
    ):
        response = api_client.post(
            "/api/v1/reserves/protected-areas/",
            {"name": {"en": "Bad"}, "country": "CN", "boundary": boundary},
            format="json",
        )
        assert response.status_code == 400
        assert fragment in str(response.data["boundary"])
    assert ProtectedArea.objects.count() == 0


@pytest.mark.django_db
def test_multipolygon_area_is_the_sum_of_its_parts(cn_agency):
    second = [[[131.0, 43.0], [131.1, 43.0], [131.1, 43.1], [131.0, 43.1], [131.0, 43.0]]]
    single = ProtectedArea.objects.create(owner_agency=cn_agency, name_en="One", country="CN", boundary=SQUARE)
    double = ProtectedArea.objects.create(
        owner_agency=cn_agency,
        name_en="Two",
        country="CN",
        boundary={"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], second]},
    )
    assert abs(float(double.area_km2) - 2 * float(single.area_km2)) < 0.05


@pytest.mark.django_db
@pytest.mark.sqlite
def test_demo_seed_is_idempotent():
    import io

    from django.core.management import call_command

    from core.models import Agency, ObjectChange

    call_command("seed_demo", stdout=io.StringIO())
    counts = (Agency.objects.count(), ProtectedArea.objects.count(), ObjectChange.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert (Agency.objects.count(), ProtectedArea.objects.count(), ObjectChange.objects.count()) == counts
    assert ProtectedArea.objects.filter(boundary_is_approximate=True).count() == ProtectedArea.objects.count() >= 5
    names = set(ProtectedArea.objects.values_list("name_en", flat=True))
    assert {"Land of the Leopard National Park", "Northeast China Tiger and Leopard National Park"} <= names
    assert "tiger-leopard-2026" in out.getvalue()


@pytest.mark.django_db
def test_history_is_shown_to_the_owner_only(client, cn_staff, ru_staff, area):
    area.name_en = "Hunchun renamed"
    area.save()
    client.force_login(cn_staff)
    html = client.get(f"/en/reserves/{area.pk}/").content.decode()
    assert 'id="record-history"' in html and "name_en" in html
    client.force_login(ru_staff)
    assert 'id="record-history"' not in client.get(f"/en/reserves/{area.pk}/").content.decode()
