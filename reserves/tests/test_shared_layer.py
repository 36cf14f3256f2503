"""Issue 8 for protected areas: core page set, map picker with GeoJSON upload, one validation, figures."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.models import Role, Sensitivity
from core.tests.factories import make_member
from reserves.models import ProtectedArea

from .test_pages import BOWTIE, SQUARE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _base(agency):
    return {
        "owner_agency": agency.pk,
        "sensitivity": "public",
        "name_en": "New park",
        "country": "CN",
        "iucn_category": "II",
    }


def test_create_page_has_a_map_picker_and_a_title(client, cn_agency):
    client.force_login(make_member(cn_agency, Role.AGENCY_COORDINATOR))
    page = client.get("/en/reserves/new/")
    html = page.content.decode()
    assert page.context["page_title"] == "New protected area"
    assert 'data-geometry-types="Polygon,MultiPolygon"' in html and 'name="boundary_file"' in html


def test_boundary_from_an_uploaded_geojson_feature(client, cn_agency):
    client.force_login(make_member(cn_agency, Role.AGENCY_COORDINATOR))
    feature = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": SQUARE}]}
    upload = SimpleUploadedFile("park.geojson", json.dumps(feature).encode())
    response = client.post("/en/reserves/new/", {**_base(cn_agency), "boundary": "", "boundary_file": upload})
    assert response.status_code == 302, response.context["form"].errors
    assert ProtectedArea.objects.get().boundary == SQUARE
    bad = SimpleUploadedFile("bowtie.geojson", json.dumps(BOWTIE).encode())
    response = client.post("/en/reserves/new/", {**_base(cn_agency), "name_en": "Bad", "boundary_file": bad})
    assert response.status_code == 200 and "Self-intersection" in response.content.decode()
    junk = SimpleUploadedFile("notes.geojson", b"\x89PNG not json")
    response = client.post("/en/reserves/new/", {**_base(cn_agency), "name_en": "Junk", "boundary_file": junk})
    assert "not GeoJSON" in response.content.decode()
    assert ProtectedArea.objects.count() == 1


def test_api_boundary_rule_comes_from_the_model_on_patch_too(api_client, cn_staff, cn_agency):
    area = ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Park", country="CN", boundary=SQUARE)
    api_client.force_authenticate(cn_staff)
    response = api_client.patch(f"/api/v1/reserves/protected-areas/{area.pk}/", {"boundary": BOWTIE}, format="json")
    assert response.status_code == 400 and "Self-intersection" in response.json()["boundary"][0]
    area.refresh_from_db()
    assert area.boundary == SQUARE


def test_protected_areas_figure_counts_what_the_principal_sees(cn_agency, ru_agency):
    from core.access import Principal
    from core.figures import figure_table

    ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Open", country="CN")
    ProtectedArea.objects.create(owner_agency=ru_agency, name_en="Hidden", country="RU", sensitivity=Sensitivity.OWNER)
    principal = Principal.for_user(make_member(cn_agency))
    assert figure_table("reserves.protected_areas", principal).value == 1
    by_country = figure_table("reserves.protected_areas", principal, group_by=("country",))
    assert [(row["country"], row["count"]) for row in by_country.rows] == [("CN", 1)]
