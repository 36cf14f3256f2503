"""Import limits and malformed packages: refused with a clear message before any work, on every path;
big packages go through the task queue, all or nothing, and only as their own agency.
"""

import csv
import io
import json
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import Notification
from monitoring.camtrap.importer import PackageInvalid
from monitoring.models import Deployment, ImportRun, Media, Observation
from monitoring.models.imports import ImportJob
from monitoring.tests.conftest import CONFIRM, EXAMPLE, import_example


@pytest.fixture
def shared_example_species(db):
    from core.tests.factories import SpeciesFactory

    taxa = json.loads((EXAMPLE / "datapackage.json").read_text())["taxonomic"]
    return [
        SpeciesFactory(
            scientific_name=t["scientificName"],
            common_name_en=t["vernacularNames"]["eng"],
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


def _copy(tmp_path, name="pkg"):
    target = tmp_path / name
    shutil.copytree(EXAMPLE, target)
    return target


def _edit_csv(path, row_index, field, value):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[row_index][rows[0].index(field)] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _zip(folder, target):
    return shutil.make_archive(str(target), "zip", folder)


def _nothing_written():
    return not (Deployment.objects.exists() or Media.objects.exists() or Observation.objects.exists())


def _every_path(client, api_client, user, agency, archive, folder=None):
    """Send one package through the page, the API, the command and the task: (path, refusal text)."""
    from monitoring.tasks import import_camtrap_dp_task

    client.force_login(user)
    with open(archive, "rb") as handle:
        response = client.post(reverse("monitoring:camtrap-import"), {"file": handle, **CONFIRM})
    assert response.status_code == 200, response.status_code  # the form again, with the errors
    yield "page", response.content.decode()

    api_client.force_authenticate(user)
    with open(archive, "rb") as handle:
        response = api_client.post(
            "/api/v1/monitoring/camtrap-dp/imports/", {"file": handle, **CONFIRM}, format="multipart"
        )
    assert response.status_code == 400, response.content
    yield "api", json.dumps(response.json(), ensure_ascii=False)

    with pytest.raises(PackageInvalid) as caught:
        import_example(str(folder or archive), agency)
    yield "importer", " ".join(e["message"] for e in caught.value.errors)

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_camtrap_dp", str(folder or archive), agency=agency.code, stderr=err, confirm_outside_region=True
        )
    yield "command", err.getvalue()

    result = import_camtrap_dp_task.apply(args=[str(archive), agency.code], kwargs=CONFIRM).get()
    assert result["ok"] is False
    yield "task", " ".join(e["message"] for e in result["errors"])


def _assert_refused_everywhere(client, api_client, cn_staff, cn_agency, archive, expected, folder=None):
    for path, text in _every_path(client, api_client, cn_staff, cn_agency, archive, folder):
        assert expected in text, (path, text[:2000])
        assert _nothing_written(), path
        assert not ImportRun.objects.exists(), path


# --- limits ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_too_many_rows_are_refused_before_any_work(
    settings, client, api_client, cn_staff, cn_agency, shared_example_species, tmp_path
):
    settings.PORTAL_MAX_IMPORT_ROWS = 900  # the example has 4 + 423 + 549 rows
    archive = _zip(EXAMPLE, tmp_path / "example")
    _assert_refused_everywhere(
        client, api_client, cn_staff, cn_agency, archive, "at most 900 are accepted", folder=EXAMPLE
    )
    settings.PORTAL_MAX_IMPORT_ROWS = 976
    assert import_example(archive, cn_agency).observations == 549


@pytest.mark.django_db
def test_line_breaks_in_quoted_cells_do_not_count_as_rows(settings, cn_agency, shared_example_species, tmp_path):
    package = _copy(tmp_path)
    for row in range(1, 60):
        _edit_csv(package / "observations.csv", row, "observationComments", "one\ntwo\nthree")
    settings.PORTAL_MAX_IMPORT_ROWS = 976  # exactly the records, far fewer than the lines
    assert import_example(package, cn_agency).observations == 549


@pytest.mark.django_db
def test_a_package_larger_unpacked_than_the_limit_is_refused(
    settings, client, api_client, cn_staff, cn_agency, shared_example_species, tmp_path
):
    settings.PORTAL_MAX_IMPORT_MB = 1
    package = _copy(tmp_path)
    (package / "padding.bin").write_bytes(b"\0" * (2 * 1024 * 1024))  # packs to a few kB
    archive = _zip(package, tmp_path / "big")
    _assert_refused_everywhere(client, api_client, cn_staff, cn_agency, archive, "larger than 1 MB unpacked")
    # A folder on the server (command, task) is measured by what is read.
    grown = _copy(tmp_path, "grown")
    _edit_csv(grown / "observations.csv", 3, "observationComments", "x" * 100_000)
    with open(grown / "observations.csv", "a", encoding="utf-8") as handle:
        handle.write("\n" * (1024 * 1024))
    with pytest.raises(PackageInvalid, match="larger than 1 MB"):
        import_example(grown, cn_agency)
    assert _nothing_written()


@pytest.mark.django_db
def test_a_zip_that_lies_about_its_sizes_is_refused_not_unpacked(
    client, api_client, cn_staff, cn_agency, shared_example_species, tmp_path
):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in EXAMPLE.iterdir():
            data = path.read_bytes()
            if path.name == "observations.csv":
                data += b"\n" * (5 * 1024 * 1024)
            out.writestr(path.name, data)
    # Claim 100 bytes for observations.csv in the central directory: a zip bomb's trick.
    raw = bytearray(archive.read_bytes())
    name = b"observations.csv"
    at = raw.find(b"PK\x01\x02")  # the central directory entries
    while at != -1:
        name_length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + name_length] == name:
            struct.pack_into("<I", raw, at + 24, 100)
        at = raw.find(b"PK\x01\x02", at + 4)
    archive.write_bytes(bytes(raw))
    _assert_refused_everywhere(client, api_client, cn_staff, cn_agency, archive, "damaged")


@pytest.mark.django_db
def test_the_upload_form_refuses_a_file_over_the_limit(settings, client, cn_staff, tmp_path):
    settings.PORTAL_MAX_IMPORT_MB = 0
    client.force_login(cn_staff)
    archive = _zip(EXAMPLE, tmp_path / "example")
    with open(archive, "rb") as handle:
        response = client.post(reverse("monitoring:camtrap-import"), {"file": handle, **CONFIRM})
    assert response.status_code == 200 and "larger than 0 MB" in response.content.decode()


# --- malformed CSV and JSON: a message, never a 500 ---------------------------------------------


@pytest.mark.django_db
def test_a_cell_over_the_csv_field_limit(client, api_client, cn_staff, cn_agency, shared_example_species, tmp_path):
    package = _copy(tmp_path)
    _edit_csv(package / "observations.csv", 7, "observationComments", "x" * 200_000)
    archive = _zip(package, tmp_path / "wide")
    _assert_refused_everywhere(client, api_client, cn_staff, cn_agency, archive, "larger than 128 KB")
    with pytest.raises(PackageInvalid) as caught:
        import_example(package, cn_agency)
    assert (caught.value.errors[0]["resource"], caught.value.errors[0]["row"]) == ("observations", 8)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad, expected",
    [(b"\xff\xfe caf\xe9", "not valid UTF-8"), (b"ab\x00cd", "NUL character")],
    ids=["invalid-utf8", "nul-byte"],
)
def test_invalid_text_in_a_csv(
    client, api_client, cn_staff, cn_agency, shared_example_species, tmp_path, bad, expected
):
    package = _copy(tmp_path)
    media = package / "media.csv"
    lines = media.read_bytes().split(b"\n")
    lines[9] = lines[9].rstrip(b"\r").rsplit(b",", 1)[0] + b"," + bad
    media.write_bytes(b"\n".join(lines))
    archive = _zip(package, tmp_path / "bad")
    _assert_refused_everywhere(client, api_client, cn_staff, cn_agency, archive, expected)
    with pytest.raises(PackageInvalid) as caught:
        import_example(package, cn_agency)
    assert (caught.value.errors[0]["resource"], caught.value.errors[0]["row"]) == ("media", 10)


@pytest.mark.django_db
@pytest.mark.parametrize("depth, expected", [(200, "nested deeper than 64"), (100_000, "nested too deeply")])
def test_a_deeply_nested_descriptor(cn_agency, tmp_path, depth, expected):
    package = _copy(tmp_path)
    text = (package / "datapackage.json").read_text()
    (package / "datapackage.json").write_text(text.rstrip()[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}")
    with pytest.raises(PackageInvalid, match=expected):
        import_example(package, cn_agency)


def _garbage(kind, tmp_path):
    """A package broken in one way (a zip archive, as uploaded)."""
    target = tmp_path / f"{kind}.zip"
    if kind == "not-a-zip":
        target.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
        return target
    if kind == "truncated-zip":
        data = (_zip_path := Path(_zip(EXAMPLE, tmp_path / "whole"))).read_bytes()
        target.write_bytes(data[: len(data) // 2])
        return target
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for path in EXAMPLE.iterdir():
            data = path.read_bytes()
            if kind == "descriptor-not-utf8" and path.name == "datapackage.json":
                data = data.replace(b"camtrap-dp-example-dataset", b"caf\xe9")
            if kind == "descriptor-nul" and path.name == "datapackage.json":
                data = data.replace(b"camtrap-dp-example-dataset", b"a\\u0000b")
            if kind == "resource-path-escapes" and path.name == "datapackage.json":
                data = data.replace(b'"path": "media.csv"', b'"path": "../../etc/passwd"')
            if kind == "resource-missing" and path.name == "media.csv":
                continue
            if kind == "empty-csv" and path.name == "media.csv":
                data = b""
            if kind == "bom-and-crlf" and path.name.endswith(".csv"):
                data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
            out.writestr(path.name, data)
    return target


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind, expected",
    [
        ("not-a-zip", "neither a zip archive"),
        ("truncated-zip", "neither a zip archive"),
        ("descriptor-not-utf8", "not valid UTF-8"),
        ("descriptor-nul", "NUL character"),
        ("resource-path-escapes", "../../etc/passwd"),
        ("resource-missing", "missing from the package"),
        ("empty-csv", "The file is empty"),
    ],
)
def test_broken_packages_are_refused_with_a_message(api_client, cn_staff, cn_agency, tmp_path, kind, expected):
    archive = _garbage(kind, tmp_path)
    with pytest.raises(PackageInvalid) as caught:
        import_example(archive, cn_agency)
    assert expected in " ".join(e["message"] for e in caught.value.errors)
    api_client.force_authenticate(cn_staff)
    with open(archive, "rb") as handle:
        response = api_client.post(
            "/api/v1/monitoring/camtrap-dp/imports/", {"file": handle, **CONFIRM}, format="multipart"
        )
    assert response.status_code == 400 and expected in json.dumps(response.json(), ensure_ascii=False)
    assert _nothing_written()


@pytest.mark.django_db
def test_a_bom_and_windows_line_ends_are_fine(cn_agency, shared_example_species, tmp_path):
    run = import_example(_garbage("bom-and-crlf", tmp_path), cn_agency)
    assert (run.deployments, run.media, run.observations) == (4, 423, 549)


# --- big packages go through the task queue ------------------------------------------------------


def _post(client, archive):
    with open(archive, "rb") as handle:
        return client.post(reverse("monitoring:camtrap-import"), {"file": handle, **CONFIRM})


@pytest.fixture
def queued_delays(monkeypatch):
    """The job ids the page handed to the task queue (after its commit)."""
    from monitoring.tasks import run_import_job_task

    sent = []
    monkeypatch.setattr(run_import_job_task, "delay", lambda job_id: sent.append(job_id))
    return sent


@pytest.mark.django_db
def test_a_big_upload_is_queued_then_imported_by_the_task_and_the_user_told(
    settings,
    media_root,
    client,
    cn_staff,
    cn_agency,
    shared_example_species,
    tmp_path,
    queued_delays,
    django_capture_on_commit_callbacks,
):
    from monitoring.tasks import run_import_job_task

    settings.PORTAL_INLINE_IMPORT_ROWS = 100
    client.force_login(cn_staff)
    archive = _zip(EXAMPLE, tmp_path / "example")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, archive)
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:camtrap-import")
    job = ImportJob.objects.get()
    assert (job.status, job.rows, job.owner_agency, job.created_by) == ("queued", 976, cn_agency, cn_staff)
    assert queued_delays == [str(job.pk)]
    assert _nothing_written()  # not imported in the page request
    page = client.get(reverse("monitoring:camtrap-import")).content.decode()
    assert "976 rows: it is queued" in page and 'data-status="queued"' in page

    with django_capture_on_commit_callbacks(execute=True):
        result = run_import_job_task.apply(args=[str(job.pk)]).get()
    job.refresh_from_db()
    assert result["status"] == "done" and job.status == "done"
    assert (job.import_run.deployments, job.import_run.media, job.import_run.observations) == (4, 423, 549)
    assert Observation.objects.filter(owner_agency=cn_agency).count() == 549
    assert not job.package and not list((media_root / "import-queue").iterdir())  # the stored package is gone
    note = Notification.objects.get(recipient=cn_staff, event="monitoring.import_finished")
    assert "done" in note.subject and "549 observations" in note.body
    page = client.get(reverse("monitoring:camtrap-import")).content.decode()
    assert 'data-status="done"' in page and "549 observations" in page
    # Delivered again (acks_late after a lost worker): imported once.
    assert run_import_job_task.apply(args=[str(job.pk)]).get() is None
    assert Observation.objects.count() == 549 and ImportRun.objects.count() == 1


@pytest.mark.django_db
def test_a_queued_import_is_all_or_nothing_and_never_touches_another_agencys_records(
    settings,
    media_root,
    client,
    cn_staff,
    cn_agency,
    ru_agency,
    shared_example_species,
    tmp_path,
    queued_delays,
    django_capture_on_commit_callbacks,
):
    from core.tests.factories import make_member
    from monitoring.tasks import run_import_job_task

    import_example(EXAMPLE, ru_agency)  # the same IDs, another agency's records
    theirs = sorted(Observation.objects.filter(owner_agency=ru_agency).values_list("observation_id", "revision"))
    theirs_deployments = sorted(Deployment.objects.values_list("pk", "revision", "latitude"))
    settings.PORTAL_INLINE_IMPORT_ROWS = 100
    client.force_login(cn_staff)

    bad = _copy(tmp_path, "bad")
    _edit_csv(bad / "observations.csv", 549, "observationLevel", "frame")  # the very last row
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _zip(bad, tmp_path / "bad"))
    job = ImportJob.objects.get()
    run_import_job_task.apply(args=[queued_delays[-1]]).get()
    job.refresh_from_db()
    assert job.status == "refused" and job.errors[0]["row"] == 550 and job.errors[0]["field"] == "observationLevel"
    assert not Observation.objects.filter(owner_agency=cn_agency).exists()
    assert not Deployment.objects.filter(owner_agency=cn_agency).exists()
    note = Notification.objects.get(recipient=cn_staff, event="monitoring.import_finished")
    assert "refused" in note.subject and "frame" in note.body
    page = client.get(reverse("monitoring:camtrap-import")).content.decode()
    assert 'data-status="refused"' in page and "frame" in page
    client.force_login(make_member(ru_agency, "agency_coordinator"))  # the job and its errors are the owner's
    page = client.get(reverse("monitoring:camtrap-import")).content.decode()
    assert "import-jobs" not in page and "frame" not in page
    client.force_login(cn_staff)

    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _zip(EXAMPLE, tmp_path / "good"))
    run_import_job_task.apply(args=[queued_delays[-1]]).get()
    job = ImportJob.objects.get(pk=queued_delays[-1])
    # Every ID of the package is a record of the Russian park: CN's rows are left out, none is
    # copied into CN's name, and the job's notices name the agency whose records they are.
    assert job.status == "done"
    for model in (Deployment, Media, Observation):
        assert not model.objects.filter(owner_agency=cn_agency).exists()
    notices = [n for n in job.errors if n.get("level") == "notice" and n.get("kind") == "other_agency"]
    assert notices and {n["agency"] for n in notices if "agency" in n} == {ru_agency.code}
    assert all(ru_agency.code in n["message"] for n in notices if "agency" in n)
    assert (
        sorted(Observation.objects.filter(owner_agency=ru_agency).values_list("observation_id", "revision")) == theirs
    )
    assert (
        sorted(Deployment.objects.filter(owner_agency=ru_agency).values_list("pk", "revision", "latitude"))
        == theirs_deployments
    )


@pytest.mark.django_db
def test_a_queued_import_runs_as_its_creator_now(
    settings,
    media_root,
    client,
    cn_staff,
    cn_agency,
    shared_example_species,
    tmp_path,
    queued_delays,
    django_capture_on_commit_callbacks,
):
    from core.models import Membership
    from monitoring.tasks import run_import_job_task

    settings.PORTAL_INLINE_IMPORT_ROWS = 100
    client.force_login(cn_staff)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _zip(EXAMPLE, tmp_path / "example"))
    Membership.objects.filter(user=cn_staff).update(role="observer")  # read-only by the time it runs
    cn_staff.refresh_from_db()
    run_import_job_task.apply(args=[queued_delays[-1]]).get()
    job = ImportJob.objects.get()
    assert job.status == "refused" and "may no longer import" in job.errors[0]["message"]
    assert _nothing_written()


@pytest.mark.django_db
def test_a_refused_package_is_never_queued(
    settings, media_root, client, cn_staff, cn_agency, tmp_path, queued_delays, django_capture_on_commit_callbacks
):
    settings.PORTAL_INLINE_IMPORT_ROWS = 100
    settings.PORTAL_MAX_IMPORT_ROWS = 500
    client.force_login(cn_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, _zip(EXAMPLE, tmp_path / "example"))
    assert response.status_code == 200 and "at most 500" in response.content.decode()
    assert not ImportJob.objects.exists() and queued_delays == []


@pytest.mark.django_db
def test_a_lost_queue_message_is_picked_up_by_the_beat_safety_net(
    settings,
    media_root,
    client,
    cn_staff,
    cn_agency,
    shared_example_species,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from monitoring.tasks import run_import_job_task, run_queued_imports_task

    def broker_down(job_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(run_import_job_task, "delay", broker_down)
    settings.PORTAL_INLINE_IMPORT_ROWS = 100
    client.force_login(cn_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, _zip(EXAMPLE, tmp_path / "example"))
    assert response.status_code == 302  # the upload is kept and said to be queued, not a 500
    assert ImportJob.objects.get().status == "queued"
    assert run_queued_imports_task.apply(kwargs={"older_than_minutes": 10}).get() == 0  # too recent
    with django_capture_on_commit_callbacks(execute=True):
        assert run_queued_imports_task.apply(kwargs={"older_than_minutes": 0}).get() == 1
    assert ImportJob.objects.get().status == "done"
    assert Observation.objects.filter(owner_agency=cn_agency).count() == 549


# --- with a real Celery worker on the real broker ---------------------------------------------------


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_the_queued_package_once(settings, client, redis_url, tmp_path, monkeypatch):
    import os
    import sys
    import time
    from importlib import import_module

    import redis
    from celery import Celery
    from django.apps import apps as live_apps

    from core.tests.factories import AgencyFactory, SpeciesFactory, make_member
    from monitoring.tasks import run_import_job_task
    from tests.procs import BASE_DIR, Proc, base_env, database_url_for_subprocess

    # A transactional test may run after another one flushed the tables: the vocabularies that
    # migrations install are put back (get_or_create: nothing changes when they are there).
    import_module("monitoring.migrations.0002_vocabularies").seed(live_apps, None)

    agency = AgencyFactory(code="CNPARK", country="CN")
    user = make_member(agency, "agency_staff")
    for taxon in json.loads((EXAMPLE / "datapackage.json").read_text())["taxonomic"]:
        SpeciesFactory(scientific_name=taxon["scientificName"], sensitivity_category=0, is_target=False)
    media_root = tmp_path / "media"
    settings.MEDIA_ROOT = media_root
    settings.PORTAL_INLINE_IMPORT_ROWS = 100
    redis.Redis.from_url(redis_url).flushdb()
    producer = Celery("import-test-producer", broker=redis_url)
    sent = []

    def delay(job_id):  # what .delay() does with a broker configured: a message to the worker
        sent.append(job_id)
        producer.send_task(run_import_job_task.name, args=[job_id])

    monkeypatch.setattr(run_import_job_task, "delay", delay)
    parent_path = os.environ.get("PYTHONPATH", "")
    env = base_env(
        DJANGO_SETTINGS_MODULE="tumen_portal.settings.test",
        PYTHONPATH=os.pathsep.join(p for p in (str(BASE_DIR), parent_path) if p),
        DATABASE_URL=database_url_for_subprocess(tmp_path),
        CELERY_BROKER_URL=redis_url,
        MEDIA_ROOT=str(media_root),
        CI=None,
    )
    args = [os.path.join(os.path.dirname(sys.executable), "celery"), "-A", "tumen_portal", "worker"]
    args += ["-l", "info", "--pool", "prefork", "-c", "1", "--without-gossip", "--without-mingle"]
    args += ["--without-heartbeat", "-n", f"imports-{os.getpid()}@%h"]
    worker = Proc(args, env, name="import-worker")
    try:
        deadline = time.monotonic() + 60
        while " ready." not in worker.output:
            assert worker.alive() and time.monotonic() < deadline, worker.output[-4000:]
            time.sleep(0.2)
        client.force_login(user)
        response = _post(client, _zip(EXAMPLE, tmp_path / "example"))
        assert response.status_code == 302
        job = ImportJob.objects.get()
        assert sent == [str(job.pk)]
        deadline = time.monotonic() + 120
        while ImportJob.objects.get().status == "queued":
            assert worker.alive() and time.monotonic() < deadline, worker.output[-4000:]
            time.sleep(0.2)
        job.refresh_from_db()
        assert job.status == "done", (job.errors, worker.output[-4000:])
        assert Observation.objects.filter(owner_agency=agency).count() == 549
        assert Notification.objects.filter(recipient=user, event="monitoring.import_finished").count() == 1
        # The same message delivered again (acks_late after a lost worker) imports nothing twice.
        producer.send_task(run_import_job_task.name, args=[str(job.pk)])
        deadline = time.monotonic() + 60
        while worker.output.count("run_import_job_task[") < 4:  # received + succeeded, twice
            assert worker.alive() and time.monotonic() < deadline, worker.output[-4000:]
            time.sleep(0.2)
        assert "succeeded" in worker.output and "None" in worker.output.rsplit("succeeded", 1)[1][:200]
        assert Observation.objects.count() == 549 and ImportRun.objects.count() == 1
        assert not list((media_root / "import-queue").iterdir())
    finally:
        worker.stop()
        producer.close()
        redis.Redis.from_url(redis_url).flushdb()
