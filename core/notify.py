"""Tell the people an event concerns: one service for every app (in the portal, and by email).

    from core import notify

    notify.notify(
        notify.experts_of(other_country), "monitoring.match_proposed",
        _("New match proposal: %(record)s"), "monitoring/notifications/match_proposed_body.txt",
        record=proposal, actor=request.user,
    )

Every recipient gets one in-portal `Notification` (the bell and the list), rendered in that
recipient's language. Email follows the recipient's `NotificationPreference`:
- immediate: the row is queued (`email_status=pending`) and delivered by the exactly-once
  machinery of `core.reminders.deliver_one`, kicked off after the commit and run again by the beat
  task `core.send_due_reminders`;
- daily: the row waits (`email_status=digest`) for the user's daily digest, sent once a day at
  `PORTAL_DIGEST_HOUR` in the user's agency's time zone (`send_due_digests`, run by the same beat);
- none: in the portal only.
An urgent notification (a poaching alert) is emailed at once whatever the preference says, as long
as the user has an email address, and stays on the dashboard (`urgent_unread_for`) until acknowledged.
"""

import datetime
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import reminders
from core.models import (
    Agency,
    AgencyKind,
    EmailStatus,
    Membership,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    Role,
)

logger = logging.getLogger(__name__)

# The filter value and label the notification list uses for urgent notifications.
URGENT = "urgent"
URGENT_LABEL = gettext_lazy("Urgent")
# People who work for an agency: not observers, and not the experts (they get scientific matters).
STAFF_ROLES = (Role.AGENCY_COORDINATOR, Role.AGENCY_STAFF, Role.SECRETARIAT_COORDINATOR)
TEMPLATE_SUFFIXES = (".txt", ".html")

__all__ = [
    "STAFF_ROLES",
    "URGENT",
    "acknowledge",
    "acknowledge_record",
    "coordinators_of",
    "experts_of",
    "notify",
    "event_label",
    "preference_for",
    "register_event",
    "secretariat",
    "send_due_digests",
    "set_email_delivery",
    "staff_of",
    "urgent_unread_for",
    "whoever_asked",
]


# --- events -------------------------------------------------------------------------------------
EVENTS = {}


def register_event(key, label):
    """Name an event for people ("monitoring.match_proposed" → "Match proposed"); the lists show it."""
    EVENTS[key] = label
    return key


def event_label(key):
    """The event's registered label in the active language; the key itself when unregistered."""
    return str(EVENTS[key]) if key in EVENTS else key


# --- recipients ---------------------------------------------------------------------------------
def _agency_ids(agencies):
    """Agencies given as one Agency, a pk, or an iterable/queryset of either."""
    if isinstance(agencies, Agency | int):
        agencies = [agencies]
    return [a.pk if isinstance(a, Agency) else a for a in agencies]


def _people(memberships):
    """The active users behind `memberships`, with what notify() reads about them."""
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__in=memberships)
        .select_related("membership__agency", "notification_preference")
        .order_by("pk")
    )


def staff_of(agencies, roles=STAFF_ROLES):
    """The people working for `agencies` (coordinators and staff; pass `roles` to change that)."""
    return _people(
        Membership.objects.filter(agency_id__in=_agency_ids(agencies), agency__is_active=True, role__in=roles)
    )


def coordinators_of(agencies):
    """The coordinators of `agencies`: the same people the reminders go to."""
    return _people(reminders.coordinators_of(_agency_ids(agencies)))


def experts_of(country):
    """The experts of a country ("CN" or "RU"), whatever agency they belong to."""
    return _people(Membership.objects.filter(agency__country=country, agency__is_active=True, role=Role.EXPERT))


def secretariat():
    """The secretariat's people (every secretariat agency's staff and coordinators)."""
    return staff_of(Agency.objects.filter(kind=AgencyKind.SECRETARIAT))


def whoever_asked(user):
    """The one person a decision goes back to (the requester, the proposer), if still active."""
    if user is None or not getattr(user, "is_active", False):
        return []
    return [user]


# --- preferences --------------------------------------------------------------------------------
def preference_for(user):
    """The user's preference (not saved when the user never chose: immediate by default)."""
    try:
        return user.notification_preference
    except ObjectDoesNotExist:
        return NotificationPreference(user=user)


def _delivery(user, urgent):
    if not user.email:
        return EmailStatus.NONE
    if urgent:
        return EmailStatus.PENDING
    choice = preference_for(user).email_delivery
    if choice == NotificationDelivery.DAILY:
        return EmailStatus.DIGEST
    if choice == NotificationDelivery.NONE:
        return EmailStatus.NONE
    return EmailStatus.PENDING


def set_email_delivery(user, value):
    """Change how `user` gets email. Rows waiting for a digest follow the new choice."""
    if value not in NotificationDelivery.values:
        raise ValidationError(
            {
                "email_delivery": _("Choose one of: %(choices)s.")
                % {"choices": ", ".join(str(label) for label in NotificationDelivery.labels)}
            },
            code="invalid_choice",
        )
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        if preference.email_delivery != value:
            preference.email_delivery = value
            preference.save(update_fields=["email_delivery"])
        if value != NotificationDelivery.DAILY:
            waiting = Notification.objects.filter(recipient=user, email_status=EmailStatus.DIGEST)
            new_status = EmailStatus.PENDING if value == NotificationDelivery.IMMEDIATE else EmailStatus.NONE
            if waiting.update(email_status=new_status) and new_status == EmailStatus.PENDING:
                transaction.on_commit(queue_delivery)
    user.notification_preference = preference  # what this request reads next
    return preference


# --- notify -------------------------------------------------------------------------------------
def _render(text, context):
    """A lazy string (formatted with `context`), a template name, or a callable, as text now."""
    if text is None:
        return ""
    if callable(text) and not isinstance(text, Promise):
        return str(text(context))
    if isinstance(text, str) and not isinstance(text, Promise) and text.endswith(TEMPLATE_SUFFIXES):
        return render_to_string(text, context).strip()
    text = str(text)
    return text % context if "%(" in text else text


def _unique_recipients(recipients, actor):
    seen, people = set(), []
    actor_pk = getattr(actor, "pk", None)
    for person in recipients:
        if isinstance(person, Membership):
            person = person.user
        if person is None or person.pk in seen or not person.is_active or person.pk == actor_pk:
            continue
        seen.add(person.pk)
        people.append(person)
    return people


def notify(recipients, event, subject, body=None, *, url=None, record=None, actor=None, urgent=False, context=None):
    """Tell `recipients` (users) about `event` ("app.what_happened"). Returns the notifications made.

    `subject` and `body` are lazy translatable strings (formatted with `context` plus `record`,
    `recipient` and `url`), template names ending in .txt, or callables of the context; each is
    rendered in the recipient's own language. `url` defaults to `record.get_absolute_url()` in
    that language. The actor is never told about their own action; inactive users are skipped.
    Call it inside the transaction that makes the change: emails go only after it commits.
    """
    people = _unique_recipients(recipients, actor)
    if not people:
        return []
    record_type, record_id = None, ""
    if isinstance(record, models.Model):
        record_type, record_id = ContentType.objects.get_for_model(type(record)), str(record.pk)
    rows = []
    for person in people:
        language = reminders.language_of(person)
        with translation.override(language):
            link = url
            if link is None:
                link = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
            values = {
                "record": record,
                "event": event,
                **(context or {}),
                "recipient": person,
                "url": reminders.absolute_url(link) if link else "",
            }
            title = " ".join(_render(subject, values).split())
            if urgent:
                title = _("Urgent: %(subject)s") % {"subject": title}
            text = _render(body, values)
        status = _delivery(person, urgent)
        rows.append(
            Notification(
                recipient=person,
                event=event[:64],
                urgent=urgent,
                record_type=record_type,
                record_id=record_id,
                language=language,
                subject=title[:255],
                body=text,
                url=str(link)[:500],
                email_to=person.email,
                email_status=status,
            )
        )
    created = Notification.objects.bulk_create(rows)
    if any(row.email_status == EmailStatus.PENDING for row in created):
        transaction.on_commit(queue_delivery)
    return created


def queue_delivery():
    """Ask a worker to send the pending emails now; if the broker is down the next beat run does."""
    from core.tasks import deliver_notifications

    try:
        deliver_notifications.delay()
    except Exception as exc:  # noqa: BLE001 - a missing broker must not fail the user's request
        logger.warning("Could not queue notification emails (the beat task will send them): %s", exc)


# --- urgent, acknowledgement --------------------------------------------------------------------
def urgent_unread_for(user):
    """The user's urgent notifications not yet acknowledged, newest first (for the dashboard)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, urgent=True, read_at__isnull=True)


def acknowledge(user, ids=None):
    """The user acknowledges urgent notifications (all, or `ids`): they leave the dashboard."""
    queryset = urgent_unread_for(user)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())


def acknowledge_record(record, users=None, event=None):
    """Close the notifications about `record` (for `users`, default everyone): for example when
    one person of an agency acknowledges an alert, it leaves the dashboards of all its staff."""
    queryset = Notification.objects.filter(
        record_type=ContentType.objects.get_for_model(type(record)), record_id=str(record.pk), read_at__isnull=True
    )
    if users is not None:
        queryset = queryset.filter(recipient__in=users)
    if event is not None:
        queryset = queryset.filter(event=event)
    return queryset.update(read_at=timezone.now())


# --- daily digests ------------------------------------------------------------------------------
def _timezone_of(user):
    membership = getattr(user, "membership", None)
    return membership.agency.effective_timezone if membership is not None else settings.TIME_ZONE


def last_digest_moment(user, now):
    """The latest digest time (PORTAL_DIGEST_HOUR in the user's agency's zone) at or before `now`."""
    tz_name = _timezone_of(user)
    hour = getattr(settings, "PORTAL_DIGEST_HOUR", 7)
    today = reminders.local_date(now, tz_name)
    moment = reminders.local_moment(today, tz_name, hour)
    if moment > now:
        moment = reminders.local_moment(today - datetime.timedelta(days=1), tz_name, hour)
    return moment


def digest_message_id(user_id, moment):
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "tumen-cats.example"
    return f"<digest-{user_id}-{moment:%Y%m%d%H}@{domain}>"


def send_digest(user_id, now, connection=None):
    """Claim one user's digest (row lock, skip locked), send it, stamp it. True when sent."""
    with transaction.atomic():
        preference = (
            NotificationPreference.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user__membership__agency")
            .filter(user_id=user_id)
            .first()
        )
        if preference is None:  # another worker holds it
            return False
        user = preference.user
        moment = last_digest_moment(user, now)
        if preference.last_digest_at is not None and preference.last_digest_at >= moment:
            return False
        waiting = list(
            Notification.objects.select_for_update()
            .filter(recipient_id=user_id, email_status=EmailStatus.DIGEST, created_at__lte=now)
            .order_by("created_at", "pk")
        )
        # Only what was waiting at the digest hour is due; later rows wait for tomorrow's.
        if not any(row.created_at < moment for row in waiting):
            return False
        ids = [row.pk for row in waiting]
        if not user.email or not user.is_active:
            Notification.objects.filter(pk__in=ids).update(email_status=EmailStatus.NONE)
            preference.last_digest_at = now
            preference.save(update_fields=["last_digest_at"])
            return False
        language = reminders.language_of(user)
        for row in waiting:
            row.email_link = reminders.absolute_url(row.url) if row.url else ""
        with translation.override(language), timezone.override(ZoneInfo(_timezone_of(user))):
            context = {
                "recipient": user,
                "notifications": waiting,
                "url": reminders.absolute_url(_notification_list_url()),
            }
            subject = render_to_string("core/notifications/daily_digest_subject.txt", context)
            body = render_to_string("core/notifications/daily_digest_body.txt", context)
        message = EmailMessage(
            subject=" ".join(subject.split())[:255],
            body=body.strip(),
            to=[user.email],
            headers={"Message-ID": digest_message_id(user_id, moment), "Content-Language": language},
            connection=connection,
        )
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - keep the rows waiting for a retry
            logger.warning("Digest for user %s failed: %s", user_id, exc)
            Notification.objects.filter(pk__in=ids).update(
                email_failures=F("email_failures") + 1, email_error=str(exc)[:2000]
            )
            Notification.objects.filter(pk__in=ids, email_failures__gte=reminders.MAX_EMAIL_FAILURES).update(
                email_status=EmailStatus.FAILED
            )
            return False
        Notification.objects.filter(pk__in=ids).update(
            email_status=EmailStatus.SENT, email_sent_at=timezone.now(), email_sends=F("email_sends") + 1
        )
        preference.last_digest_at = now
        preference.save(update_fields=["last_digest_at"])
        return True


def _notification_list_url():
    from django.urls import reverse

    return reverse("core:notification-list")


def send_due_digests(now=None, connection=None, limit=1000):
    """Send every daily digest that is due. Safe to run twice or in parallel: each goes once."""
    now = now or timezone.now()
    user_ids = list(
        Notification.objects.filter(email_status=EmailStatus.DIGEST, created_at__lte=now)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()[:limit]
    )
    if not user_ids:
        return 0
    # The row the claim locks must exist (a user on "daily" has one; this is for stray rows).
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user_id=pk) for pk in user_ids], ignore_conflicts=True
    )
    connection = connection or get_connection()
    return sum(1 for pk in user_ids if send_digest(pk, now, connection))
