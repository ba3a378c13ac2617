"""Complaints (投诉): the four stages, first-responder ownership and the SLA clocks.

A complaint is opened at the complaints desk or a counter (``intake``); the person
who takes it owns it (首问负责制) until a transfer is accepted (``ownership``, also
what a shift handover passes on). Its four stages are done in order, it pauses only
while waiting for the customer, may be appealed to the regulator (申诉) and closes
only with the follow-up result and a summary (``stages``). Compensation is approved
by a duty manager (above the hall's limit the hall manager) and cash is paid from a
drawer in the same write (``money``). ``reads`` shows a complaint and lists them,
``day`` is the day report's section and the export's tables.

The clocks (``clock``, ``workcal``) are pure: every deadline, the time left and the
escalation level are computed from a complaint's events when it is read
(``deadlines(events, calendar_for(hall, tz), settings_for(hall), now)``).
"""

from __future__ import annotations

from hallterm.services.complaints import clock, day, workcal
from hallterm.services.complaints import review_records as review_records
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
from hallterm.services.complaints.escalation import (
    Recorded,
    escalated,
    record_escalations,
    show_escalations,
)
from hallterm.services.complaints.intake import (
    Customer,
    Opened,
    check_open,
    open_complaint,
    phone_number,
)
from hallterm.services.complaints.money import (
    KINDS as COMPENSATION_KINDS,
)
from hallterm.services.complaints.money import (
    Compensated,
    check_compensate,
    compensate,
    compensation_kind,
)
from hallterm.services.complaints.ownership import (
    accept,
    check_accept,
    check_transfer,
    transfer,
)
from hallterm.services.complaints.reads import (
    CompensationView,
    ComplaintLine,
    ComplaintView,
    EventView,
    StageView,
    get_complaint,
    list_complaints,
)
from hallterm.services.complaints.records import (
    CATEGORIES,
    CHANNELS,
    RESULTS,
    STATES,
    Changed,
    label,
)
from hallterm.services.complaints.records import STAGES as STAGE_TITLES
from hallterm.services.complaints.stages import (
    appeal,
    check_appeal,
    check_close,
    check_pause,
    check_stage,
    close,
    pause,
    record_stage,
    resume,
)
from hallterm.services.complaints.workcal import BASES, WorkCalendar, calendar_for

TABLES: tuple[str, ...] = ("complaint", "complaint_event", "complaint_status",
                           "complaint_compensation")

__all__ = [
    "BASES", "CATEGORIES", "CHANNELS", "COMPENSATION_KINDS", "KINDS", "LEVELS", "RESULTS",
    "STAGES", "STAGE_TITLES", "STATES", "TABLES", "Appeal", "Changed", "Clock", "ClockSettings",
    "Clocks", "Compensated", "CompensationView", "ComplaintLine", "ComplaintView", "Customer",
    "Event", "EventView", "Opened", "Recorded", "StageView", "WorkCalendar", "accept", "appeal",
    "calendar_for", "check_accept", "check_appeal", "check_close", "check_compensate",
    "check_open", "check_pause", "check_stage", "check_transfer", "clock", "close", "compensate",
    "compensation_kind", "day", "deadlines", "describe_left", "escalated", "get_complaint",
    "label", "level_label",
    "list_complaints", "open_complaint", "pause", "phone_number", "record_escalations",
    "record_stage", "resume", "settings_for", "show_escalations", "transfer", "workcal",
]
