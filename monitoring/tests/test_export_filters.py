"""The export filters: documented in the schema, and species matched as imports match them."""

import pytest

from core.tests.factories import make_api_key

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.mark.parametrize("path", ["/api/v1/monitoring/camtrap-dp/export/", "/api/v1/monitoring/dwca/export/"])
def test_a_badly_spaced_species_name_is_matched_and_an_unknown_one_refused(api_client, cn_agency, leopard, path):
    _key, secret = make_api_key(cn_agency)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    spaced = "  panthera   PARDUS orientalis "
    assert api_client.get(path, {"species": spaced}).status_code == 200
    refused = api_client.get(path, {"species": "Panthera nonexistens"})
    assert refused.status_code == 400 and "species" in refused.json()


def test_the_export_filters_are_in_the_schema(api_client, cn_agency):
    _key, secret = make_api_key(cn_agency)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/monitoring/camtrap-dp/export/", "/api/v1/monitoring/dwca/export/"):
        names = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
        assert {"agency", "survey", "start", "end", "species", "area"} <= names, path
