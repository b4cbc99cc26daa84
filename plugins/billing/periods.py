"""Billing periods: a month (``2024-03``) or a calendar year (``2024``)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from core import ValidationError

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    """An inclusive range of days with a label used in item keys and listings."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days + 1

    def overlap_days(self, first: dt.date, last: dt.date | None) -> int:
        """Days of the period within ``first``..``last`` (``None``: open end)."""
        start = max(self.start, first)
        end = min(self.end, last) if last is not None else self.end
        return max(0, (end - start).days + 1)

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` lies in the period."""
        return self.start <= day <= self.end


def month(year: int, month_number: int) -> Period:
    """The calendar month as a period."""
    last = calendar.monthrange(year, month_number)[1]
    return Period(
        dt.date(year, month_number, 1),
        dt.date(year, month_number, last),
        f"{year:04d}-{month_number:02d}",
    )


def year(number: int) -> Period:
    """The calendar year as a period."""
    return Period(dt.date(number, 1, 1), dt.date(number, 12, 31), f"{number:04d}")


def parse_month(text: str, field: str = "period") -> Period:
    """``YYYY-MM`` as a month period; ``ValidationError`` naming the field otherwise."""
    match = MONTH.match((text or "").strip())
    if match is None:
        raise ValidationError(
            "%(value)s is not a month in the form YYYY-MM (e.g. 2024-03)",
            field=field,
            code="period.invalid",
            value=repr(text),
        )
    return month(int(match.group(1)), int(match.group(2)))


def parse_day(text: str | None, field: str = "date") -> dt.date | None:
    """A day given as ``YYYY-MM-DD`` (None stays None).

    :raises ValidationError: not such a day; the error names ``field``.
    """
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            "%(value)s is not a date (YYYY-MM-DD)",
            field=field,
            code="date.invalid",
            value=repr(text),
        ) from None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    target_year, target_month = divmod(index, 12)
    last = calendar.monthrange(target_year, target_month + 1)[1]
    return dt.date(target_year, target_month + 1, min(day.day, last))
