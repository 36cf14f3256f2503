"""Imports never damage shared data; a preview before anything is written; progress of queued imports.

On the real Agouti export shipped in monitoring/tests/data/camtrap-dp-1.0 (README.md there).
Each test is written against the rule, and fails on the importer before this change:
- re-importing another agency's export as your agency copies none of its records into your name;
- an ID of another agency's catalogue individual never becomes a new individual;
- a re-import never clears what the package does not mention (survey, feature type, a dropped
  column, the sensitivity the owner chose) and leaves unchanged rows untouched;
- points outside the configured region are refused unless the user confirms;
- a dry run (page and API) answers created / updated / unchanged / refused and writes nothing;
- a queued import reports its progress (page and API status resource).
"""

import csv
import datetime
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from core.access import Principal
from monitoring.camtrap.importer import PackageInvalid, import_package
from monitoring.models import Deployment, ImportRun, Individual, IndividualAlias, Media, Observation, Survey

DATA = Path(__file__).resolve().parent / "data"
AGOUTI = DATA / "camtrap-dp-1.0"
LOWER_TUMEN = (128.0, 41.5, 134.5, 45.5)


def rows_of(package, table):
    with open(package / f"{table}.csv", newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def rewrite(path, change):
    """Rewrite a CSV: change(header, rows) edits them in place."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    change(header, body)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *body])


def set_cell(path, row_index, field, value):
    def change(header, body):
        body[row_index - 1][header.index(field)] = value

    rewrite(path, change)


def copy(tmp_path, name="pkg", source=AGOUTI):
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


def zipped(folder, target):
    with zipfile.ZipFile(target, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, path.name)
    return target


def counts(agency):
    return tuple(m.objects.filter(owner_agency=agency).count() for m in (Deployment, Media, Observation))


def package_counts(package):
    return tuple(len(rows_of(package, t)) for t in ("deployments", "media", "observations"))


@pytest.fixture(autouse=True)
def no_region(settings):
    """The shipped packages are Belgian: the region rule is switched on by the tests about it."""
    settings.PORTAL_REGION_BBOX = None


@pytest.fixture(autouse=True)
def vocabularies(db):
    from monitoring.models import EffortUnit, FeatureType, ObservationType
    from monitoring.vocabularies import seed_vocabularies

    seed_vocabularies(ObservationType, FeatureType, EffortUnit)


@pytest.fixture
def agouti_species(db):
    """The Agouti export's taxa in the shared list (an import never adds them)."""
    from core.tests.factories import SpeciesFactory

    taxa = json.loads((AGOUTI / "datapackage.json").read_text())["taxonomic"]
    return [
        SpeciesFactory(
            scientific_name=t["scientificName"],
            common_name_en=t["vernacularNames"].get("eng", t["scientificName"]),
            common_name_zh_hans="",
            common_name_ru="",
            sensitivity_category=0,
            is_target=False,
        )
        for t in taxa
    ]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- records of another agency -------------------------------------------------------------------


@pytest.mark.django_db
def test_reimporting_another_agencys_export_copies_none_of_its_records(cn_agency, ru_agency, agouti_species, tmp_path):
    """Main made Russian-owned copies of every Chinese deployment, media and observation."""
    from monitoring.camtrap.exporter import export_package

    import_package(AGOUTI, cn_agency)
    before = sorted(Deployment.objects.values_list("pk", "revision", "latitude"))
    exported = tmp_path / "portal-export.zip"
    export_package(Principal(agency=cn_agency, role="agency_staff"), exported)

    run = import_package(exported, ru_agency)
    assert counts(ru_agency) == (0, 0, 0)
    assert (run.deployments, run.media, run.observations) == (0, 0, 0)
    report = run.import_report.as_dict()
    assert [report["counts"][t]["refused"] for t in ("deployments", "media", "observations")] == list(
        package_counts(AGOUTI)
    )
    assert any("CNPARK" in n["text"] for n in report["notices"])
    assert sorted(Deployment.objects.values_list("pk", "revision", "latitude")) == before  # theirs untouched

    # The same export with one deployment that really is the Russian park's: only that one comes in.
    mixed = copy(tmp_path, "mixed")
    ours = rows_of(mixed, "deployments")[0]["deploymentID"]

    def rename(header, body):
        for row in body:
            if row[header.index("deploymentID")] == ours:
                row[header.index("deploymentID")] = "RU-" + ours
                if "mediaID" in header and header[0] == "mediaID":
                    row[0] = "RU-" + row[0]
                if header[0] == "observationID":
                    row[0] = "RU-" + row[0]
                    if row[header.index("mediaID")]:
                        row[header.index("mediaID")] = "RU-" + row[header.index("mediaID")]

    for table in ("deployments", "media", "observations"):
        rewrite(mixed / f"{table}.csv", rename)
    run = import_package(mixed, ru_agency)
    theirs_media = sum(1 for m in rows_of(AGOUTI, "media") if m["deploymentID"] == ours)
    theirs_obs = sum(1 for o in rows_of(AGOUTI, "observations") if o["deploymentID"] == ours)
    assert counts(ru_agency) == (1, theirs_media, theirs_obs)
    assert list(Deployment.objects.filter(owner_agency=ru_agency).values_list("deployment_id", flat=True)) == [
        "RU-" + ours
    ]
    assert sorted(Deployment.objects.filter(owner_agency=cn_agency).values_list("pk", "revision", "latitude")) == before


@pytest.mark.django_db
def test_an_id_of_another_agencys_individual_never_becomes_a_new_individual(
    cn_agency, ru_agency, agouti_species, leopard, tmp_path
):
    """Main created new catalogue individuals carrying the Chinese park's IDs (3 leopards became 5)."""
    from monitoring.services.catalogue import individual_for_alias

    theirs = individual_for_alias(cn_agency, "CN-L3", leopard)
    coded = individual_for_alias(cn_agency, "CN-L4", leopard)
    package = copy(tmp_path)
    animals = [i for i, o in enumerate(rows_of(package, "observations"), start=1) if o["observationType"] == "animal"]
    for index, individual_id in zip(animals, ["CN-L3", coded.catalogue_code, "RU-L1", "RU-L1"], strict=False):
        set_cell(package / "observations.csv", index, "scientificName", "Panthera pardus orientalis")
        set_cell(package / "observations.csv", index, "individualID", individual_id)
    run = import_package(package, ru_agency)

    observations = {o["observationID"]: o for o in rows_of(package, "observations")}
    ids = [list(observations)[i - 1] for i in animals[:4]]
    linked = dict(Observation.objects.filter(observation_id__in=ids).values_list("observation_id", "individual_id"))
    assert linked[ids[0]] is None  # another agency's ID: not linked, nothing created
    assert linked[ids[1]] == coded.pk  # the catalogue code is that individual
    new = IndividualAlias.objects.get(agency=ru_agency, local_id="RU-L1").individual
    assert linked[ids[2]] == linked[ids[3]] == new.pk
    assert Individual.objects.count() == 3  # theirs, coded, and the one new Russian ID
    assert not IndividualAlias.objects.filter(agency=ru_agency, local_id__in=["CN-L3", coded.catalogue_code]).exists()
    assert theirs.aliases.count() == 1
    assert run.import_report.individuals_created == 1
    assert any("CN-L3" in n["message"] for n in run.import_report.notices)


# --- what the package does not mention -----------------------------------------------------------


@pytest.mark.django_db
def test_a_reimport_never_clears_what_the_package_does_not_mention(cn_agency, agouti_species, tmp_path):
    """Main detached the deployments from their survey, erased feature types and every dropped column."""
    survey = Survey.objects.create(
        owner_agency=cn_agency, name="Joint survey 2020", start_date=datetime.date(2020, 1, 1)
    )
    package = copy(tmp_path)
    import_package(package, cn_agency, survey=survey)
    first = rows_of(package, "deployments")[0]["deploymentID"]
    Deployment.objects.filter(owner_agency=cn_agency, deployment_id=first).update(
        feature_type_id="roadDirt", sensitivity="owner"
    )
    Deployment.objects.filter(owner_agency=cn_agency).update(habitat="Mixed forest on the ridge")
    before = dict(Deployment.objects.values_list("deployment_id", "revision"))
    media_before = dict(Media.objects.values_list("media_id", "revision"))

    def drop_habitat(header, body):
        at = header.index("habitat")
        del header[at]
        for row in body:
            del row[at]

    rewrite(package / "deployments.csv", drop_habitat)
    set_cell(package / "deployments.csv", 1, "featureType", "")
    run = import_package(package, cn_agency)  # no survey chosen this time

    stored = Deployment.objects.filter(owner_agency=cn_agency)
    assert set(stored.values_list("survey_id", flat=True)) == {survey.pk}
    assert set(stored.values_list("habitat", flat=True)) == {"Mixed forest on the ridge"}
    one = stored.get(deployment_id=first)
    assert one.feature_type_id == "roadDirt" and one.sensitivity == "owner"
    # Nothing the package says changed: no row was written, no revision moved.
    assert dict(Deployment.objects.values_list("deployment_id", "revision")) == before
    assert dict(Media.objects.values_list("media_id", "revision")) == media_before
    report = run.import_report.as_dict()["counts"]
    assert report["deployments"] == {"created": 0, "updated": 0, "unchanged": 4, "refused": 0}
    assert report["observations"]["unchanged"] == len(rows_of(package, "observations"))

    # What the package does say is updated.
    set_cell(package / "observations.csv", 1, "count", "7")
    run = import_package(package, cn_agency)
    assert run.import_report.counts["observations"]["updated"] == 1
    key = rows_of(package, "observations")[0]["observationID"]
    assert Observation.objects.get(owner_agency=cn_agency, observation_id=key).count == 7


# --- the region ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_points_outside_the_region_are_refused_unless_confirmed(
    settings, client, cn_staff, cn_agency, agouti_species, tmp_path
):
    """Main took Belgian camera points into a Lower Tumen portal without a question."""
    settings.PORTAL_REGION_BBOX = LOWER_TUMEN
    with pytest.raises(PackageInvalid) as refused:
        import_package(AGOUTI, cn_agency)
    first = refused.value.errors[0]
    assert first["code"] == "outside_region" and first["resource"] == "deployments"
    assert rows_of(AGOUTI, "deployments")[0]["deploymentID"] in first["message"]
    assert counts(cn_agency) == (0, 0, 0)

    archive = zipped(AGOUTI, tmp_path / "agouti.zip")
    client.force_login(cn_staff)
    with open(archive, "rb") as handle:
        page = client.post(reverse("monitoring:camtrap-import"), {"file": handle, "action": "import"})
    assert page.status_code == 200 and "outside-region-hint" in page.content.decode()
    assert counts(cn_agency) == (0, 0, 0)
    with open(archive, "rb") as handle:
        page = client.post(
            reverse("monitoring:camtrap-import"),
            {"file": handle, "action": "import", "confirm_outside_region": "on"},
        )
    assert page.status_code == 302
    assert counts(cn_agency) == package_counts(AGOUTI)

    # A point inside the region needs no confirmation.
    inside = copy(tmp_path, "inside")

    def move(header, body):
        for row in body:
            row[header.index("latitude")], row[header.index("longitude")] = "43.15", "131.10"
            row[header.index("deploymentID")] = "LOTL-" + row[header.index("deploymentID")]

    rewrite(inside / "deployments.csv", move)
    for table in ("media", "observations"):

        def prefix(header, body):
            at = header.index("deploymentID")
            for row in body:
                row[at] = "LOTL-" + row[at]
                row[0] = "LOTL-" + row[0]
                if header[0] == "observationID" and row[header.index("mediaID")]:
                    row[header.index("mediaID")] = "LOTL-" + row[header.index("mediaID")]

        rewrite(inside / f"{table}.csv", prefix)
    assert import_package(inside, cn_agency).deployments == 4


# --- preview -------------------------------------------------------------------------------------


def _nothing():
    return (
        Deployment.objects.count(),
        Media.objects.count(),
        Observation.objects.count(),
        ImportRun.objects.count(),
        Individual.objects.count(),
    )


@pytest.mark.django_db
def test_a_dry_run_tells_what_would_change_and_writes_nothing(
    client, cn_staff, cn_agency, agouti_species, leopard, tmp_path
):
    from monitoring.camtrap.importer import preview_package

    package = copy(tmp_path)
    set_cell(package / "observations.csv", 1, "scientificName", "Panthera pardus orientalis")
    set_cell(package / "observations.csv", 1, "individualID", "T-9")
    report = preview_package(package, cn_agency).as_dict()
    expected = package_counts(package)
    assert [report["counts"][t]["created"] for t in ("deployments", "media", "observations")] == list(expected)
    assert report["individuals_created"] == 1 and report["dry_run"] is True
    assert _nothing() == (0, 0, 0, 0, 0)

    import_package(package, cn_agency)
    set_cell(package / "observations.csv", 2, "count", "5")
    report = preview_package(package, cn_agency).as_dict()
    assert report["counts"]["observations"] == {
        "created": 0,
        "updated": 1,
        "unchanged": expected[2] - 1,
        "refused": 0,
    }
    assert report["counts"]["deployments"]["unchanged"] == expected[0]
    key = rows_of(package, "observations")[1]["observationID"]
    assert Observation.objects.get(observation_id=key).count != 5

    # The page: a preview button that writes nothing and shows the table.
    archive = zipped(package, tmp_path / "pkg.zip")
    client.force_login(cn_staff)
    state = _nothing()
    with open(archive, "rb") as handle:
        page = client.post(reverse("monitoring:camtrap-import"), {"file": handle, "action": "preview"})
    body = page.content.decode()
    assert page.status_code == 200 and 'id="import-preview"' in body
    assert 'data-table="observations"' in body and 'data-kind="updated">1<' in body
    assert _nothing() == state


@pytest.mark.django_db
def test_the_api_previews_imports_and_queues(
    settings, media_root, cn_staff, cn_agency, agouti_species, tmp_path, monkeypatch
):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from monitoring.api.imports import CamtrapImportView
    from monitoring.models.imports import ImportJob
    from monitoring.tasks import run_import_job_task

    factory = APIRequestFactory()
    archive = zipped(AGOUTI, tmp_path / "agouti.zip")

    def post(**extra):
        with open(archive, "rb") as handle:
            request = factory.post("/api/v1/monitoring/camtrap-dp/imports/", {"file": handle, **extra})
        force_authenticate(request, user=cn_staff)
        return CamtrapImportView.as_view()(request)

    response = post(dry_run="true")
    assert response.status_code == 200 and response.data["dry_run"] is True
    assert response.data["counts"]["deployments"]["created"] == 4
    assert _nothing() == (0, 0, 0, 0, 0)

    settings.PORTAL_REGION_BBOX = LOWER_TUMEN
    response = post()
    assert response.status_code == 400 and response.data["errors"][0]["code"] == "outside_region"
    response = post(confirm_outside_region="true")
    assert response.status_code == 201 and response.data["report"]["counts"]["deployments"]["created"] == 4

    settings.PORTAL_INLINE_IMPORT_ROWS = 10
    sent = []
    monkeypatch.setattr(run_import_job_task, "delay", lambda job_id: sent.append(job_id))
    response = post(confirm_outside_region="true")
    assert response.status_code == 202 and response.data["status"] == "queued"
    assert response.data["progress"]["done"] == 0 and response.data["rows"] == sum(package_counts(AGOUTI))
    job = ImportJob.objects.get()
    assert response.data["status_url"].endswith(f"/camtrap-dp/import-jobs/{job.pk}/")


@pytest.mark.django_db
def test_a_queued_import_shows_its_progress_on_the_page_and_in_the_api(
    settings,
    media_root,
    client,
    cn_staff,
    ru_staff,
    cn_agency,
    agouti_species,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from monitoring.api.imports import ImportJobStatusView
    from monitoring.camtrap import jobs
    from monitoring.models.imports import ImportJob
    from monitoring.tasks import run_import_job_task

    settings.PORTAL_INLINE_IMPORT_ROWS = 10
    settings.PORTAL_REGION_BBOX = LOWER_TUMEN
    sent = []
    monkeypatch.setattr(run_import_job_task, "delay", lambda job_id: sent.append(job_id))
    archive = zipped(AGOUTI, tmp_path / "agouti.zip")
    client.force_login(cn_staff)
    with open(archive, "rb") as handle:  # too big for the request, outside the region: refused now, not queued
        page = client.post(reverse("monitoring:camtrap-import"), {"file": handle, "action": "import"})
    assert page.status_code == 200 and "outside-region-hint" in page.content.decode()
    assert not ImportJob.objects.exists() and sent == []
    with django_capture_on_commit_callbacks(execute=True), open(archive, "rb") as handle:
        page = client.post(
            reverse("monitoring:camtrap-import"),
            {"file": handle, "action": "import", "confirm_outside_region": "on"},
        )
    assert page.status_code == 302
    job = ImportJob.objects.get()
    total = sum(package_counts(AGOUTI))
    page = client.get(reverse("monitoring:camtrap-import")).content.decode()
    assert f"0 of {total} rows" in page and 'http-equiv="refresh"' in page

    seen = []
    real = jobs.set_progress
    monkeypatch.setattr(jobs, "set_progress", lambda *a, **k: (seen.append(a[1:3]), real(*a, **k)))
    run_import_job_task.apply(args=[sent[-1]]).get()
    job.refresh_from_db()
    assert job.status == "done" and counts(cn_agency) == package_counts(AGOUTI)  # confirmed when queued
    done = [d for d, _t in seen]
    assert done == sorted(done) and len(done) > 2 and seen[-1] == (total, total)

    page = client.get(reverse("monitoring:camtrap-import")).content.decode()
    assert f"{total} of {total} rows" in page and 'http-equiv="refresh"' not in page

    factory = APIRequestFactory()

    def status_of(user):
        request = factory.get(f"/api/v1/monitoring/camtrap-dp/import-jobs/{job.pk}/")
        force_authenticate(request, user=user)
        return ImportJobStatusView.as_view()(request, pk=job.pk)

    answer = status_of(cn_staff)
    assert answer.status_code == 200
    assert answer.data["status"] == "done" and answer.data["progress"]["done"] == total
    assert answer.data["progress"]["percent"] == 100 and answer.data["import"]["deployments"] == 4
    assert status_of(ru_staff).status_code == 404  # another agency's job is not there for it
