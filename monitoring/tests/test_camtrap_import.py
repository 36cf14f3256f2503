import pytest

from monitoring.models import Deployment, Media, Observation
from monitoring.tests.conftest import CONFIRM, import_example


@pytest.mark.sqlite
@pytest.mark.django_db
def test_official_example_imports(cn_agency, example_dir):
    run = import_example(example_dir, cn_agency)
    assert (run.deployments, run.media, run.observations) == (4, 423, 549)
    assert Deployment.objects.count() == 4
    assert Media.objects.count() == 423
    assert Observation.objects.count() == 549


@pytest.mark.django_db
def test_export_validates_and_round_trips(cn_agency, ru_agency, example_dir, tmp_path):
    from core.access import Principal
    from monitoring.camtrap.exporter import export_package
    from monitoring.camtrap.validate import frictionless_report

    import_example(example_dir, cn_agency)
    target = tmp_path / "export.zip"
    summary = export_package(Principal(agency=cn_agency, role="agency_staff"), target)
    assert (summary["deployments"], summary["media"], summary["observations"]) == (4, 423, 549)
    valid, messages = frictionless_report(target)
    assert valid, messages
    # Re-imported by another agency, the export creates nothing of the Chinese park's: every row
    # is left out, and the report names the agency whose records they are.
    run = import_example(target, ru_agency)
    assert (run.deployments, run.media, run.observations) == (0, 0, 0)
    for model in (Deployment, Media, Observation):
        assert not model.objects.filter(owner_agency=ru_agency).exists()
    counts = run.import_report.counts
    assert (counts["deployments"]["refused"], counts["media"]["refused"], counts["observations"]["refused"]) == (
        4,
        423,
        549,
    )
    assert any(n.get("agency") == cn_agency.code for n in run.import_report.notices)

    def rows(model, fields, agency):
        return sorted(model.objects.filter(owner_agency=agency).values_list(*fields))

    dep_fields = [
        f.name
        for f in Deployment._meta.concrete_fields
        if f.name
        not in {"id", "owner_agency", "created_at", "updated_at", "revision", "created_by", "import_run", "sensitivity"}
    ]
    before = {"deployments": rows(Deployment, dep_fields, cn_agency)}
    media_fields = [
        "media_id",
        "deployment__deployment_id",
        "capture_method",
        "timestamp",
        "file_path",
        "file_public",
        "file_name",
        "file_mediatype",
        "exif_data",
        "favorite",
        "media_comments",
    ]
    before["media"] = rows(Media, media_fields, cn_agency)
    obs_fields = [
        f.name
        for f in Observation._meta.concrete_fields
        if f.name
        not in {
            "id",
            "owner_agency",
            "created_at",
            "updated_at",
            "revision",
            "created_by",
            "import_run",
            "sensitivity",
            "deployment",
            "media",
            "individual",
        }
    ] + ["deployment__deployment_id", "media__media_id"]
    before["observations"] = rows(Observation, obs_fields, cn_agency)

    # Lossless: with the Chinese park's records gone, its own export imports back as they were.
    for model in (Observation, Media, Deployment):
        model.objects.filter(owner_agency=cn_agency).delete()
    run = import_example(target, cn_agency)
    assert (run.deployments, run.media, run.observations) == (4, 423, 549)
    assert rows(Deployment, dep_fields, cn_agency) == before["deployments"]
    assert rows(Media, media_fields, cn_agency) == before["media"]
    assert rows(Observation, obs_fields, cn_agency) == before["observations"]


def _copy_example(example_dir, target):
    import shutil

    shutil.copytree(example_dir, target)
    return target


def _edit_csv(path, row_index, field, value):
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index(field)
    rows[row_index][column] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


@pytest.mark.django_db
def test_reimport_updates_and_never_duplicates(cn_agency, example_dir, tmp_path):
    package = _copy_example(example_dir, tmp_path / "pkg")
    import_example(package, cn_agency)
    first = Observation.objects.get(owner_agency=cn_agency, observation_id="705e6036")
    _edit_csv(package / "observations.csv", 1, "count", "3")
    run = import_example(package, cn_agency)
    assert run.observations == 549
    assert Observation.objects.count() == 549 and Media.objects.count() == 423 and Deployment.objects.count() == 4
    again = Observation.objects.get(owner_agency=cn_agency, observation_id="705e6036")
    assert again.pk == first.pk and again.count == 3 and again.revision == first.revision + 1


@pytest.mark.django_db
def test_bad_package_names_resource_row_field_and_changes_nothing(cn_agency, example_dir, tmp_path):
    from monitoring.camtrap.importer import PackageInvalid

    package = _copy_example(example_dir, tmp_path / "pkg")
    _edit_csv(package / "observations.csv", 10, "count", "many")
    _edit_csv(package / "deployments.csv", 2, "latitude", "95")
    with pytest.raises(PackageInvalid) as caught:
        import_example(package, cn_agency)
    errors = caught.value.errors
    assert {"resource": "deployments", "row": 3, "field": "latitude"}.items() <= errors[0].items()
    assert Deployment.objects.count() == 0 and Media.objects.count() == 0 and Observation.objects.count() == 0


@pytest.mark.django_db
def test_bad_value_late_in_the_package_rolls_back_everything(cn_agency, example_dir, tmp_path):
    from monitoring.camtrap.importer import PackageInvalid

    package = _copy_example(example_dir, tmp_path / "pkg")
    _edit_csv(package / "observations.csv", 549, "observationLevel", "frame")
    with pytest.raises(PackageInvalid) as caught:
        import_example(package, cn_agency, batch_size=100)
    error = caught.value.errors[0]
    assert (error["resource"], error["row"], error["field"]) == ("observations", 550, "observationLevel")
    assert "frame" in error["message"]
    assert Deployment.objects.count() == 0 and Media.objects.count() == 0 and Observation.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_ids_across_batches_are_refused(cn_agency, example_dir, tmp_path):
    from monitoring.camtrap.importer import PackageInvalid

    package = _copy_example(example_dir, tmp_path / "pkg")
    _edit_csv(package / "observations.csv", 500, "observationID", "705e6036")
    with pytest.raises(PackageInvalid) as caught:
        import_example(package, cn_agency, batch_size=50)
    error = caught.value.errors[0]
    assert (error["resource"], error["row"], error["field"]) == ("observations", 501, "observationID")
    assert Observation.objects.count() == 0


@pytest.mark.django_db
def test_descriptor_is_validated_against_the_profile(cn_agency, example_dir, tmp_path):
    import json

    from monitoring.camtrap.importer import PackageInvalid

    package = _copy_example(example_dir, tmp_path / "pkg")
    descriptor = json.loads((package / "datapackage.json").read_text())
    del descriptor["project"]
    (package / "datapackage.json").write_text(json.dumps(descriptor))
    with pytest.raises(PackageInvalid) as caught:
        import_example(package, cn_agency)
    assert any("project" in e["message"] for e in caught.value.errors)


@pytest.mark.django_db
def test_crosswalk_maps_local_codes_and_unknown_code_is_named(cn_agency, example_dir, tmp_path):
    from monitoring.camtrap.importer import PackageInvalid
    from monitoring.models import Crosswalk

    package = _copy_example(example_dir, tmp_path / "pkg")
    _edit_csv(package / "deployments.csv", 1, "featureType", "звериная тропа")
    with pytest.raises(PackageInvalid) as caught:
        import_example(package, cn_agency)
    error = caught.value.errors[0]
    assert (error["resource"], error["row"], error["field"]) == ("deployments", 2, "featureType")
    assert "звериная тропа" in error["message"]
    Crosswalk.objects.create(
        agency=cn_agency, vocabulary="feature_type", local_code="звериная тропа", shared_key="trailGame"
    )
    import_example(package, cn_agency)
    assert Deployment.objects.get(deployment_id="00a2c20d").feature_type_id == "trailGame"


@pytest.mark.django_db
def test_crosswalk_refuses_unknown_shared_key(cn_agency):
    from django.core.exceptions import ValidationError

    from monitoring.models import Crosswalk

    with pytest.raises(ValidationError):
        Crosswalk(agency=cn_agency, vocabulary="feature_type", local_code="x", shared_key="nonsense").full_clean()


@pytest.mark.django_db
def test_api_import_endpoint(api_client, cn_staff, example_dir, tmp_path):
    import shutil

    archive = shutil.make_archive(str(tmp_path / "example"), "zip", example_dir)
    api_client.force_authenticate(cn_staff)
    with open(archive, "rb") as handle:
        response = api_client.post(
            "/api/v1/monitoring/camtrap-dp/imports/", {"file": handle, **CONFIRM}, format="multipart"
        )
    assert response.status_code == 201, response.data
    assert (response.data["deployments"], response.data["media"], response.data["observations"]) == (4, 423, 549)
    listed = api_client.get("/api/v1/monitoring/camtrap-dp/imports/").data["results"]
    assert listed[0]["observations"] == 549 and listed[0]["package_name"] == "camtrap-dp-example-dataset"
    bad = tmp_path / "bad"
    shutil.copytree(example_dir, bad)
    _edit_csv(bad / "media.csv", 5, "filePublic", "maybe")
    archive = shutil.make_archive(str(tmp_path / "bad"), "zip", bad)
    with open(archive, "rb") as handle:
        response = api_client.post(
            "/api/v1/monitoring/camtrap-dp/imports/", {"file": handle, **CONFIRM}, format="multipart"
        )
    assert response.status_code == 400
    assert response.data["errors"][0]["resource"] == "media"
    assert response.data["errors"][0]["row"] == 6 and response.data["errors"][0]["field"] == "filePublic"


@pytest.mark.django_db
def test_commands_import_and_export(cn_agency, ru_agency, example_dir, tmp_path):
    from django.core.management import call_command
    from dwca.read import DwCAReader

    from monitoring.camtrap.validate import frictionless_report

    call_command("import_camtrap_dp", str(example_dir), agency=cn_agency.code, confirm_outside_region=True)
    assert Observation.objects.count() == 549
    out = tmp_path / "export.zip"
    call_command(
        "export_camtrap_dp", as_agency=ru_agency.code, output=str(out), agency=cn_agency.code, start="2020-06-01"
    )
    valid, messages = frictionless_report(out)
    assert valid, messages
    dwca = tmp_path / "dwca.zip"
    call_command("export_dwca", as_agency=ru_agency.code, output=str(dwca))
    with DwCAReader(str(dwca)) as reader:
        rows = list(reader)
        assert reader.descriptor.core.type == "http://rs.tdwg.org/dwc/terms/Occurrence"
        assert reader.metadata is not None
    assert rows
    assert all(r.data["http://rs.tdwg.org/dwc/terms/basisOfRecord"] == "MachineObservation" for r in rows)
    assert {r.data["http://rs.tdwg.org/dwc/terms/scientificName"] for r in rows} >= {"Anas platyrhynchos"}


@pytest.mark.django_db
def test_export_filters_by_species_and_period(cn_agency, example_dir, tmp_path):
    import csv
    import io
    import zipfile

    from core.access import Principal
    from core.models import Species
    from monitoring.camtrap.exporter import export_package

    import_example(example_dir, cn_agency)
    target = tmp_path / "mallard.zip"
    mallard = Species.objects.get(scientific_name="Anas platyrhynchos")
    summary = export_package(Principal(agency=cn_agency), target, species=mallard)
    assert summary["observations"] == Observation.objects.filter(species=mallard).count()
    with zipfile.ZipFile(target) as archive:
        names = {r["scientificName"] for r in csv.DictReader(io.StringIO(archive.read("observations.csv").decode()))}
    assert names == {"Anas platyrhynchos"}


@pytest.mark.django_db
def test_api_exports(api_client, cn_staff, cn_agency, example_dir):
    import io
    import zipfile

    import_example(example_dir, cn_agency)
    api_client.force_authenticate(cn_staff)
    response = api_client.get("/api/v1/monitoring/camtrap-dp/export/", {"agency": "CNPARK"})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {"datapackage.json", "deployments.csv", "media.csv", "observations.csv"} <= set(archive.namelist())
    response = api_client.get("/api/v1/monitoring/dwca/export/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {"occurrence.txt", "meta.xml", "eml.xml"} <= set(archive.namelist())
    assert api_client.get("/api/v1/monitoring/camtrap-dp/export/", {"start": "nope"}).status_code == 400


@pytest.mark.django_db
def test_command_dry_run_and_region_confirmation(cn_agency, example_dir):
    import io

    from django.core.management import CommandError, call_command

    from monitoring.models import ImportRun

    # The Belgian example lies outside the portal's region: refused unless confirmed.
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_camtrap_dp", str(example_dir), agency=cn_agency.code, stderr=err)
    assert "outside the portal's region" in err.getvalue()
    out = io.StringIO()
    call_command(
        "import_camtrap_dp",
        str(example_dir),
        agency=cn_agency.code,
        dry_run=True,
        confirm_outside_region=True,
        stdout=out,
    )
    assert "observations: 549 created" in out.getvalue() and "nothing was written" in out.getvalue()
    assert not Deployment.objects.exists() and not ImportRun.objects.exists()
    call_command("import_camtrap_dp", str(example_dir), agency=cn_agency.code, confirm_outside_region=True, stdout=out)
    assert Observation.objects.filter(owner_agency=cn_agency).count() == 549


@pytest.mark.django_db
def test_the_run_keeps_the_source_metadata_its_report_and_the_offsets_as_written(cn_agency, example_dir, tmp_path):
    import csv
    import datetime
    import json

    from monitoring.models import ImportRun

    package = _copy_example(example_dir, tmp_path / "offsets")
    # Times as devices write them: "Z", a negative offset and fractional seconds.
    _edit_csv(package / "deployments.csv", 2, "deploymentStart", "2020-06-01T10:00:00.250Z")
    _edit_csv(package / "observations.csv", 1, "eventStart", "2020-06-02T08:00:00.5-03:30")
    with open(package / "observations.csv", newline="", encoding="utf-8") as handle:
        first = next(csv.DictReader(handle))
    _edit_csv(package / "observations.csv", 1, "eventEnd", "2020-06-02T08:00:01-03:30")
    run = import_example(package, cn_agency)
    run = ImportRun.objects.get(pk=run.pk)
    descriptor = json.loads((package / "datapackage.json").read_text())
    assert run.metadata == {k: v for k, v in descriptor.items() if k != "resources"}
    assert run.report["counts"]["observations"]["created"] == 549 and not run.report["dry_run"]

    def written(name, key, field):
        with open(package / name, newline="", encoding="utf-8") as handle:
            return {
                r[key]: datetime.datetime.fromisoformat(r[field]).utcoffset() // datetime.timedelta(minutes=1)
                for r in csv.DictReader(handle)
            }

    expected = written("deployments.csv", "deploymentID", "deploymentStart")
    assert dict(Deployment.objects.values_list("deployment_id", "utc_offset")) == expected
    assert dict(Media.objects.values_list("media_id", "utc_offset")) == written("media.csv", "mediaID", "timestamp")
    with open(package / "deployments.csv", newline="", encoding="utf-8") as handle:
        second = list(csv.DictReader(handle))[1]["deploymentID"]
    assert expected[second] == 0
    deployment = Deployment.objects.get(deployment_id=second)
    assert deployment.start == datetime.datetime(2020, 6, 1, 10, 0, 0, 250000, tzinfo=datetime.UTC)
    observation = Observation.objects.get(observation_id=first["observationID"])
    assert observation.utc_offset == -210 and observation.event_start.microsecond == 500000
