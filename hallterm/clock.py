"""The one injectable clock: every "now" in HallTerm comes from here.

Times are timezone-aware in the hall's timezone. Tests use ``FixedClock`` or
``SteppingClock`` and never sleep; ``HALLTERM_NOW`` (the ``now`` setting) freezes
the clock of a whole process, for scripted tests of hour-dependent rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Something that tells the time in the hall's timezone."""

    tz: tzinfo  # the hall's zone (a frozen clock may carry the fixed offset it was given)

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real clock, read in the hall's timezone."""

    def __init__(self, tz: tzinfo | str = "Asia/Shanghai") -> None:
        self.tz: tzinfo = ZoneInfo(tz) if isinstance(tz, str) else tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class FixedClock:
    """A clock that shows one time until moved by hand (tests, ``HALLTERM_NOW``)."""

    def __init__(self, at: datetime, tz: tzinfo | str | None = None) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.tz: tzinfo = ZoneInfo(tz) if isinstance(tz, str) else (tz or at.tzinfo)
        self._at = at.astimezone(self.tz)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Jump to ``at``."""
        self._at = at.astimezone(self.tz)

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new time."""
        self._at += timedelta(**delta)
        return self._at


class SteppingClock(FixedClock):
    """A clock that moves forward by ``step`` every time it is read."""

    def __init__(self, at: datetime, step: timedelta = timedelta(seconds=1)) -> None:
        super().__init__(at)
        self.step = step

    def now(self) -> datetime:
        at = self._at
        self._at += self.step
        return at


def business_day_of(at: datetime) -> date:
    """The hall's business day of an aware time: its local calendar date."""
    return at.date()


def utc_text(value: datetime) -> str:
    """The stored text of an aware datetime: UTC ISO-8601 with microseconds, fixed width,
    so it sorts and compares as text (the ``AwareDateTime`` columns hold exactly this)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")
