"""The data migration that moved the data requests' status log into core.StatusChange and the
protocol documents into core attachments."""

import datetime
import importlib

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from core.documents import attachments_for
from core.models import StatusChange
from core.tests.factories import make_member
from core.workflow import history
from monitoring.models import DataRequest, Protocol, ProtocolVersion

migration = importlib.import_module("monitoring.migrations.0003_status_history_and_documents_to_core")


def _old_apps():
    nodes = [("monitoring", "0002_vocabularies"), *migration.Migration.dependencies[:2]]
    return MigrationLoader(connection).project_state(nodes).apps


@pytest.mark.django_db
def test_every_status_row_is_copied(cn_agency, ru_agency):
    requester = make_member(ru_agency, "agency_staff", username="ru_req")
    decider = make_member(cn_agency, "agency_coordinator", username="cn_dec")
    request = DataRequest.objects.create(
        owner_agency=ru_agency,
        requested_from=cn_agency,
        requester=requester,
        requested_dataset="monitoring.deployment",
        purpose="ranges",
        needed_until=datetime.date(2030, 1, 1),
        status="declined",
    )
    old_apps = _old_apps()
    OldChange = old_apps.get_model("monitoring", "DataRequestStatusChange")
    with connection.schema_editor() as editor:
        editor.create_model(OldChange)  # rolled back with the test's transaction
    start = timezone.now() - datetime.timedelta(days=10)
    for index, (from_status, to_status, user) in enumerate(
        [("", "submitted", requester), ("submitted", "declined", decider)]
    ):
        row = OldChange.objects.create(
            request_id=request.pk, from_status=from_status, to_status=to_status, by_id=user.pk, note=f"n{index}"
        )
        OldChange.objects.filter(pk=row.pk).update(created_at=start + datetime.timedelta(days=index))

    migration.copy_status_history(old_apps, None)

    steps = list(history(request))
    assert [(s.transition, s.from_status, s.to_status) for s in steps] == [
        ("created", "", "submitted"),
        ("decline", "submitted", "declined"),
    ]
    assert [(s.user_id, s.agency_id) for s in steps] == [(requester.pk, ru_agency.pk), (decider.pk, cn_agency.pk)]
    assert [s.note for s in steps] == ["n0", "n1"] and steps[0].at == start
    assert StatusChange.objects.count() == 2


@pytest.mark.django_db
def test_protocol_documents_become_attachments(cn_agency, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    old_apps = _old_apps()
    OldVersion = old_apps.get_model("monitoring", "ProtocolVersion")
    with connection.schema_editor() as editor:  # before any row: no pending constraint checks
        editor.add_field(OldVersion, OldVersion._meta.get_field("document"))
    protocol = Protocol.objects.create(owner_agency=cn_agency, key="snow", method="snow_track", title_en="Snow")
    versions = [
        OldVersion.objects.create(protocol_id=protocol.pk, version=n, title=n, effective_from="2025-01-01")
        for n in ("1", "2")
    ]
    good, bad = (ProtocolVersion.objects.get(pk=v.pk) for v in versions)
    for version, name, data in (
        (good, "protocol.pdf", b"%PDF-1.4 snow tracks"),
        (bad, "minutes.pdf", b"<html><script>alert(1)</script></html>"),
    ):
        old = OldVersion.objects.get(pk=version.pk)
        old.document.save(name, ContentFile(data))

    migration.move_documents(old_apps, None)

    (document,) = attachments_for(good)
    assert document.role == "document" and document.mime_type == "application/pdf"
    assert document.file.read() == b"%PDF-1.4 snow tracks"
    assert not attachments_for(bad).exists()  # a web page is never carried over
    assert not (tmp_path / "monitoring" / "protocols" / "protocol.pdf").exists()


@pytest.mark.django_db
def test_queued_jobs_keep_their_region_confirmation(cn_agency):
    """0009: a job queued before it kept the confirmation in its errors; it moves to the field."""
    from django.apps import apps

    from monitoring.models.imports import ImportJob

    step = importlib.import_module("monitoring.migrations.0009_import_report_and_region_confirmation")
    confirmed = ImportJob.objects.create(
        owner_agency=cn_agency, errors=[{"kind": "options", "confirm_outside_region": True}]
    )
    refused = ImportJob.objects.create(owner_agency=cn_agency, errors=[{"message": "bad", "row": 2}])
    step.options_out_of_errors(apps, None)
    confirmed.refresh_from_db()
    refused.refresh_from_db()
    assert confirmed.confirm_outside_region and confirmed.errors == []
    assert not refused.confirm_outside_region and refused.errors == [{"message": "bad", "row": 2}]
