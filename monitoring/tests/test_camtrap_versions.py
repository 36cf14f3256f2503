"""Camtrap DP versions, on real packages nobody on the project wrote (monitoring/tests/data/*/README.md).

- camtrap-dp-1.0, camtrap-dp-1.0.1: the official example as tagged 1.0 and 1.0.1, exported from
  Agouti (its `sources` say Agouti v3.21) — what every current Agouti export looks like;
- camtrap-dp-example: the same dataset as tagged 1.0.2;
- mica-0.1.6: an Agouti export in Camtrap DP 0.1.6 (the MICA muskrat and coypu project), as
  shipped with the camtraptor R package.
Each 1.0.x package is read against its own version's profile and table schemas; 0.1.6 is
refused with one message naming the version (the camtrapdp R package reads 1.0.x only).
"""

import csv
import json
import shutil
from pathlib import Path

import pytest

from monitoring.camtrap.importer import PackageInvalid, import_package
from monitoring.models import Deployment, Media, Observation

DATA = Path(__file__).resolve().parent / "data"
V10, V101, V102, MICA = (DATA / n for n in ("camtrap-dp-1.0", "camtrap-dp-1.0.1", "camtrap-dp-example", "mica-0.1.6"))


def rows_of(package, table):
    with open(package / f"{table}.csv", newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def edit_csv(path, row_index, field, value):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    rows[row_index][rows[0].index(field)] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def copy(package, tmp_path, name="pkg"):
    target = tmp_path / name
    shutil.copytree(package, target)
    return target


def edit_descriptor(package, change):
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor), encoding="utf-8")


@pytest.fixture(autouse=True)
def no_region(settings):
    """The shipped packages are Belgian: the region rule is switched on by the tests about it."""
    settings.PORTAL_REGION_BBOX = None


@pytest.fixture(autouse=True)
def vocabularies(db):
    """The shared vocabularies the migrations seed (a flushing test elsewhere may have removed them)."""
    from monitoring.models import EffortUnit, FeatureType, ObservationType
    from monitoring.vocabularies import seed_vocabularies

    seed_vocabularies(ObservationType, FeatureType, EffortUnit)


@pytest.fixture
def package_species(db):
    """The taxa of every shipped package in the shared list, as an administrator adds them."""
    from core.tests.factories import SpeciesFactory

    names = {}
    for package in (V10, V101, V102, MICA):
        for taxon in json.loads((package / "datapackage.json").read_text())["taxonomic"]:
            vernacular = taxon.get("vernacularNames") or {}
            names.setdefault(taxon["scientificName"], vernacular.get("eng") or vernacular.get("en") or "")
    return [
        SpeciesFactory(
            scientific_name=name,
            common_name_en=common or name,
            common_name_zh_hans="",
            common_name_ru="",
            sensitivity_category=0,
            is_target=False,
        )
        for name, common in sorted(names.items())
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("package", [V10, V101, V102], ids=["1.0", "1.0.1", "1.0.2"])
def test_every_1_0_x_package_imports_against_its_own_profile(package, cn_agency, package_species):
    """Main refused 1.0 and 1.0.1 (every Agouti export): their schema URLs failed the 1.0.2 pattern."""
    run = import_package(package, cn_agency)
    expected = tuple(len(rows_of(package, t)) for t in ("deployments", "media", "observations"))
    assert (run.deployments, run.media, run.observations) == expected
    assert Deployment.objects.filter(owner_agency=cn_agency).count() == expected[0]
    assert Media.objects.filter(owner_agency=cn_agency).count() == expected[1]
    assert Observation.objects.filter(owner_agency=cn_agency).count() == expected[2]
    assert run.import_report.version == package.name.removeprefix("camtrap-dp-").replace("example", "1.0.2")
    # Agouti's local offsets arrive as the same instants.
    first = rows_of(package, "media")[0]
    stored = Media.objects.get(owner_agency=cn_agency, media_id=first["mediaID"])
    assert stored.timestamp.isoformat().replace("+00:00", "Z") != "" and stored.timestamp == _parse(first["timestamp"])


def _parse(value):
    import datetime

    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.mark.django_db
def test_rows_are_read_against_their_own_versions_table_schema(cn_agency, package_species, tmp_path):
    """1.0.1 declares only "" as a missing value; 1.0.2 adds NA. The same cell is right in one, wrong in the other."""
    old = copy(V101, tmp_path, "old")
    edit_csv(old / "deployments.csv", 1, "cameraHeight", "NA")
    with pytest.raises(PackageInvalid) as refused:
        import_package(old, cn_agency)
    assert [(e["resource"], e["row"], e["field"]) for e in refused.value.errors] == [("deployments", 2, "cameraHeight")]
    assert "NA" in refused.value.errors[0]["message"]
    new = copy(V102, tmp_path, "new")
    edit_csv(new / "deployments.csv", 1, "cameraHeight", "NA")
    run = import_package(new, cn_agency)
    assert run.deployments == 4
    key = rows_of(new, "deployments")[0]["deploymentID"]
    assert Deployment.objects.get(owner_agency=cn_agency, deployment_id=key).camera_height is None


@pytest.mark.django_db
def test_a_0_1_6_package_is_refused_with_one_message_naming_its_version(cn_agency, package_species):
    with pytest.raises(PackageInvalid) as refused:
        import_package(MICA, cn_agency)
    errors = refused.value.errors
    assert len(errors) == 1
    assert "0.1.6" in errors[0]["message"] and "1.0.2" in errors[0]["message"]
    assert "schemas" not in errors[0]["message"]
    assert not Deployment.objects.exists()


@pytest.mark.django_db
def test_a_package_that_names_no_version_is_refused_saying_so(cn_agency, package_species, tmp_path):
    package = copy(V10, tmp_path)

    def drop(descriptor):
        descriptor["profile"] = "tabular-data-package"
        for resource in descriptor["resources"]:
            resource["schema"] = {"fields": []}

    edit_descriptor(package, drop)
    with pytest.raises(PackageInvalid) as refused:
        import_package(package, cn_agency)
    assert len(refused.value.errors) == 1 and "profile" in refused.value.errors[0]["message"]


@pytest.mark.django_db
def test_descriptor_errors_are_in_the_users_words_and_come_with_the_row_errors(cn_agency, package_species, tmp_path):
    """Main said `{…dict…} is not valid under any of the given schemas` and stopped before the rows."""
    package = copy(V10, tmp_path)

    def damage(descriptor):
        descriptor["project"]["samplingDesign"] = "random"
        del descriptor["created"]
        descriptor["spatial"] = {"type": "Polygon"}
        descriptor["resources"][2]["schema"] = descriptor["resources"][2]["schema"].replace("/1.0/", "/1.0.2/")

    edit_descriptor(package, damage)
    edit_csv(package / "observations.csv", 3, "observationLevel", "frame")
    with pytest.raises(PackageInvalid) as refused:
        import_package(package, cn_agency)
    errors = refused.value.errors
    by_field = {(e["resource"], e.get("field")): e["message"] for e in errors}
    assert "created" in by_field[("datapackage.json", "created")]
    assert "simpleRandom" in by_field[("datapackage.json", "project/samplingDesign")]
    assert "1.0" in by_field[("datapackage.json", "resources/observations/schema")]
    assert ("observations", "observationLevel") in by_field  # the rows were checked in the same round
    for error in errors:
        assert "is not valid under any of the given schemas" not in error["message"]
        assert "{'" not in error["message"] and '{"' not in error["message"]
    assert not Deployment.objects.exists()


def test_each_version_has_its_profile_offline():
    from monitoring.camtrap import schema

    for version in schema.VERSIONS:
        validator = schema.profile_validator(version)
        descriptor = json.loads(({"1.0": V10, "1.0.1": V101, "1.0.2": V102}[version] / "datapackage.json").read_text())
        assert list(validator.iter_errors(descriptor)) == []
        for table in schema.TABLES:
            assert schema.table_schema(table, version)["fields"]
    assert schema.table_schema("media", "1.0.1")["missingValues"] == [""]
    assert "NA" in schema.table_schema("media", "1.0.2")["missingValues"]


@pytest.mark.parametrize("package", [V10, V101, V102], ids=["1.0", "1.0.1", "1.0.2"])
def test_the_shipped_packages_are_valid_in_their_own_version(package):
    """frictionless, offline, against the package's own version (main checked every package against 1.0.2)."""
    from monitoring.camtrap.validate import frictionless_report

    valid, messages = frictionless_report(package)
    assert valid, messages
