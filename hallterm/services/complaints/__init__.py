"""Complaints (投诉): the four stages, first-responder ownership and the SLA clocks.

The clocks (``clock``, ``workcal``) are pure: every deadline, the time left and the
escalation level are computed from a complaint's events when it is read
(``deadlines(events, calendar_for(hall, tz), settings_for(hall), now)``).
"""

from __future__ import annotations

from hallterm.services.complaints import clock, workcal
from hallterm.services.complaints.clock import (
    KINDS,
    LEVELS,
    STAGES,
    Appeal,
    Clock,
    Clocks,
    ClockSettings,
    Event,
    deadlines,
    describe_left,
    level_label,
    settings_for,
)
from hallterm.services.complaints.workcal import BASES, WorkCalendar, calendar_for

TABLES: tuple[str, ...] = ()

__all__ = [
    "BASES", "KINDS", "LEVELS", "STAGES", "TABLES", "Appeal", "Clock", "ClockSettings", "Clocks",
    "Event", "WorkCalendar", "calendar_for", "clock", "deadlines", "describe_left", "level_label",
    "settings_for", "workcal",
]
