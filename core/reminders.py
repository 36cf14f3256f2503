"""The reminder machinery of the shared layer: dated obligations, reminders, digests, notifications.

Any app plugs its due items in with `upsert_obligation(source, agency=…, due_date=…, title=…)`
(and `upsert_obligation(…, fulfilled_at=…)` or `cancel_obligation(source)` when that changes).
The beat task `core.tasks.send_due_reminders` calls `send_due_reminders()`.

Exactly once, nothing lost:
1. Planning writes `Reminder` rows with a unique key (obligation, kind, offset, due date) or
   (agency, digest, week): running it twice, or in two workers, adds nothing.
2. Dispatch claims one due reminder at a time with `SELECT … FOR UPDATE SKIP LOCKED`, writes one
   in-app `Notification` per recipient (unique per reminder and recipient) and stamps the
   reminder, all in one transaction. A second worker skips the locked row; a killed worker's
   transaction is rolled back by PostgreSQL and the reminder is dispatched after restart.
3. Email delivery claims one notification at a time the same way, hands the message to the mail
   backend while holding the row lock, and stamps `email_sent_at` in the same transaction. A crash
   before the commit leaves the row pending, so it is sent after restart; only a crash in the
   instant between the mail server's acceptance and the commit can repeat a message, and the
   Message-ID is derived from the notification, so the repeat carries the same id as the first.
Due rows are selected by `scheduled_at <= now` with no lower bound: whatever fell due while no
worker ran is sent by the next run.
"""

import datetime
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.models import (
    Agency,
    AgencyKind,
    DatedObligation,
    EmailStatus,
    Membership,
    Notification,
    ObligationStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Role,
)
from core.translated import language_codes, localized_columns

logger = logging.getLogger(__name__)

COORDINATOR_ROLES = (Role.AGENCY_COORDINATOR, Role.SECRETARIAT_COORDINATOR)
# Local hour at which reminders, overdue notices and digests go out (people read mail in the morning).
SEND_HOUR = getattr(settings, "PORTAL_REMINDER_HOUR", 9)
DIGEST_WEEKDAY = 0  # Monday
DIGEST_HORIZON_DAYS = 14
MAX_EMAIL_FAILURES = 5


# --- time zones --------------------------------------------------------------------------------
def end_of_day(day, tz_name):
    """The instant a due date ends in `tz_name` (local midnight after it), in UTC."""
    local = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), ZoneInfo(tz_name))
    return local.astimezone(datetime.UTC)


def start_of_day(day, tz_name):
    local = datetime.datetime.combine(day, datetime.time(0), ZoneInfo(tz_name))
    return local.astimezone(datetime.UTC)


def local_moment(day, tz_name, hour=SEND_HOUR):
    return datetime.datetime.combine(day, datetime.time(hour), ZoneInfo(tz_name)).astimezone(datetime.UTC)


def local_date(moment, tz_name):
    return moment.astimezone(ZoneInfo(tz_name)).date()


# --- obligations (the API topic apps use) -----------------------------------------------------
def _translations(title):
    """{column: text} for every language: `title` is a dict by language, a callable or a lazy string."""
    values = {}
    for code, column in localized_columns("title").items():
        if isinstance(title, dict):
            text = title.get(code) or title.get("en") or next(iter(title.values()), "")
        else:
            with translation.override(code):
                text = title() if callable(title) else str(title)
        values[column] = str(text)[:255]
    return values


def upsert_obligation(
    source,
    *,
    agency,
    due_date,
    title,
    category=None,
    lead_days=(7, 1),
    escalate_after_days=None,
    fulfilled_at=None,
    cancelled=False,
):
    """Create or update the obligation of `source` and (re)plan its reminders. Idempotent."""
    content_type = ContentType.objects.get_for_model(type(source))
    tz_name = agency.effective_timezone
    defaults = {
        "category": category or content_type.app_label + "." + content_type.model,
        "agency": agency,
        "due_date": due_date,
        "due_at": end_of_day(due_date, tz_name),
        "timezone": tz_name,
        "lead_days": sorted({int(d) for d in lead_days if int(d) > 0}, reverse=True),
        "escalate_after_days": escalate_after_days,
        "fulfilled_at": fulfilled_at,
        "status": (
            ObligationStatus.CANCELLED
            if cancelled
            else ObligationStatus.FULFILLED
            if fulfilled_at
            else ObligationStatus.OPEN
        ),
        **_translations(title),
    }
    with transaction.atomic():
        obligation, created = DatedObligation.objects.select_for_update().get_or_create(
            content_type=content_type, object_id=str(source.pk), defaults=defaults
        )
        if not created:
            changed = [name for name, value in defaults.items() if getattr(obligation, name) != value]
            if changed:
                for name in changed:
                    setattr(obligation, name, defaults[name])
                obligation.save(update_fields=[*changed, "updated_at"])
        plan_reminders(obligation)
    return obligation


def obligation_for(source):
    content_type = ContentType.objects.get_for_model(type(source))
    return DatedObligation.objects.filter(content_type=content_type, object_id=str(source.pk)).first()


def cancel_obligation(source):
    obligation = obligation_for(source)
    if obligation is not None and obligation.status != ObligationStatus.CANCELLED:
        obligation.status = ObligationStatus.CANCELLED
        obligation.save(update_fields=["status", "updated_at"])
        plan_reminders(obligation)


def planned_reminders(obligation):
    """The reminders an open obligation should have: (kind, offset_days, scheduled_at)."""
    tz_name = obligation.timezone
    planned = [
        (ReminderKind.BEFORE_DUE, lead, local_moment(obligation.due_date - datetime.timedelta(days=lead), tz_name))
        for lead in obligation.lead_days or []
    ]
    # The overdue notice goes out on the first morning after the deadline.
    planned.append((ReminderKind.OVERDUE, 0, local_moment(obligation.due_date + datetime.timedelta(days=1), tz_name)))
    if obligation.escalate_after_days is not None:
        days = obligation.escalate_after_days
        planned.append(
            (
                ReminderKind.ESCALATION,
                days,
                max(
                    local_moment(obligation.due_date + datetime.timedelta(days=max(days, 1)), tz_name),
                    obligation.due_at,
                ),
            )
        )
    return planned


def plan_reminders(obligation):
    """Add the missing reminders of an obligation; retire pending ones that no longer apply."""
    pending = obligation.reminders.filter(status=ReminderStatus.PENDING)
    if obligation.status != ObligationStatus.OPEN:
        pending.update(status=ReminderStatus.SKIPPED, note=obligation.get_status_display())
        return
    wanted = planned_reminders(obligation)
    wanted_keys = {(kind, offset) for kind, offset, _at in wanted}
    # An obligation that was cancelled and is open again (a plan approved anew): its skipped,
    # never-sent reminders are pending again; dispatch decides once more which are stale.
    for reminder in obligation.reminders.filter(
        status=ReminderStatus.SKIPPED, dispatched_at__isnull=True, period=obligation.due_date
    ):
        if (reminder.kind, reminder.offset_days) in wanted_keys:
            reminder.status, reminder.note = ReminderStatus.PENDING, ""
            reminder.save(update_fields=["status", "note"])
    Reminder.objects.bulk_create(
        [
            Reminder(
                obligation=obligation,
                agency_id=obligation.agency_id,
                kind=kind,
                offset_days=offset,
                period=obligation.due_date,
                scheduled_at=at,
            )
            for kind, offset, at in wanted
        ],
        ignore_conflicts=True,  # the unique constraint: planning twice is harmless
    )
    stale = pending.exclude(period=obligation.due_date)
    stale.update(status=ReminderStatus.SKIPPED, note="due date changed")
    for reminder in pending.filter(period=obligation.due_date):
        if (reminder.kind, reminder.offset_days) not in wanted_keys:
            reminder.status, reminder.note = ReminderStatus.SKIPPED, "no longer planned"
            reminder.save(update_fields=["status", "note"])
    # Keep the schedule of pending rows in line with a changed agency zone.
    schedule = {(kind, offset): at for kind, offset, at in wanted}
    for reminder in pending.filter(period=obligation.due_date):
        at = schedule.get((reminder.kind, reminder.offset_days))
        if at and reminder.scheduled_at != at:
            reminder.scheduled_at = at
            reminder.save(update_fields=["scheduled_at"])


def plan_digests(now=None):
    """One digest per active agency and week, from Monday morning in the agency's zone."""
    now = now or timezone.now()
    rows = []
    for agency in Agency.objects.filter(is_active=True):
        tz_name = agency.effective_timezone
        today = local_date(now, tz_name)
        monday = today - datetime.timedelta(days=(today.weekday() - DIGEST_WEEKDAY) % 7)
        at = local_moment(monday, tz_name)
        if at <= now:
            rows.append(Reminder(agency=agency, kind=ReminderKind.DIGEST, period=monday, scheduled_at=at))
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)


# --- recipients ---------------------------------------------------------------------------------
def coordinators_of(agencies):
    return (
        Membership.objects.filter(
            agency__in=agencies, role__in=COORDINATOR_ROLES, user__is_active=True, agency__is_active=True
        )
        .select_related("user", "agency")
        .order_by("user_id")
    )


def secretariat_coordinators():
    return coordinators_of(Agency.objects.filter(kind=AgencyKind.SECRETARIAT))


def recipients_for(reminder):
    if reminder.kind == ReminderKind.ESCALATION:
        return list(secretariat_coordinators())
    return list(coordinators_of([reminder.agency_id]))


# --- dispatch -----------------------------------------------------------------------------------
def _skip_reason(reminder, now):
    """Why a due reminder should not go out any more (None: send it)."""
    if reminder.kind == ReminderKind.DIGEST:
        return None
    obligation = reminder.obligation
    if obligation.status != ObligationStatus.OPEN:
        return obligation.get_status_display()
    if reminder.period != obligation.due_date:
        return "due date changed"
    if reminder.kind == ReminderKind.BEFORE_DUE:
        if now >= obligation.due_at:
            return "superseded by the overdue notice"
        closer = Reminder.objects.filter(
            obligation=obligation,
            kind=ReminderKind.BEFORE_DUE,
            period=reminder.period,
            offset_days__lt=reminder.offset_days,
            scheduled_at__lte=now,
        )
        if closer.exists():
            # A worker that was away for days sends the nearest reminder, not all of them at once.
            return "superseded by a later reminder"
    return None


def absolute_url(path):
    """A portal path as a link for an email (PORTAL_BASE_URL in front when it is set)."""
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    return f"{base}{path}" if base and path.startswith("/") else path


def digest_context(agency, now):
    """What a weekly digest lists for an agency (the secretariat's digest covers every agency)."""
    open_items = DatedObligation.objects.filter(status=ObligationStatus.OPEN).select_related("agency")
    if not agency.is_secretariat:
        open_items = open_items.filter(agency=agency)
    horizon = now + datetime.timedelta(days=DIGEST_HORIZON_DAYS)
    return {
        "overdue": list(open_items.filter(due_at__lte=now).order_by("due_at")),
        "upcoming": list(open_items.filter(due_at__gt=now, due_at__lte=horizon).order_by("due_at")),
        "horizon_days": DIGEST_HORIZON_DAYS,
    }


def render_message(reminder, membership, now, digest=None):
    """(subject, body, url) for one recipient, in the recipient's language."""
    obligation = reminder.obligation
    with translation.override(membership.preferred_language):
        if obligation is not None:
            url = obligation.get_absolute_url()
        else:
            url = reverse("core:obligation-list")
        context = {
            "reminder": reminder,
            "obligation": obligation,
            "agency": reminder.agency,
            "recipient": membership.user,
            "now": now,
            "url": absolute_url(url),
            "days_overdue": (now - obligation.due_at).days if obligation else 0,
            "due_local": obligation.due_date if obligation else None,
            **(digest or {}),
        }
        subject = render_to_string(f"core/notifications/{reminder.kind}_subject.txt", context)
        body = render_to_string(f"core/notifications/{reminder.kind}_body.txt", context)
    return " ".join(subject.split())[:255], body.strip(), url


def dispatch_one(now=None):
    """Claim one due reminder and turn it into notifications. False when none is left."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(status=ReminderStatus.PENDING, scheduled_at__lte=now)
            .order_by("scheduled_at", "pk")
            .first()
        )
        if reminder is None:
            return False
        reason = _skip_reason(reminder, now)
        digest = None
        if reason is None and reminder.kind == ReminderKind.DIGEST:
            digest = digest_context(reminder.agency, now)
            if not digest["overdue"] and not digest["upcoming"]:
                reason = "nothing to report"
        recipients = recipients_for(reminder) if reason is None else []
        if reason is None and not recipients:
            reason = "no coordinator to notify"
        if reason is not None:
            reminder.status, reminder.note = ReminderStatus.SKIPPED, reason[:255]
            reminder.save(update_fields=["status", "note"])
            return True
        notifications = []
        for membership in recipients:
            subject, body, url = render_message(reminder, membership, now, digest)
            email = membership.user.email
            notifications.append(
                Notification(
                    recipient=membership.user,
                    reminder=reminder,
                    obligation=reminder.obligation,
                    kind=reminder.kind,
                    language=membership.preferred_language,
                    subject=subject,
                    body=body,
                    url=url,
                    email_to=email,
                    email_status=EmailStatus.PENDING if email else EmailStatus.NONE,
                )
            )
        Notification.objects.bulk_create(notifications)
        reminder.status, reminder.dispatched_at = ReminderStatus.SENT, timezone.now()
        reminder.note = ", ".join(m.user.get_username() for m in recipients)[:255]
        reminder.save(update_fields=["status", "dispatched_at", "note"])
    return True


def message_id(notification):
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "tumen-cats.example"
    return f"<notification-{notification.pk}@{domain}>"


def deliver_one(connection=None, exclude=()):
    """Claim one pending email, send it, stamp it. Returns the notification id, or None."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(email_status=EmailStatus.PENDING)
            .exclude(pk__in=exclude)
            .order_by("pk")
            .first()
        )
        if notification is None:
            return None
        body = notification.body
        if notification.event and notification.url:
            # core.notify keeps the link beside the text (the portal shows it as a button).
            body = f"{body}\n\n{absolute_url(notification.url)}".strip()
        message = EmailMessage(
            subject=notification.subject,
            body=body,
            to=[notification.email_to],
            headers={"Message-ID": message_id(notification), "Content-Language": notification.language},
            connection=connection,
        )
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - any mail failure: keep the row for a retry
            logger.warning("Reminder email %s failed: %s", notification.pk, exc)
            notification.email_failures += 1
            notification.email_error = str(exc)[:2000]
            if notification.email_failures >= MAX_EMAIL_FAILURES:
                notification.email_status = EmailStatus.FAILED
            notification.save(update_fields=["email_failures", "email_error", "email_status"])
            return notification.pk
        notification.email_status = EmailStatus.SENT
        notification.email_sent_at = timezone.now()
        notification.email_sends += 1
        notification.save(update_fields=["email_status", "email_sent_at", "email_sends"])
        return notification.pk


def deliver_pending(limit=1000, connection=None):
    """Send the pending emails (reminders and core.notify's alike), each once. Returns how many."""
    emailed, tried = 0, set()
    connection = connection or get_connection()
    while emailed < limit:
        pk = deliver_one(connection, exclude=tried)
        if pk is None:
            break
        tried.add(pk)
        emailed += 1
    return emailed


def send_due_reminders(now=None, limit=1000, digests=True):
    """Plan digests, dispatch every due reminder, deliver pending emails and the users' daily
    notification digests. Safe to run in parallel."""
    from core.notify import send_due_digests  # core.notify builds on this module

    now = now or timezone.now()
    if digests:
        plan_digests(now)
    dispatched = 0
    while dispatched < limit and dispatch_one(now):
        dispatched += 1
    connection = get_connection()
    emailed = deliver_pending(limit, connection)
    result = {"dispatched": dispatched, "emailed": emailed}
    daily = send_due_digests(now, connection, limit)
    if daily:
        result["daily_digests"] = daily
    return result


# --- notifications (pages and API) --------------------------------------------------------------
def unread_count(user):
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids=None):
    """Mark the user's notifications (all, or those in `ids`) read. Returns how many changed."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())


def obligations_visible_to(principal):
    """Obligations a principal may see: its own agency's; the secretariat and admins see all."""
    queryset = DatedObligation.objects.all()
    if principal.is_superuser or principal.is_secretariat:
        return queryset
    if principal.agency is None:
        return queryset.none()
    return queryset.filter(agency=principal.agency)


def language_of(user):
    membership = getattr(user, "membership", None)
    code = getattr(membership, "preferred_language", None)
    return code if code in language_codes() else settings.LANGUAGE_CODE
