"""The period a figure covers: a calendar year, a pair of dates, or all time."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _


class PeriodError(ValueError):
    """A period a person typed that cannot be used; the message is translated and shown as is."""


@dataclass(frozen=True)
class Period:
    start: datetime.date | None = None
    end: datetime.date | None = None  # inclusive

    def __post_init__(self):
        if self.start and self.end and self.end < self.start:
            raise PeriodError(_("The end of the period must not be before its start."))

    @classmethod
    def year(cls, year):
        year = int(year)
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def between(cls, start=None, end=None):
        return cls(start, end)

    @classmethod
    def all_time(cls):
        return cls()

    @classmethod
    def parse(cls, year=None, start=None, end=None):
        """From query parameters (strings): `year`, or `start`/`end` as YYYY-MM-DD. Raises PeriodError."""
        if year not in (None, ""):
            try:
                value = int(year)
            except (TypeError, ValueError):
                raise PeriodError(_("The year must be a number such as 2026.")) from None
            if not 1900 <= value <= 2999:
                raise PeriodError(_("The year must be between 1900 and 2999."))
            return cls.year(value)
        dates = []
        for raw in (start, end):
            if raw in (None, ""):
                dates.append(None)
                continue
            if isinstance(raw, datetime.date):
                dates.append(raw)
                continue
            try:
                dates.append(datetime.date.fromisoformat(str(raw)))
            except ValueError:
                raise PeriodError(_("Enter dates as YYYY-MM-DD.")) from None
        return cls(*dates)

    @property
    def is_bounded(self):
        return self.start is not None or self.end is not None

    @property
    def is_year(self):
        return bool(
            self.start
            and self.end
            and self.start.year == self.end.year
            and (self.start.month, self.start.day) == (1, 1)
            and (self.end.month, self.end.day) == (12, 31)
        )

    def q(self, field, is_datetime=False):
        """A Q keeping rows whose `field` falls in the period (`is_datetime`: compare its date)."""
        lookup = f"{field}__date" if is_datetime else field
        condition = Q()
        if self.start:
            condition &= Q(**{f"{lookup}__gte": self.start})
        if self.end:
            condition &= Q(**{f"{lookup}__lte": self.end})
        return condition

    def contains(self, day):
        if isinstance(day, datetime.datetime):
            day = day.date()
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def label(self):
        """The period in the active language ("2026", "1 March 2026 – 31 May 2026", "All time")."""
        if self.is_year:
            return str(self.start.year)
        if not self.is_bounded:
            return _("All time")
        start = formats.date_format(self.start, "SHORT_DATE_FORMAT") if self.start else "…"
        end = formats.date_format(self.end, "SHORT_DATE_FORMAT") if self.end else "…"
        return f"{start} – {end}"

    def __str__(self):
        return str(self.label())
