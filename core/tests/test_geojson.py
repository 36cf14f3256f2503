from django.utils import translation

from core.geo import generalize_point
from core.geojson import collection, point_feature, records_collection


def test_generalized_point_says_so_in_the_readers_language():
    point = generalize_point(43.218734, 131.065172, 2)
    with translation.override("ru"):
        feature = point_feature(point, name="CT-1", note="LOTL")
    assert feature["geometry"]["coordinates"] == [131.05, 43.25]
    assert feature["properties"]["generalized"] is True
    assert feature["properties"]["grid_degrees"] == 0.1
    assert feature["properties"]["note"].startswith("LOTL · ")
    assert "0.1" in feature["properties"]["note"] and "Location" not in feature["properties"]["note"]


def test_exact_point_has_no_note_and_keeps_six_digits():
    point = generalize_point(43.2187341234, 131.0651729876, 0)
    feature = point_feature(point, name="CT-2")
    assert feature["geometry"]["coordinates"] == [131.065173, 43.218734]
    assert feature["properties"]["note"] == ""
    assert feature["properties"]["generalized"] is False


def test_records_collection_leaves_out_records_without_geometry():
    records = [
        {"g": {"type": "LineString", "coordinates": [[131, 43], [131.1, 43.1]]}, "n": "a"},
        {"g": None, "n": "b"},
        {"g": generalize_point(43.2, 131.2, 2), "n": "c"},
    ]
    result = records_collection(records, lambda r: r["g"], lambda r: {"name": r["n"]})
    assert [f["properties"]["name"] for f in result["features"]] == ["a", "c"]
    assert result["features"][1]["properties"]["generalized"] is True
    assert collection([]) == {"type": "FeatureCollection", "features": []}
