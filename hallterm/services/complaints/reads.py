"""Reading complaints: one with its stages, events, compensations and every clock; the lists.

The clocks are computed from the events whenever a complaint is read
(``clock.deadlines``, the hall's calendar and settings, the clock's ``now``); nothing
about a deadline is stored. The phone is shown masked; the full number is never read
here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hallterm.context import Ctx
from hallterm.permissions import require
from hallterm.services.complaints import clock, records, workcal
from hallterm.services.complaints.clock import Clocks
from hallterm.store import execute


@dataclass(frozen=True)
class EventView:
    """One event of a complaint."""

    at: datetime
    kind: str
    stage: int | None
    by: str
    to: str | None
    note: str | None
    reference: str | None
    result: str | None
    attempts: int | None


@dataclass(frozen=True)
class StageView:
    """One of the four stages: done (when, by whom, what was done) or not yet."""

    number: int
    name: str  # accept, explain, resolve, follow_up
    done_at: datetime | None
    by: str | None
    done: str | None


@dataclass(frozen=True)
class CompensationView:
    """An approved compensation (cash: paid from ``counter``'s drawer, its movement)."""

    id: int
    at: datetime
    kind: str
    amount_fen: int
    description: str
    by: str
    approver: str
    counter: int | None
    cash_movement_id: int | None


@dataclass(frozen=True)
class ComplaintView:
    """A complaint as shown: what it is, who owns it, where it stands, every deadline."""

    number: str
    business_day: date
    opened_at: datetime
    taken_by: str
    owner: str
    offered_to: str | None
    state: str
    stage: int  # the last stage done (0-4)
    channel: str
    category: str
    text: str
    phone: str | None  # masked
    customer_id: int | None
    receipt: str | None
    order_no: str | None
    ticket: str | None
    repeat_of: tuple[str, ...]
    appeal_reference: str | None
    result: str | None
    summary: str | None
    stages: tuple[StageView, ...]
    events: tuple[EventView, ...]
    compensations: tuple[CompensationView, ...]
    clocks: Clocks


@dataclass(frozen=True)
class ComplaintLine:
    """A complaint in a list: the next deadline first."""

    number: str
    opened_at: datetime
    owner: str
    offered_to: str | None
    state: str
    stage: int
    category: str
    phone: str | None
    repeat: bool
    clocks: Clocks

    @property
    def overdue(self) -> bool:
        return self.clocks.overdue


_COMPLAINT = ("SELECT c.id, c.number, c.business_day, c.at, c.taken_by, c.channel, c.category, "
              "c.text, c.phone_masked, c.customer_id, c.receipt, c.order_no, c.ticket, "
              "c.repeat_of, s.state, s.stage, s.owner, s.offered_to FROM complaint c JOIN "
              "complaint_status s ON s.complaint_id = c.id")
_EVENTS = ("SELECT complaint_id, at, kind, stage, actor, to_empno, note, reference, result, "
           "attempts FROM complaint_event")


def _at(value: Any, tz) -> datetime:
    return datetime.fromisoformat(str(value)).astimezone(tz)


def _event(r: Any, tz) -> EventView:
    return EventView(_at(r.at, tz), r.kind, r.stage, r.actor, r.to_empno, r.note, r.reference,
                     r.result, r.attempts)


def clock_events(events: Iterable[EventView]) -> list[clock.Event]:
    """The events as the clocks read them (stage numbers as the clock's stage names)."""
    return [clock.Event(e.at, e.kind, clock.STAGES[e.stage - 1] if e.stage else None, e.by)
            for e in events]


class Timer:
    """The hall's calendar and clock settings, read once, for computing many complaints."""

    def __init__(self, ctx: Ctx) -> None:
        from hallterm.services.hall import get_hall

        hall = get_hall(ctx)
        self.calendar = workcal.calendar_for(hall, ctx.clock.tz)
        self.settings = clock.settings_for(hall)
        self.now = ctx.now()

    def clocks(self, events: Iterable[EventView]) -> Clocks:
        return clock.deadlines(clock_events(events), self.calendar, self.settings, self.now)


def _stages(events: Iterable[EventView]) -> tuple[StageView, ...]:
    done = {e.stage: e for e in events if e.kind == "stage_done" and e.stage}
    return tuple(StageView(n, clock.STAGES[n - 1], done[n].at if n in done else None,
                           done[n].by if n in done else None, done[n].note if n in done else None)
                 for n in records.STAGES)


def get_complaint(ctx: Ctx, *, number: str) -> ComplaintView:
    """One complaint with its stages, events, compensations and clocks."""
    require(ctx.actor, "complaint.read")
    tz = ctx.clock.tz
    timer = Timer(ctx)
    with ctx.store.read() as session:
        from hallterm.context import ReadUnit

        found = records.load(ReadUnit(ctx, session), number)
        c = execute(session, _COMPLAINT + " WHERE c.id = :i", {"i": found.id}).one()
        events = tuple(_event(r, tz) for r in execute(
            session, _EVENTS + " WHERE complaint_id = :i ORDER BY id", {"i": c.id}).all())
        paid = tuple(CompensationView(
            r.id, _at(r.at, tz), r.kind, int(r.amount_fen), r.description, r.actor, r.approver,
            r.counter, r.cash_movement_id) for r in execute(
            session, "SELECT id, at, kind, amount_fen, description, actor, approver, counter, "
            "cash_movement_id FROM complaint_compensation WHERE complaint_id = :i ORDER BY id",
            {"i": c.id}).all())
    closed = next((e for e in events if e.kind == "closed"), None)
    appealed = next((e for e in events if e.kind == "appealed"), None)
    return ComplaintView(
        c.number, date.fromisoformat(str(c.business_day)[:10]), _at(c.at, tz), c.taken_by,
        c.owner, c.offered_to, c.state, int(c.stage), c.channel, c.category, c.text,
        c.phone_masked, c.customer_id, c.receipt, c.order_no, c.ticket,
        tuple(n for n in (c.repeat_of or "").split(",") if n),
        appealed.reference if appealed else None, closed.result if closed else None,
        closed.note if closed else None, _stages(events), events, paid, timer.clocks(events))


def list_complaints(ctx: Ctx, *, overdue: bool = False,
                    owner: str | None = None) -> list[ComplaintLine]:
    """The complaints not closed, the next deadline first.

    ``overdue``: only those past a deadline (escalated); ``owner``: only one person's.
    """
    require(ctx.actor, "complaint.read")
    tz = ctx.clock.tz
    timer = Timer(ctx)
    where, params = "s.state IN ('open', 'paused', 'appealed')", {}
    if owner:
        where += " AND s.owner = :o"
        params["o"] = owner
    with ctx.store.read() as session:
        rows = execute(session, f"{_COMPLAINT} WHERE {where}", params).all()
        events: dict[int, list[EventView]] = defaultdict(list)
        for r in execute(session, _EVENTS + " WHERE complaint_id IN (SELECT c.id FROM "
                         f"complaint c JOIN complaint_status s ON s.complaint_id = c.id WHERE "
                         f"{where}) ORDER BY id", params).all():
            events[int(r.complaint_id)].append(_event(r, tz))
    lines = [ComplaintLine(r.number, _at(r.at, tz), r.owner, r.offered_to, r.state,
                           int(r.stage), r.category, r.phone_masked, bool(r.repeat_of),
                           timer.clocks(events[int(r.id)])) for r in rows]
    if overdue:
        lines = [x for x in lines if x.overdue]
    far = datetime.max.replace(tzinfo=tz)
    return sorted(lines, key=lambda x: ((x.clocks.next.due or far) if x.clocks.next else far,
                                        x.number))
