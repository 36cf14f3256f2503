"""Business rules of data exchange: periods, round generation, fulfilment, compliance.

Called by the API, the pages, the Celery tasks and the demo alike.
"""

import calendar
import datetime
from collections import defaultdict

from croniter import croniter
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import reminders
from core.datasets import dataset_source
from core.models import Sensitivity

from .models import (
    ATTACHMENT_ROLE,
    MANUAL_DATASET,
    Cadence,
    ExchangeAgreement,
    ExchangeRound,
    RoundStatus,
    Submission,
    SubmissionKind,
)

HORIZON_DAYS = 62  # rounds are created this far ahead of their due date


# --- periods ------------------------------------------------------------------------------------
def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _clamped(year, month, day):
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def periods(agreement, until):
    """(period_start, period_end, due_date) of `agreement` whose due date is on or before `until`.

    Monthly/quarterly/yearly periods are calendar periods, due on `due_day` of the month after
    the period ends. A cron cadence makes each match a due date; its period runs from the
    previous match (or the start) to the match.
    """
    start = agreement.starts_on
    result = []
    if agreement.cadence == Cadence.CRON:
        it = croniter(
            agreement.cron, datetime.datetime.combine(start, datetime.time(0)) - datetime.timedelta(seconds=1)
        )
        previous = start
        for _i in range(1000):
            due = it.get_next(datetime.datetime).date()
            if due > until or (agreement.ends_on and previous > agreement.ends_on):
                break
            if due <= previous:
                continue  # a match on the first day, or several matches on one day
            result.append((previous, due, due))
            previous = due
        return result
    months = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.YEARLY: 12}[agreement.cadence]
    if agreement.cadence == Cadence.MONTHLY:
        period_start = start.replace(day=1)
    elif agreement.cadence == Cadence.QUARTERLY:
        period_start = datetime.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    else:
        period_start = datetime.date(start.year, 1, 1)
    for _i in range(1000):
        period_end = _add_months(period_start, months)
        if agreement.ends_on and period_start > agreement.ends_on:
            break
        due = _clamped(period_end.year, period_end.month, agreement.due_day)
        if due > until:
            break
        result.append((period_start, period_end, due))
        period_start = period_end
    return result


def period_window(round_):
    """[start, end) of a round's period as aware datetimes in the obliged agency's zone."""
    tz_name = round_.agency.effective_timezone
    return reminders.start_of_day(round_.period_start, tz_name), reminders.start_of_day(round_.period_end, tz_name)


# --- rounds -------------------------------------------------------------------------------------
def round_title(round_):
    """A lazy-per-language title for the round's obligation (core stores every language)."""

    def render():
        return _("%(agreement)s — %(period)s") % {"agreement": round_.agreement.title, "period": round_.period_label}

    return render


def sync_obligation(round_):
    """Mirror a round into the shared reminder machinery (idempotent)."""
    agreement = round_.agreement
    return reminders.upsert_obligation(
        round_,
        agency=round_.agency,
        due_date=round_.due_date,
        title=round_title(round_),
        category="policy.round",
        lead_days=agreement.lead_days or [],
        escalate_after_days=agreement.escalate_after_days,
        fulfilled_at=round_.fulfilled_at,
        cancelled=not agreement.is_active,
    )


def generate_rounds(agreement=None, today=None, horizon_days=HORIZON_DAYS):
    """Create the missing rounds of active agreements up to `horizon_days` ahead. Returns new rounds."""
    today = today or timezone.localdate()
    agreements = ExchangeAgreement.objects.filter(is_active=True).prefetch_related("parties")
    if agreement is not None:
        agreements = agreements.filter(pk=agreement.pk)
    created = []
    for item in agreements:
        windows = periods(item, today + datetime.timedelta(days=horizon_days))
        for agency in item.parties.all():
            existing = set(
                ExchangeRound.objects.filter(agreement=item, agency=agency).values_list("period_start", flat=True)
            )
            for period_start, period_end, due in windows:
                if period_start in existing:
                    continue
                try:
                    with transaction.atomic():
                        round_ = ExchangeRound.objects.create(
                            agreement=item,
                            agency=agency,
                            period_start=period_start,
                            period_end=period_end,
                            due_date=due,
                            due_at=reminders.end_of_day(due, agency.effective_timezone),
                        )
                        sync_obligation(round_)
                except IntegrityError:
                    continue  # another run created it at the same moment: the unique constraint
                created.append(round_)
    return created


def fulfilment_time(round_):
    """When the round's dataset types were all covered (None if not yet)."""
    submissions = list(round_.submissions.all())
    required = set(round_.agreement.dataset_types or [])
    covering_all = [s.submitted_at for s in submissions if not s.dataset]
    candidates = [min(covering_all)] if covering_all else []
    by_type = defaultdict(list)
    for submission in submissions:
        if submission.dataset:
            by_type[submission.dataset].append(submission.submitted_at)
    if required and required <= set(by_type):
        candidates.append(max(min(by_type[key]) for key in required))
    return min(candidates) if candidates else None


def refresh_round(round_):
    """Recompute fulfilment from the submissions and update the obligation."""
    fulfilled_at = fulfilment_time(round_)
    if fulfilled_at != round_.fulfilled_at:
        round_.fulfilled_at = fulfilled_at
        round_.save(update_fields=["fulfilled_at", "updated_at"])
    sync_obligation(round_)
    return round_


def check_automatic(round_, now=None):
    """Look for records of the round's datasets in its period; record what arrived as submissions."""
    now = now or timezone.now()
    start, end = period_window(round_)
    covered = set(round_.submissions.values_list("dataset", flat=True))
    added = False
    for key in round_.agreement.dataset_types or []:
        if key == MANUAL_DATASET or key in covered:
            continue
        source = dataset_source(key)
        if source is None:
            continue
        count = source.count_records(round_.agency, start, end)
        if count:
            try:
                with transaction.atomic():
                    Submission.objects.create(
                        round=round_,
                        owner_agency=round_.agency,
                        sensitivity=Sensitivity.PARTNERS,
                        kind=SubmissionKind.AUTOMATIC,
                        dataset=key,
                        record_count=count,
                        submitted_at=now,
                    )
                added = True
            except IntegrityError:
                pass  # found by a parallel run
    if added:
        refresh_round(round_)
    return added


def close_rounds(now=None):
    """Automatic fulfilment of every open round whose period has begun. Returns rounds closed."""
    now = now or timezone.now()
    closed = 0
    open_rounds = ExchangeRound.objects.filter(fulfilled_at__isnull=True, agreement__is_active=True).select_related(
        "agreement", "agency"
    )
    for round_ in open_rounds.filter(period_start__lte=timezone.localdate(now) + datetime.timedelta(days=1)):
        if check_automatic(round_, now) and round_.fulfilled_at:
            closed += 1
    return closed


def submit_manually(round_, *, by_agency, user=None, note="", files=(), dataset="", submitted_at=None, principal=None):
    """A delivery by hand with a note and optional files; closes the round when it covers it.

    The model's rules run here for the pages, the demo and the tests alike (the API runs them in
    its serializer); files are checked by content and stored as core attachments (role
    "attachment"). Raises ValidationError; nothing is stored then.
    """
    from core.documents import attach, check_upload

    checked = [check_upload(item, ATTACHMENT_ROLE) for item in files or ()]
    with transaction.atomic():
        submission = Submission(
            round=round_,
            owner_agency=by_agency,
            sensitivity=Sensitivity.PARTNERS,
            kind=SubmissionKind.MANUAL,
            dataset=dataset,
            note=note,
            created_by=user,
            submitted_at=submitted_at or timezone.now(),
        )
        submission.incoming_files = checked
        submission.full_clean()
        submission.save()
        for item in checked:
            attach(submission, item, principal, role=ATTACHMENT_ROLE, check=principal is not None)
        refresh_round(round_)
    return submission


def sync_obligations():
    """The periodic job of this app: new rounds, automatic fulfilment (run before the reminders)."""
    created = generate_rounds()
    closed = close_rounds()
    return {"created": len(created), "closed": closed}


# --- visibility ---------------------------------------------------------------------------------
def rounds_visible_to(principal):
    return ExchangeRound.objects.visible_to(principal)


def round_status_q(status, now=None):
    """A Q for rounds in a status (on time, late, missing, pending) at `now`."""
    from django.db.models import F

    now = now or timezone.now()
    return {
        RoundStatus.ON_TIME: Q(fulfilled_at__isnull=False, fulfilled_at__lt=F("due_at")),
        RoundStatus.LATE: Q(fulfilled_at__isnull=False, fulfilled_at__gte=F("due_at")),
        RoundStatus.MISSING: Q(fulfilled_at__isnull=True, due_at__lte=now),
        RoundStatus.PENDING: Q(fulfilled_at__isnull=True, due_at__gt=now),
    }[status]
