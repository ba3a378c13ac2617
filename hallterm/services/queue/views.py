"""The queue's states, their labels, and its read models (what screens and the CLI show)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from hallterm.context import Actor
from hallterm.i18n import N_
from hallterm.services.queue import policy

KIOSK = Actor(id=0, empno="kiosk", name="Ticket kiosk", roles=frozenset())
PRIORITIES = policy.CLASSES
PRIORITY_LABELS = {
    "vip": N_("VIP"),
    "care": N_("Priority care"),
    "appointment": N_("Appointment"),
    "normal": N_("Normal"),
}
STATE_LABELS = {
    "waiting": N_("waiting"),
    "called": N_("called"),
    "serving": N_("serving"),
    "parked": N_("parked"),
    "done": N_("done"),
    "no_show": N_("no-show"),
    "cancelled": N_("cancelled"),
    "transferred": N_("transferred"),
}
COUNTER_STATES = ("open", "paused", "closing", "closed")
COUNTER_LABELS = {
    "open": N_("open"),
    "paused": N_("paused"),
    "closing": N_("closing"),
    "closed": N_("closed"),
}
# Allowed counter state changes: open ⇄ paused (handover), open → closing → closed.
COUNTER_MOVES = {
    "closed": {"open"},
    "open": {"paused", "closing", "closed"},
    "paused": {"open", "closing", "closed"},
    "closing": {"open", "closed"},
}
HELD = ("called", "serving", "parked")
# Every queue write adds a ticket or counter event, so their newest ids together are a
# change counter that costs nothing to keep and one indexed read to poll.
VERSION_SQL = ("SELECT coalesce((SELECT max(id) FROM ticket_event), 0) + "
               "coalesce((SELECT max(id) FROM counter_event), 0)")


# -- read models ---------------------------------------------------------------------
@dataclass(frozen=True)
class TicketInfo:
    """A ticket as screens and the CLI show it (no customer data: there is none)."""

    id: int
    number: str
    service: str
    priority: str
    appointment_code: str | None
    visit: int
    state: str
    issued_at: datetime
    counter: int | None
    called_at: datetime | None
    first_called_at: datetime | None
    recalls: int
    call_rule: str | None
    serving_at: datetime | None
    parked_at: datetime | None
    parked_s: int
    finished_at: datetime | None
    misses: int
    auto_reinserted: bool
    reason: str | None
    wait_s: int  # from issue to the first call (or to now while waiting)
    long_wait: bool


@dataclass(frozen=True)
class Slip:
    """The printed ticket slip (取号凭条)."""

    ticket_id: int
    number: str
    service: str
    service_zh: str
    service_en: str
    priority: str
    appointment_code: str | None
    issued_at: datetime
    visit: int
    business_day: date
    people_ahead: int
    estimated_wait_min: int


@dataclass(frozen=True)
class NoShowResult:
    """A no-show: final, or re-inserted automatically (过号保护 for vip/care)."""

    ticket: TicketInfo
    reinserted: bool


@dataclass(frozen=True)
class ServiceQueue:
    """One service's line on the board."""

    code: str
    prefix: str
    name_zh: str
    name_en: str
    waiting: int
    longest_wait_s: int
    flagged: tuple[str, ...]  # the first numbers waiting longer than the threshold
    open_counters: tuple[int, ...]
    flagged_count: int = 0  # how many wait longer than the threshold


@dataclass(frozen=True)
class CounterInfo:
    """A counter, its state, its clerk and what it holds."""

    number: int
    name: str
    services: tuple[str, ...]
    state: str
    state_since: datetime | None
    clerk: str | None  # empno
    clerk_name: str | None
    current_ticket: str | None
    current_visit: int | None
    parked: tuple[str, ...]
    # While closing: tickets waiting for services no other open counter serves.
    orphans: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallInfo:
    """A call (or recall) as the hall display shows it."""

    number: str
    counter: int
    at: datetime
    recall: bool


@dataclass(frozen=True)
class QueueStatus:
    """The whole queue at a glance (Reception screen, ``queue status``)."""

    business_day: date
    services: list[ServiceQueue]
    counters: list[CounterInfo]
    calls: list[CallInfo]
    version: int


@dataclass(frozen=True)
class CounterView:
    """What a counter panel shows."""

    counter: CounterInfo
    current: TicketInfo | None
    parked: list[TicketInfo]
    waiting: int  # tickets waiting for this counter's services
    long_wait_minutes: int
    version: int
    recalls_before_no_show: int = 0  # recalls of a called ticket before it may be a no-show


@dataclass(frozen=True)
class Board:
    """The hall display: calls and waiting counts, nothing about customers."""

    hall_zh: str
    hall_en: str
    calls: list[CallInfo]
    services: list[ServiceQueue]
    version: int


@dataclass(frozen=True)
class ServiceFigures:
    """One service's queue figures for the day report."""

    code: str
    name_zh: str
    name_en: str
    issued: int
    served: int
    no_show: int
    cancelled: int
    transferred: int
    still_waiting: int
    avg_wait_s: int | None
    p90_wait_s: int | None
    longest_wait_s: int | None
    avg_service_s: int | None
    p90_service_s: int | None
    parked_s: int
    within_target: float | None  # share of called tickets called within the target wait


@dataclass(frozen=True)
class DayFigures:
    """The queue part of the day report."""

    business_day: date
    target_wait_minutes: int
    services: list[ServiceFigures]
    total: ServiceFigures


@dataclass(frozen=True)
class VisitInfo:
    """A visit (到访) and its tickets; other areas link their records by ``id``."""

    id: int
    business_day: date
    opened_at: datetime
    tickets: list[TicketInfo] = field(default_factory=list)
    wait_s: int = 0
    service_s: int = 0
    parked_s: int = 0
