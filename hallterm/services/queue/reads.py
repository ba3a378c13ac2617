"""Reads: the queue at a glance, the board, a counter, the waiting list, a visit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hallterm.clock import utc_text
from hallterm.context import Ctx, ReadUnit
from hallterm.errors import BadInput, NotFound
from hallterm.hallconfig import HallConfig
from hallterm.i18n import _
from hallterm.services.queue.rows import _TCOLS, _dt, _long_wait_s, _ticket, _when
from hallterm.services.queue.views import (
    VERSION_SQL,
    Board,
    CallInfo,
    CounterInfo,
    CounterView,
    QueueStatus,
    ServiceQueue,
    TicketInfo,
    VisitInfo,
)
from hallterm.store import execute

FLAGGED_SHOWN = 10  # long-wait numbers a board lists per service (the count is whole)


# -- reads ---------------------------------------------------------------------------------
def _read_hall(ctx: Ctx) -> HallConfig:
    from hallterm.services.hall import get_hall

    return get_hall(ctx)


def changes(ctx: Ctx) -> int:
    """A number that changes whenever the queue does (cheap: live screens poll it)."""
    with ctx.store.read() as session:
        value = execute(session, VERSION_SQL).scalar()
    return int(value or 0)


def _counter_infos(session, ctx: Ctx, day: date, only: int | None = None) -> list[CounterInfo]:
    tz = ctx.clock.tz
    lang_zh = ctx.language == "zh_CN"
    rows = execute(session,
                   "SELECT c.number, c.services, c.state, c.state_since, s.empno, s.name, "
                   "c.name_zh, c.name_en FROM counter c LEFT JOIN staff s ON s.id = c.clerk_id "
                   "WHERE c.active = TRUE" + (" AND c.number = :n" if only else "")
                   + " ORDER BY c.number", {"n": only}).all()
    held = execute(session,
                   "SELECT counter, number, state, visit_id FROM ticket WHERE business_day = :d "
                   "AND state IN ('called', 'serving', 'parked') ORDER BY id",
                   {"d": day.isoformat()}).all()
    open_by_service: dict[str, set[int]] = {}
    for r in rows:
        if r.state == "open":
            for code in r.services.split():
                open_by_service.setdefault(code, set()).add(r.number)
    out = []
    for r in rows:
        current = next(((h.number, h.visit_id) for h in held
                        if h.counter == r.number and h.state != "parked"), (None, None))
        parked = tuple(h.number for h in held if h.counter == r.number and h.state == "parked")
        orphans: tuple[str, ...] = ()
        if r.state == "closing":
            only_here = [c for c in r.services.split()
                         if not open_by_service.get(c, set()) - {r.number}]
            if only_here:
                marks = ", ".join(f"'{c}'" for c in only_here)
                orphans = tuple(x.number for x in execute(
                    session, "SELECT number FROM ticket WHERE business_day = :d AND state = "
                    f"'waiting' AND service IN ({marks}) ORDER BY queue_key, id",
                    {"d": day.isoformat()}).all())
        name = (r.name_zh if lang_zh else r.name_en) or (
            _("Counter {number}").format(number=r.number))
        out.append(CounterInfo(r.number, name, tuple(r.services.split()), r.state,
                               _dt(r.state_since, tz), r.empno, r.name, current[0], current[1],
                               parked, orphans))
    return out


def _service_queues(session, hall: HallConfig, day: date, now: datetime,
                    counters: list[CounterInfo]) -> list[ServiceQueue]:
    """Each service's line, counted in SQL: the rows never come to Python (10 000 waiting
    cost 18-100 ms that way), only a count, the oldest issue time and the first
    ``FLAGGED_SHOWN`` long waits per service."""
    # Flagged as ``_ticket`` flags: whole seconds waited > the threshold.
    cut = utc_text(now - timedelta(seconds=_long_wait_s(hall) + 1))
    params = {"d": day.isoformat(), "cut": cut, "n": FLAGGED_SHOWN}
    counts = {r.service: r for r in execute(
        session, "SELECT service, count(*) AS waiting, min(issued_at) AS oldest, "
        "sum(CASE WHEN issued_at <= :cut THEN 1 ELSE 0 END) AS flagged FROM ticket "
        "WHERE business_day = :d AND state = 'waiting' GROUP BY service", params).all()}
    flagged: dict[str, list[str]] = {}
    if any(r.flagged for r in counts.values()):
        for r in execute(session, "SELECT service, number FROM (SELECT service, number, "
                         "issued_at, id, row_number() OVER (PARTITION BY service ORDER BY "
                         "issued_at, id) AS place FROM ticket WHERE business_day = :d AND "
                         "state = 'waiting' AND issued_at <= :cut) AS late WHERE place <= :n "
                         "ORDER BY service, issued_at, id", params).all():
            flagged.setdefault(r.service, []).append(r.number)
    out = []
    for s in hall.services:
        row = counts.get(s.code)
        longest = max(0, int((now - datetime.fromisoformat(row.oldest)).total_seconds())) \
            if row is not None else 0
        open_at = tuple(c.number for c in counters if c.state == "open" and s.code in c.services)
        out.append(ServiceQueue(s.code, s.prefix, s.name_zh, s.name_en,
                                int(row.waiting) if row is not None else 0, longest,
                                tuple(flagged.get(s.code, ())), open_at,
                                int(row.flagged) if row is not None else 0))
    return out


def _calls(session, ctx: Ctx, day: date, limit: int) -> list[CallInfo]:
    rows = execute(session,
                   "SELECT t.number, e.counter, e.at, e.kind FROM ticket_event e JOIN ticket t "
                   "ON t.id = e.ticket_id WHERE e.business_day = :d AND e.kind IN ('call', "
                   "'recall') ORDER BY e.id DESC LIMIT :n",
                   {"d": day.isoformat(), "n": limit}).all()
    return [CallInfo(r.number, r.counter, _when(r.at, ctx.clock.tz), r.kind == "recall") for r in rows]


def queue_status(ctx: Ctx, *, calls: int = 8) -> QueueStatus:
    """Waiting per service, counters with their tickets, and the latest calls."""
    hall = _read_hall(ctx)
    now = ctx.now()
    day = now.date()
    with ctx.store.read() as session:
        version = execute(session, VERSION_SQL).scalar() or 0
        counters = _counter_infos(session, ctx, day)
        services = _service_queues(session, hall, day, now, counters)
        latest = _calls(session, ctx, day, calls)
    return QueueStatus(day, services, counters, latest, int(version))


def board(ctx: Ctx, *, calls: int = 6) -> Board:
    """What the hall display shows (no sign-in, no customer data)."""
    status = queue_status(ctx, calls=calls)
    hall = _read_hall(ctx)
    return Board(hall.name_zh, hall.name_en, status.calls, status.services, status.version)


def waiting_tickets(ctx: Ctx, *, service: str | None = None,
                    limit: int | None = None) -> list[TicketInfo]:
    """Waiting and missed tickets in line order (the guide's list).

    ``limit``: only the first ``limit`` waiting tickets (the head of the line, read
    so in SQL), then every missed one; how many wait in all is ``queue_status``'s.
    """
    hall = _read_hall(ctx)
    now = ctx.now()
    params: dict[str, Any] = {"d": now.date().isoformat()}
    where = ""
    if service:
        where = " AND service = :s"
        params["s"] = service.upper()
    head = ""
    if limit is not None:
        head = " LIMIT :n"
        params["n"] = max(0, limit)
    with ctx.store.read() as session:
        rows = execute(session, f"SELECT {_TCOLS} FROM ticket WHERE business_day = :d AND "
                       f"state = 'waiting'{where} ORDER BY queue_key, id{head}", params).all()
        rows += execute(session, f"SELECT {_TCOLS} FROM ticket WHERE business_day = :d AND "
                        f"state = 'no_show'{where} ORDER BY queue_key, id", params).all()
    return [_ticket(r, now, _long_wait_s(hall)) for r in rows]


def counter_view(ctx: Ctx, *, counter: int | None = None) -> CounterView:
    """A counter's state, current and parked tickets, and how many wait for it."""
    number = counter if counter is not None else ctx.counter
    if number is None:
        raise BadInput(_("This terminal serves no counter; set HALLTERM_COUNTER (or "
                         "--counter)."))
    hall = _read_hall(ctx)
    now = ctx.now()
    day = now.date()
    with ctx.store.read() as session:
        version = execute(session, VERSION_SQL).scalar() or 0
        infos = _counter_infos(session, ctx, day, only=number)
        if not infos:
            raise NotFound(_("No counter {number} in this hall.").format(number=number))
        info = infos[0]
        rows = execute(session, f"SELECT {_TCOLS} FROM ticket WHERE counter = :c AND "
                       "business_day = :d AND state IN ('called', 'serving', 'parked') "
                       "ORDER BY id", {"c": number, "d": day.isoformat()}).all()
        marks = ", ".join(f"'{c}'" for c in info.services)
        waiting = execute(session, "SELECT count(*) FROM ticket WHERE business_day = :d AND "
                          f"state = 'waiting' AND service IN ({marks})",
                          {"d": day.isoformat()}).scalar()
    tickets = [_ticket(r, now, _long_wait_s(hall)) for r in rows]
    current = next((t for t in tickets if t.state != "parked"), None)
    parked = [t for t in tickets if t.state == "parked"]
    return CounterView(info, current, parked, int(waiting or 0),
                       hall.thresholds.long_wait_minutes, int(version),
                       hall.thresholds.recalls_before_no_show)


def current_visit(ctx: Ctx, *, counter: int | None = None) -> int | None:
    """The visit of the ticket now at the counter (Sales and Complaints attach to it)."""
    view = counter_view(ctx, counter=counter)
    return view.current.visit if view.current else None


def ticket_exists(unit: ReadUnit, number: str) -> bool:
    """Whether a queue ticket with this number was ever issued (any day)."""
    return unit.sql("SELECT 1 FROM ticket WHERE number = :n",
                    {"n": (number or "").strip().upper()}).first() is not None


def get_visit(ctx: Ctx, *, visit_id: int) -> VisitInfo:
    """A visit with its tickets and its wait, service and parked time."""
    hall = _read_hall(ctx)
    now = ctx.now()
    with ctx.store.read() as session:
        head = execute(session, "SELECT id, business_day, opened_at FROM visit WHERE id = :i",
                       {"i": visit_id}).first()
        if head is None:
            raise NotFound(_("No visit {id}.").format(id=visit_id))
        rows = execute(session, f"SELECT {_TCOLS} FROM ticket WHERE visit_id = :i ORDER BY id",
                       {"i": visit_id}).all()
    tickets = [_ticket(r, now, _long_wait_s(hall)) for r in rows]
    wait = tickets[0].wait_s if tickets else 0
    service = sum(_service_s(t) or 0 for t in tickets)
    return VisitInfo(head.id, date.fromisoformat(head.business_day),
                     _when(head.opened_at, ctx.clock.tz), tickets, wait, service,
                     sum(t.parked_s for t in tickets))


def _service_s(t: TicketInfo) -> int | None:
    if t.serving_at is None or t.finished_at is None:
        return None
    return max(0, int((t.finished_at - t.serving_at).total_seconds()) - t.parked_s)


def blockers(ctx: Ctx, business_day: date) -> list[TicketInfo]:
    """Tickets that stop the day from closing: waiting, called, serving or parked."""
    hall = _read_hall(ctx)
    now = ctx.now()
    with ctx.store.read() as session:
        rows = execute(session, f"SELECT {_TCOLS} FROM ticket WHERE business_day = :d AND "
                       "state IN ('waiting', 'called', 'serving', 'parked') ORDER BY id",
                       {"d": business_day.isoformat()}).all()
    return [_ticket(r, now, _long_wait_s(hall)) for r in rows]
