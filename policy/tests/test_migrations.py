"""The data migrations that move stored files into core attachments (policy 0003, core 0007)."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("policy", "0002_beat_schedule"), ("core", "0006_notification_urgent_and_record")]
AFTER = [("policy", "0003_submission_attachments_to_core")]
PDF = b"%PDF-1.4\n%%EOF\n"
HTML = b"<html><script>alert(1)</script></html>"


@pytest.mark.django_db(transaction=True)
def test_old_files_become_attachments(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    agency = old.get_model("core", "Agency").objects.create(code="CNX", name_en="Park", country="CN", kind="park")
    course = old.get_model("core", "TrainingCourse").objects.create(
        owner_agency=agency, title_en="SMART", topic="smart", start_date="2026-01-01", end_date="2026-01-02"
    )
    participant = old.get_model("core", "TrainingParticipant")(course=course, name="Li", agency=agency)
    participant.certificate_file.save("cert.pdf", ContentFile(PDF), save=True)
    agreement = old.get_model("policy", "ExchangeAgreement").objects.create(
        owner_agency=agency, title_en="Exchange", dataset_types=["manual"], starts_on="2026-01-01"
    )
    round_ = old.get_model("policy", "ExchangeRound").objects.create(
        agreement=agreement,
        agency=agency,
        period_start="2026-01-01",
        period_end="2026-04-01",
        due_date="2026-04-15",
        due_at=datetime.datetime(2026, 4, 15, 16, tzinfo=datetime.UTC),
    )
    submission = old.get_model("policy", "Submission")(round=round_, owner_agency=agency, note="")
    submission.attachment.save("minutes.html", ContentFile(HTML), save=True)
    old_names = [participant.certificate_file.name, submission.attachment.name]

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from core.documents import attachments_for
    from core.models import TrainingParticipant
    from policy.models import Submission

    certificate = attachments_for(TrainingParticipant.objects.get(pk=participant.pk), "certificate").get()
    assert certificate.original_name == "cert.pdf" and certificate.mime_type == "application/pdf"
    assert certificate.file.name.startswith("attachments/") and certificate.file.read() == PDF
    minutes = attachments_for(Submission.objects.get(pk=submission.pk), "attachment").get()
    assert minutes.mime_type == "application/octet-stream"  # old markup is kept but never served as a page
    assert not any((tmp_path / name).exists() for name in old_names)
