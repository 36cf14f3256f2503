"""Agreements, rounds, fulfilment and time zones."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from core import datasets, reminders
from core.models import DatedObligation, ObligationStatus, ReminderStatus
from core.tests.factories import make_member
from policy import services
from policy.models import MANUAL_DATASET, Cadence, ExchangeRound, RoundStatus, Submission, SubmissionKind

from .factories import make_agreement

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SHANGHAI = ZoneInfo("Asia/Shanghai")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")


@pytest.fixture
def fake_source():
    """A dataset source as a topic app registers it: counts records in [start, end)."""
    arrivals = []  # (agency_id, moment)

    def count(agency, start, end):
        return sum(1 for agency_id, moment in arrivals if agency_id == agency.pk and start <= moment < end)

    datasets.register_dataset_source("fake.observations", "Fake observations", count)
    yield arrivals
    datasets._sources.pop("fake.observations", None)


def test_periods_of_each_cadence(cn_agency):
    until = datetime.date(2026, 12, 31)
    monthly = make_agreement([cn_agency], cadence=Cadence.MONTHLY, due_day=31, starts_on=datetime.date(2026, 1, 20))
    got = services.periods(monthly, until)
    assert got[0] == (datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))  # clamped
    assert got[1][2] == datetime.date(2026, 3, 31)
    quarterly = make_agreement([cn_agency], cadence=Cadence.QUARTERLY, due_day=15, starts_on=datetime.date(2026, 2, 1))
    assert services.periods(quarterly, until)[:2] == [
        (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1), datetime.date(2026, 4, 15)),
        (datetime.date(2026, 4, 1), datetime.date(2026, 7, 1), datetime.date(2026, 7, 15)),
    ]
    yearly = make_agreement([cn_agency], cadence=Cadence.YEARLY, due_day=31, starts_on=datetime.date(2025, 6, 1))
    assert services.periods(yearly, until) == [
        (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    ]
    cron = make_agreement(
        [cn_agency], cadence=Cadence.CRON, cron="0 0 1 */2 *", starts_on=datetime.date(2026, 1, 1)
    )  # the 1st of every odd month
    got = services.periods(cron, datetime.date(2026, 6, 30))
    assert [due for _s, _e, due in got] == [datetime.date(2026, 3, 1), datetime.date(2026, 5, 1)]
    assert got[0][0] == datetime.date(2026, 1, 1)


def test_agreement_validation(cn_agency):
    agreement = make_agreement([cn_agency], cadence=Cadence.CRON, cron="not a cron")
    with pytest.raises(ValidationError) as info:
        agreement.full_clean()
    assert "cron" in info.value.message_dict
    agreement = make_agreement([cn_agency], dataset_types=["nope.nothing"], lead_days=[0])
    with pytest.raises(ValidationError) as info:
        agreement.full_clean()
    assert {"dataset_types", "lead_days"} <= set(info.value.message_dict)


def test_rounds_are_generated_once_per_period_and_agency(cn_agency, ru_agency):
    agreement = make_agreement([cn_agency, ru_agency], cadence=Cadence.QUARTERLY, starts_on=datetime.date(2026, 1, 1))
    today = datetime.date(2026, 6, 1)
    created = services.generate_rounds(agreement, today=today)
    # Q1 (due 04-15) and Q2 (due 07-15, inside the horizon) for each party.
    assert len(created) == 4
    assert services.generate_rounds(agreement, today=today) == []
    assert ExchangeRound.objects.count() == 4
    first = ExchangeRound.objects.filter(agency=cn_agency).order_by("period_start").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRound.objects.create(
            agreement=agreement,
            agency=cn_agency,
            period_start=first.period_start,
            period_end=first.period_end,
            due_date=first.due_date,
            due_at=first.due_at,
        )
    # Each round is a dated obligation of the shared reminder machinery.
    obligation = reminders.obligation_for(first)
    assert obligation.category == "policy.round" and obligation.agency == cn_agency
    assert obligation.lead_days == [7, 1] and obligation.escalate_after_days == 14
    assert "2026-Q1" in obligation.title_en


@pytest.mark.parametrize(
    ("country", "tz", "due_at_utc"),
    [
        ("CN", SHANGHAI, datetime.datetime(2026, 4, 15, 16, 0, tzinfo=datetime.UTC)),
        ("RU", VLADIVOSTOK, datetime.datetime(2026, 4, 15, 14, 0, tzinfo=datetime.UTC)),
    ],
)
def test_on_time_until_midnight_in_the_agency_zone(country, tz, due_at_utc):
    from core.tests.factories import AgencyFactory

    agency = AgencyFactory(code=f"TZ{country}", country=country)
    agreement = make_agreement([agency], starts_on=datetime.date(2026, 1, 1))
    services.generate_rounds(agreement, today=datetime.date(2026, 4, 1))
    round_ = ExchangeRound.objects.get(agency=agency, period_start=datetime.date(2026, 1, 1))
    assert round_.due_date == datetime.date(2026, 4, 15)
    assert round_.due_at == due_at_utc  # stored in UTC

    just_in_time = datetime.datetime(2026, 4, 15, 23, 59, tzinfo=tz)
    just_late = datetime.datetime(2026, 4, 16, 0, 1, tzinfo=tz)
    assert round_.status_at(just_in_time) == RoundStatus.PENDING
    assert round_.status_at(just_late) == RoundStatus.MISSING

    submission = services.submit_manually(round_, by_agency=agency, note="sent", submitted_at=just_in_time)
    round_.refresh_from_db()
    assert round_.status_at(just_late) == RoundStatus.ON_TIME
    submission.submitted_at = just_late
    submission.save()
    services.refresh_round(round_)
    round_.refresh_from_db()
    assert round_.status_at(just_late) == RoundStatus.LATE


def test_round_closes_itself_when_matching_records_arrive(cn_agency, fake_source):
    agreement = make_agreement([cn_agency], dataset_types=["fake.observations"], starts_on=datetime.date(2026, 1, 1))
    services.generate_rounds(agreement, today=datetime.date(2026, 4, 1))
    round_ = ExchangeRound.objects.get(period_start=datetime.date(2026, 1, 1))
    # A record outside the period (local time!) does not count: 2026-04-01 00:30 in Shanghai is Q2.
    fake_source.append((cn_agency.pk, datetime.datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI)))
    assert services.close_rounds(now=datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC)) == 0
    fake_source.append((cn_agency.pk, datetime.datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI)))
    now = datetime.datetime(2026, 4, 3, 8, 0, tzinfo=datetime.UTC)
    assert services.close_rounds(now=now) == 1
    round_.refresh_from_db()
    assert round_.fulfilled_at == now and round_.status_at(now) == RoundStatus.ON_TIME
    auto = Submission.objects.get(round=round_)
    assert (auto.kind, auto.dataset, auto.record_count, auto.owner_agency) == (
        SubmissionKind.AUTOMATIC,
        "fake.observations",
        1,
        cn_agency,
    )
    # Idempotent: running again adds nothing; the obligation is fulfilled and no longer chased.
    assert services.close_rounds(now=now) == 0
    assert Submission.objects.filter(round=round_).count() == 1
    obligation = reminders.obligation_for(round_)
    assert obligation.status == ObligationStatus.FULFILLED
    assert not obligation.reminders.filter(status=ReminderStatus.PENDING).exists()


def test_round_needs_every_dataset_type_type(cn_agency, fake_source):
    agreement = make_agreement(
        [cn_agency], dataset_types=["fake.observations", MANUAL_DATASET], starts_on=datetime.date(2026, 1, 1)
    )
    services.generate_rounds(agreement, today=datetime.date(2026, 4, 1))
    round_ = ExchangeRound.objects.get(period_start=datetime.date(2026, 1, 1))
    fake_source.append((cn_agency.pk, datetime.datetime(2026, 2, 1, tzinfo=SHANGHAI)))
    services.close_rounds(now=datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC))
    round_.refresh_from_db()
    assert round_.fulfilled_at is None  # the manual part is still missing
    services.submit_manually(
        round_,
        by_agency=cn_agency,
        dataset=MANUAL_DATASET,
        note="Patrol report",
        submitted_at=datetime.datetime(2026, 4, 5, tzinfo=datetime.UTC),
    )
    round_.refresh_from_db()
    assert round_.fulfilled_at == datetime.datetime(2026, 4, 5, tzinfo=datetime.UTC)


def test_manual_submission_with_attachment(cn_agency, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = make_agreement([cn_agency], starts_on=datetime.date(2026, 1, 1))
    services.generate_rounds(agreement, today=datetime.date(2026, 4, 1))
    round_ = ExchangeRound.objects.get(period_start=datetime.date(2026, 1, 1))
    submission = services.submit_manually(
        round_,
        by_agency=cn_agency,
        note="Q1 camera-trap sheet",
        files=[SimpleUploadedFile("q1.csv", b"id,species\n1,leopard\n")],
        submitted_at=datetime.datetime(2026, 4, 10, tzinfo=datetime.UTC),
    )
    from core.documents import attachments_for

    stored = attachments_for(submission, "attachment").get()
    assert stored.original_name == "q1.csv" and stored.file.name.startswith("attachments/")
    assert (tmp_path / stored.file.name).read_bytes().startswith(b"id,species")
    round_.refresh_from_db()
    assert round_.status_at() == RoundStatus.ON_TIME


def test_overdue_round_is_chased_then_escalated(cn_agency, secretariat_agency):
    make_member(cn_agency, "agency_coordinator", username="cn_coord", language="zh-hans")
    make_member(secretariat_agency, "secretariat_coordinator", username="sec_coord")
    agreement = make_agreement([cn_agency], starts_on=datetime.date(2026, 1, 1), escalate_after_days=7)
    services.generate_rounds(agreement, today=datetime.date(2026, 4, 1))
    round_ = ExchangeRound.objects.get(period_start=datetime.date(2026, 1, 1))
    reminders.send_due_reminders(now=datetime.datetime(2026, 4, 8, 9, 0, tzinfo=SHANGHAI), digests=False)
    assert [m.to for m in mail.outbox] == [["cn_coord@example.org"]]
    assert "交换" in mail.outbox[0].subject or agreement.title_zh_hans in mail.outbox[0].subject
    reminders.send_due_reminders(now=datetime.datetime(2026, 4, 23, 9, 0, tzinfo=SHANGHAI), digests=False)
    assert [m.to[0] for m in mail.outbox] == ["cn_coord@example.org", "cn_coord@example.org", "sec_coord@example.org"]
    assert round_.status_at(datetime.datetime(2026, 4, 23, tzinfo=datetime.UTC)) == RoundStatus.MISSING


def test_compliance_counts(cn_agency, ru_agency):
    agreement = make_agreement([cn_agency, ru_agency], cadence=Cadence.MONTHLY, due_day=10)
    agreement.starts_on = datetime.date(2026, 1, 1)
    agreement.save()
    services.generate_rounds(agreement, today=datetime.date(2026, 4, 1))
    now = datetime.datetime(2026, 4, 20, tzinfo=datetime.UTC)
    rounds = {(r.agency.code, r.period_start.month): r for r in ExchangeRound.objects.select_related("agency")}
    services.submit_manually(
        rounds[("CNPARK", 1)],
        by_agency=cn_agency,
        note="x",
        submitted_at=rounds[("CNPARK", 1)].due_at - datetime.timedelta(hours=1),
    )
    services.submit_manually(
        rounds[("CNPARK", 2)],
        by_agency=cn_agency,
        note="x",
        submitted_at=rounds[("CNPARK", 2)].due_at + datetime.timedelta(hours=1),
    )
    from core.access import Principal
    from core.figures import Period
    from policy.figures import compliance_compute

    everyone = Principal(user=None, agency=None, is_superuser=True)
    period = Period(datetime.date(2026, 1, 1), datetime.date(2026, 4, 30))  # by due date: Jan–Mar
    table = compliance_compute(everyone, period, ("agency",), now=now)
    rows = {row["agency"]: row for row in table.rows}
    assert {k: rows["CNPARK"][k] for k in ("pending", "on_time", "late", "missing")} == {
        "pending": 0,
        "on_time": 1,
        "late": 1,
        "missing": 1,
    }
    assert rows["RUPARK"]["missing"] == 3
    assert rows["CNPARK"]["on_time_rate"] == 33 and rows["CNPARK"]["due"] == 3
    assert rows["CNPARK"].url.endswith("agency=CNPARK&due_after=2026-01-01&due_before=2026-04-30")
    cells = compliance_compute(everyone, period, ("agency", "period"), now=now)
    assert [r["period_label"] for r in cells.rows if r["agency"] == "CNPARK"] == ["2026-01", "2026-02", "2026-03"]


def test_deactivated_agreement_cancels_its_obligations(cn_agency):
    agreement = make_agreement([cn_agency], starts_on=datetime.date(2026, 1, 1))
    services.generate_rounds(agreement, today=datetime.date(2026, 4, 1))
    agreement.is_active = False
    agreement.save()
    for round_ in agreement.rounds.all():
        services.sync_obligation(round_)
    assert set(DatedObligation.objects.values_list("status", flat=True)) == {ObligationStatus.CANCELLED}
