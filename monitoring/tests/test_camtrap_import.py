import pytest

from monitoring.camtrap.importer import import_package
from monitoring.models import Deployment, Media, Observation


@pytest.mark.django_db
def test_official_example_imports(cn_agency, example_dir):
    run = import_package(example_dir, cn_agency)
    assert (run.deployments, run.media, run.observations) == (4, 423, 549)
    assert Deployment.objects.count() == 4
    assert Media.objects.count() == 423
    assert Observation.objects.count() == 549


@pytest.mark.django_db
def test_export_validates_and_round_trips(cn_agency, ru_agency, example_dir, tmp_path):
    from core.access import Principal
    from monitoring.camtrap.exporter import export_package
    from monitoring.camtrap.validate import frictionless_report

    import_package(example_dir, cn_agency)
    target = tmp_path / "export.zip"
    summary = export_package(Principal(agency=cn_agency, role="agency_staff"), target)
    assert (summary["deployments"], summary["media"], summary["observations"]) == (4, 423, 549)
    valid, messages = frictionless_report(target)
    assert valid, messages
    run = import_package(target, ru_agency)
    assert (run.deployments, run.media, run.observations) == (4, 423, 549)

    def rows(model, fields, agency):
        return sorted(model.objects.filter(owner_agency=agency).values_list(*fields))

    dep_fields = [
        f.name
        for f in Deployment._meta.concrete_fields
        if f.name
        not in {"id", "owner_agency", "created_at", "updated_at", "revision", "created_by", "import_run", "sensitivity"}
    ]
    assert rows(Deployment, dep_fields, cn_agency) == rows(Deployment, dep_fields, ru_agency)
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
    assert rows(Media, media_fields, cn_agency) == rows(Media, media_fields, ru_agency)
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
    assert rows(Observation, obs_fields, cn_agency) == rows(Observation, obs_fields, ru_agency)
