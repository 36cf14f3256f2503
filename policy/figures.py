"""The figures of data exchange (core.figures): compliance per agency and period, overdue rounds.

Registered from PolicyConfig.ready(); the compliance page and the dashboard read them.
"""

from collections import Counter, defaultdict
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.figures import GROUPINGS, Column, FigureTable, Row, register_figure, register_grouping, scalar_figure

from .models import RoundStatus
from .services import round_status_q, rounds_visible_to

COMPLIANCE = "policy.compliance"
OVERDUE = "policy.overdue_rounds"
STATUSES = (RoundStatus.ON_TIME, RoundStatus.LATE, RoundStatus.MISSING, RoundStatus.PENDING)


def _rounds(principal, period):
    rounds = rounds_visible_to(principal)
    if period.start:
        rounds = rounds.filter(due_date__gte=period.start)
    if period.end:
        rounds = rounds.filter(due_date__lte=period.end)
    return rounds.select_related("agency", "agreement")


def _dimension(round_, name):
    return {
        "country": round_.agency.country,
        "agency": round_.agency.code,
        "year": round_.due_date.year,
        "period": round_.period_start,
    }[name]


def _link(values, period):
    query = {}
    if "agency" in values:
        query["agency"] = values["agency"]
    if "country" in values:
        query["country"] = values["country"]
    if "period" in values:
        query["period_start"] = values["period"].isoformat()
    if "year" in values:
        query["year"] = values["year"]
    if period.start:
        query["due_after"] = period.start.isoformat()
    if period.end:
        query["due_before"] = period.end.isoformat()
    url = reverse("policy:round-list")
    return f"{url}?{urlencode(query)}" if query else url


def compliance_compute(principal, period, group_by, now=None):
    """On time, late, missing and pending rounds (and the on-time rate among due ones) per group."""
    now = now or timezone.now()
    groups = defaultdict(Counter)
    labels = {}
    for round_ in _rounds(principal, period).order_by("agency__code", "period_start"):
        key = tuple(_dimension(round_, name) for name in group_by)
        groups[key][round_.status_at(now)] += 1
        labels.setdefault(round_.period_start, round_.period_label)
    columns = [Column(name, GROUPINGS.get(name, name), is_dimension=True) for name in group_by]
    columns += [Column(status.value, status.label) for status in STATUSES]
    columns += [Column("due", _("Due")), Column("on_time_rate", _("On-time rate"), unit="%")]
    rows = []
    for key in sorted(groups, key=lambda k: tuple(str(v) for v in k)):
        counts = groups[key]
        values = dict(zip(group_by, key, strict=True))
        due = counts[RoundStatus.ON_TIME] + counts[RoundStatus.LATE] + counts[RoundStatus.MISSING]
        values.update({status.value: counts[status] for status in STATUSES})
        values["due"] = due
        values["on_time_rate"] = round(100 * counts[RoundStatus.ON_TIME] / due) if due else None
        if "period" in values:
            values["period_label"] = labels[values["period"]]  # how people name it: 2026-Q1
        rows.append(Row(values, _link(values, period)))
    return FigureTable(columns=columns, rows=rows)


def overdue_rounds(principal):
    """Rounds past their deadline with nothing delivered: the secretariat's all, an agency's own."""
    rounds = rounds_visible_to(principal)
    if not (principal.is_secretariat or principal.is_superuser):
        rounds = rounds.filter(Q(agency_id=principal.agency_id))
    return rounds.filter(round_status_q(RoundStatus.MISSING, timezone.now())).count()


def register():
    register_grouping("period", _("Reporting period"))
    register_figure(
        COMPLIANCE,
        _("Data-exchange compliance"),
        _("rounds"),
        compliance_compute,
        app_label="policy",
        url_name="policy:compliance",
        dimensions=("country", "agency", "year", "period"),
    )
    register_figure(
        OVERDUE,
        _("Overdue data exchanges"),
        _("rounds"),
        scalar_figure(overdue_rounds, _("Overdue data exchanges")),
        app_label="policy",
        url_name="policy:calendar",
        periodic=False,
        dashboard=True,
        order=60,
    )
