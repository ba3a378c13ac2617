"""The hall's working calendar as a measure of time: how much of a span a clock counts.

A clock counts time by one of three *bases*:

- ``calendar``: every second counts;
- ``working_hours``: only the hall's working hours count (the weekday's business hours,
  none on a holiday, the make-up hours on a make-up working day, 调休);
- ``working_days``: every second of a working day counts (a working weekday that is not
  a holiday, or a make-up working day), so "5 working days" is 5 x 24 h of that measure.

Everything here is pure and counts the hall's wall-clock time: times are turned into
naive local times of the hall's timezone first (``WorkCalendar.wall``), so a day is a
local calendar day and 15 days end at the same time of day even across a DST change
(none in China, but the timezone is the hall's setting). ``WorkCalendar.aware`` turns
a result back into a timezone-aware time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from hallterm.hallconfig import WEEKDAYS, HallConfig, Hours

Basis = Literal["calendar", "working_hours", "working_days"]
BASES: tuple[Basis, ...] = ("calendar", "working_hours", "working_days")
Span = tuple[datetime, datetime]  # naive hall wall time, start inclusive, end exclusive

# How far ahead a deadline is looked for before the calendar is declared empty.
SEARCH_DAYS = 3 * 366


@dataclass(frozen=True)
class WorkCalendar:
    """The hall's calendar in its timezone (build it with ``calendar_for``)."""

    tz: tzinfo
    hours: tuple[Hours, ...]  # Monday .. Sunday
    working_weekdays: frozenset[int]  # 0 = Monday
    holidays: frozenset[date]
    makeup_days: frozenset[date]
    makeup_hours: Hours

    def is_working_day(self, day: date) -> bool:
        """A working day: a working weekday that is no holiday, or a make-up working day."""
        if day in self.makeup_days:
            return True
        return day not in self.holidays and day.weekday() in self.working_weekdays

    def hours_on(self, day: date) -> Hours | None:
        """The working hours of ``day`` (``None`` when no time counts that day)."""
        if day in self.makeup_days:
            return self.makeup_hours
        if day in self.holidays:
            return None
        hours = self.hours[day.weekday()]
        return None if hours.closed else hours

    def wall(self, at: datetime) -> datetime:
        """``at`` (timezone-aware) as the hall's naive wall-clock time."""
        if at.tzinfo is None:
            raise ValueError(f"a time without a timezone: {at!r}")
        return at.astimezone(self.tz).replace(tzinfo=None)

    def aware(self, wall: datetime) -> datetime:
        """A naive hall wall-clock time as a timezone-aware time."""
        return wall.replace(tzinfo=self.tz)

    def day_span(self, basis: Basis, day: date) -> Span | None:
        """The part of ``day`` that ``basis`` counts (hall wall time)."""
        midnight = datetime.combine(day, time(0))
        if basis == "calendar" or (basis == "working_days" and self.is_working_day(day)):
            return midnight, midnight + timedelta(days=1)
        if basis == "working_days":
            return None
        hours = self.hours_on(day)
        if hours is None or hours.open is None:
            return None
        return datetime.combine(day, hours.open), midnight + timedelta(minutes=hours.close_minute)

    def spans(self, basis: Basis, start: datetime, *, days: int = SEARCH_DAYS) -> Iterator[Span]:
        """Counted spans from wall time ``start`` on, day by day (at most ``days`` days)."""
        day = start.date()
        for _n in range(days):
            span = self.day_span(basis, day)
            day += timedelta(days=1)
            if span is None or span[1] <= start:
                continue
            yield max(span[0], start), span[1]


def calendar_for(hall: HallConfig, tz: tzinfo) -> WorkCalendar:
    """The working calendar of a hall configuration in the hall's timezone."""
    cal = hall.calendar
    return WorkCalendar(
        tz=tz,
        hours=tuple(hall.hours[d] for d in WEEKDAYS),
        working_weekdays=frozenset(WEEKDAYS.index(d) for d in cal.working_weekdays),
        holidays=frozenset(cal.holidays),
        makeup_days=frozenset(cal.makeup_days),
        makeup_hours=cal.makeup_hours,
    )


def _minus(span: Span, gaps: Sequence[Span]) -> Iterator[Span]:
    """``span`` without the (sorted, non-overlapping) ``gaps``."""
    start, end = span
    for gap_start, gap_end in gaps:
        if gap_end <= start:
            continue
        if gap_start >= end:
            break
        if gap_start > start:
            yield start, gap_start
        start = max(start, gap_end)
        if start >= end:
            return
    if start < end:
        yield start, end


def counted(cal: WorkCalendar, basis: Basis, start: datetime, end: datetime,
            gaps: Sequence[Span] = ()) -> timedelta:
    """How much of ``[start, end)`` the clock counts, leaving out ``gaps`` (pauses)."""
    total = timedelta(0)
    if end <= start:
        return total
    days = (end.date() - start.date()).days + 2
    for span in cal.spans(basis, start, days=days):
        if span[0] >= end:
            break
        for a, b in _minus((span[0], min(span[1], end)), gaps):
            total += b - a
    return total


def due(cal: WorkCalendar, basis: Basis, start: datetime, allowance: timedelta,
        gaps: Sequence[Span] = ()) -> datetime | None:
    """The moment the clock has counted ``allowance`` from ``start`` (wall time), leaving out
    ``gaps``; ``None`` when the calendar has no such time within ``SEARCH_DAYS``."""
    left = allowance
    for span in cal.spans(basis, start):
        for a, b in _minus(span, gaps):
            if b - a >= left:
                return a + left
            left -= b - a
    return None
