"""The queue (排队叫号): tickets, visits, counters, calls, and the day's queue figures.

A ticket moves ``waiting → called → serving → done``; it may also end as
``no_show``, ``cancelled`` or ``transferred`` (its next hop waits in the new
service with the original issue time). A serving ticket can be ``parked`` (挂起)
and resumed; parked time is kept apart from service time. Who is called next is
``services.policy``'s decision.

Ticket kiosk: ``issue_ticket`` with nobody signed in acts as the kiosk (actor
``kiosk`` on this terminal, no PIN: customers take their own tickets); a
signed-in person needs ``queue.issue``. Every write goes through ``run_write``,
adds a ticket or counter event (whose newest ids are the change counter live
screens poll: ``changes``), and is audited.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, NotFound, Refused
from hallterm.hallconfig import HallConfig
from hallterm.i18n import N_, _
from hallterm.models.types import utc_text
from hallterm.permissions import allowed, require
from hallterm.services import policy
from hallterm.services.keeper import require_keeper
from hallterm.store import execute
from hallterm.textinput import free_text

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
    flagged: tuple[str, ...]  # numbers waiting longer than the threshold
    open_counters: tuple[int, ...]


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


# -- helpers ---------------------------------------------------------------------------
_TCOLS = ("id, number, service, priority, appointment_code, visit_id, state, issued_at, "
          "counter, called_at, first_called_at, recalls, call_rule, serving_at, parked_at, "
          "parked_s, finished_at, misses, auto_reinserted, reason")


def _dt(value: str | None, tz) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(tz) if value else None


def _ticket(row, now: datetime, long_wait_s: int) -> TicketInfo:
    tz = now.tzinfo
    issued = _dt(row[7], tz)
    first = _dt(row[10], tz)
    wait = int(((first or now) - issued).total_seconds())
    waiting_long = wait > long_wait_s and row[6] in ("waiting", "called", "serving", "parked")
    return TicketInfo(
        id=row[0], number=row[1], service=row[2], priority=row[3], appointment_code=row[4],
        visit=row[5], state=row[6], issued_at=issued, counter=row[8], called_at=_dt(row[9], tz),
        first_called_at=first, recalls=row[11], call_rule=row[12], serving_at=_dt(row[13], tz),
        parked_at=_dt(row[14], tz), parked_s=row[15], finished_at=_dt(row[16], tz),
        misses=row[17], auto_reinserted=bool(row[18]), reason=row[19], wait_s=max(0, wait),
        long_wait=waiting_long,
    )


def _hall_in(uow: UnitOfWork, sha: str | None = None) -> HallConfig:
    """The hall configuration, read inside the write (cached by its digest)."""
    from hallterm.hallconfig import parse_hall

    if sha is None:
        sha = uow.sql("SELECT sha256 FROM hall WHERE id = 1").scalar()
    cached = uow.ctx.extra.get("hall")
    if cached is not None and cached[0] == sha:
        return cached[1]
    text = uow.sql("SELECT config_json FROM hall WHERE id = 1").scalar()
    if text is None:
        raise BadInput(_("The store has no hall configuration; run hallterm init."))
    config = parse_hall(json.loads(text), source="store")
    uow.ctx.extra["hall"] = (sha, config)
    return config


def _config(hall: HallConfig) -> policy.PolicyConfig:
    q = hall.queue
    return policy.PolicyConfig(q.policy, q.priority_run, q.aging_minutes_per_class)


def _actor_no(uow: UnitOfWork) -> str | None:
    return uow.actor.empno if uow.actor else None


def _event(uow: UnitOfWork, day: date, ticket_id: int, kind: str, priority: str,
           counter: int | None = None, detail: dict[str, Any] | None = None) -> None:
    uow.sql(
        "INSERT INTO ticket_event (business_day, ticket_id, at, kind, counter, priority, actor, "
        "detail) VALUES (:d, :t, :at, :k, :c, :p, :a, :x)",
        {"d": day.isoformat(), "t": ticket_id, "at": utc_text(uow.now), "k": kind, "c": counter,
         "p": priority, "a": _actor_no(uow),
         "x": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)},
    )


def _long_wait_s(hall: HallConfig) -> int:
    return hall.thresholds.long_wait_minutes * 60


def _get(uow: UnitOfWork, ticket_id: int, hall: HallConfig) -> TicketInfo:
    row = uow.sql(f"SELECT {_TCOLS} FROM ticket WHERE id = :i", {"i": ticket_id}).first()
    return _ticket(row, uow.now, _long_wait_s(hall))


def _find(uow: UnitOfWork, day: date, number: str) -> Any:
    """The latest hop of ticket ``number`` today (raises ``NotFound``)."""
    number = (number or "").strip().upper()
    row = uow.sql(f"SELECT {_TCOLS}, hop FROM ticket WHERE business_day = :d AND number = :n "
                  "ORDER BY hop DESC LIMIT 1", {"d": day.isoformat(), "n": number}).first()
    if row is None:
        raise NotFound(_("No ticket {number} today.").format(number=number or "-"))
    return row


def _counter_row(uow: UnitOfWork, number: int) -> Any:
    row = uow.sql("SELECT number, services, state, clerk_id, state_since, active FROM counter "
                  "WHERE number = :n", {"n": number}).first()
    if row is None or not row[5]:
        raise NotFound(_("No counter {number} in this hall.").format(number=number))
    return row


def _my_counter(ctx: Ctx, counter: int | None) -> int:
    """The counter a clerk acts at: the given one, else this terminal's."""
    require(ctx.actor, "queue.serve")
    number = counter if counter is not None else ctx.counter
    if number is None:
        raise BadInput(_("This terminal serves no counter; set HALLTERM_COUNTER (or "
                         "--counter)."))
    with ctx.store.read() as session:
        require_counter(session, number)
    return number


def _held(uow: UnitOfWork, counter: int, states: tuple[str, ...] = ("called", "serving")):
    marks = ", ".join(f"'{s}'" for s in states)
    return uow.sql(f"SELECT {_TCOLS} FROM ticket WHERE counter = :c AND state IN ({marks}) "
                   "ORDER BY id", {"c": counter}).all()


def _current_or_refuse(uow: UnitOfWork, counter: int, states: tuple[str, ...]) -> Any:
    rows = _held(uow, counter)
    if not rows:
        raise Refused(_("Counter {counter} has no current ticket; call the next one first.")
                      .format(counter=counter))
    row = rows[0]
    if row[6] not in states:
        raise Refused(_("Ticket {number} is {state}; that cannot be done now.").format(
            number=row[1], state=_(STATE_LABELS[row[6]])))
    return row


def _place_key(uow: UnitOfWork, day: date, service: str, places: int, after: float) -> float:
    """The line position ``places`` waiting tickets on (顺延), from the head of the line."""
    keys = [r[0] for r in uow.sql(
        "SELECT queue_key FROM ticket WHERE business_day = :d AND service = :s AND "
        "state = 'waiting' ORDER BY queue_key, id LIMIT :n",
        {"d": day.isoformat(), "s": service, "n": places + 1}).all()]
    if len(keys) > places:
        return (keys[places - 1] + keys[places]) / 2.0
    return max([after, *keys]) + 0.001  # fewer waiting: the end of the line


# -- issuing -----------------------------------------------------------------------------
def issue_ticket(ctx: Ctx, *, service: str, priority: str = "normal",
                 appointment: str | None = None, command_id: str | None = None) -> Slip:
    """Issue a ticket and open its visit (kiosk when nobody is signed in)."""
    code = (service or "").strip().upper()
    priority = (priority or "normal").strip().lower()
    if priority not in PRIORITIES:
        raise BadInput(_("Unknown priority {priority}; use one of: {known}").format(
            priority=priority, known=", ".join(PRIORITIES)))
    appointment = (appointment or "").strip() or None
    if priority == "appointment" and not appointment:
        raise BadInput(_("An appointment ticket needs the appointment code."))
    if appointment and (len(appointment) > 32 or not appointment.replace("-", "").isalnum()):
        raise BadInput(_("An appointment code is 1-32 letters, digits or dashes."))
    actor = ctx.actor
    if actor is None or actor == KIOSK:
        ctx = ctx.as_actor(KIOSK)
    else:
        require(actor, "queue.issue")

    def work(uow: UnitOfWork) -> Slip:
        # The service and the hall's digest in one statement (issuing is the hot path).
        # The service, the hall's digest and the newest ticket keys in one statement:
        # issuing is the hot path.
        row = uow.sql(
            "SELECT h.sha256, s.code, s.prefix, s.name_zh, s.name_en, s.active, "
            "(SELECT max(queue_key) FROM (SELECT queue_key, business_day, hop FROM ticket "
            "ORDER BY id DESC LIMIT 8) WHERE business_day = :d AND hop = 0) "
            "FROM hall h LEFT JOIN service s ON s.code = :c WHERE h.id = 1",
            {"c": code, "d": uow.now.date().isoformat()}).first()
        hall = _hall_in(uow, row[0] if row else None)
        svc = row[1:6] if row else (None, None, None, None, None)
        if svc[0] is None or not svc[4]:
            raise BadInput(_("No service {code} in this hall; services: {known}").format(
                code=code or "-", known=", ".join(s.code for s in hall.services)))
        if not hall.is_open_at(uow.now):
            raise Refused(_("The hall is closed now (hours today: {hours}); no new tickets "
                            "are issued.").format(hours=hall.hours_on(uow.now).label()))
        day = uow.open_day()
        seq = uow.next_number(f"ticket:{svc[1]}:{day.isoformat()}")
        number = f"{svc[1]}{seq:03d}"
        at = utc_text(uow.now)
        key = _issue_key(uow, day, row[6])
        visit = uow.sql("INSERT INTO visit (business_day, opened_at, terminal) VALUES "
                        "(:d, :at, :t) RETURNING id",
                        {"d": day.isoformat(), "at": at, "t": ctx.terminal[:32]}).scalar()
        ticket_id = uow.sql(
            "INSERT INTO ticket (business_day, number, seq, hop, service, priority, "
            "appointment_code, visit_id, state, issued_at, issued_by, queue_key, recalls, "
            "parked_s, misses, auto_reinserted) VALUES (:d, :n, :s, 0, :svc, :p, :a, :v, "
            "'waiting', :at, :by, :k, 0, 0, 0, 0) RETURNING id",
            {"d": day.isoformat(), "n": number, "s": seq, "svc": code, "p": priority,
             "a": appointment, "v": visit, "at": at, "by": uow.actor.empno, "k": key}).scalar()
        _event(uow, day, ticket_id, "issue", priority)
        ahead, estimate = _ahead_and_estimate(uow, day, code, priority, key, hall)
        uow.audit("queue.issue", entity="ticket", entity_id=number, business_day=day,
                  payload={"service": code, "priority": priority, "visit": visit,
                           "appointment": appointment is not None})
        return Slip(ticket_id, number, code, svc[2], svc[3], priority, appointment, uow.now,
                    visit, day, ahead, estimate)

    return run_write(ctx, "queue.issue", work, command_id=command_id, result_type=Slip)


def _issue_key(uow: UnitOfWork, day: date, recent: float | None) -> float:
    """The new ticket's place: its issue time, kept strictly after the last one issued.

    Strictly increasing keys leave room to re-insert a missed ticket between two
    others even when two tickets share a clock reading. ``recent`` is the newest
    issue key among the last few rows (cheap, by rowid); when those were all
    transfer hops or another day's, the day's tickets are asked.
    """
    last = recent
    if last is None:
        last = uow.sql("SELECT max(queue_key) FROM ticket WHERE business_day = :d AND hop = 0",
                       {"d": day.isoformat()}).scalar()
    now = uow.now.timestamp()
    return now if last is None or now > last + 0.0005 else last + 0.001


def _ahead_and_estimate(uow: UnitOfWork, day: date, service: str, priority: str, key: float,
                        hall: HallConfig) -> tuple[int, int]:
    """People ahead in the service's line, and the wait they mean in minutes.

    The wait is people ahead times today's average service time in the service
    (the configured estimate until three were served), shared by its open counters.
    """
    rank = policy.RANK[priority]
    higher = [p for p in PRIORITIES if policy.RANK[p] > rank]
    marks = ", ".join(f"'{p}'" for p in higher) or "''"
    row = uow.sql(
        # Two index range counts (ix_ticket_service_line): the higher classes, and this
        # class before the new ticket's place.
        "SELECT (SELECT count(*) FROM ticket WHERE business_day = :d AND service = :s AND "
        f"state = 'waiting' AND priority IN ({marks})) + (SELECT count(*) FROM ticket WHERE "
        "business_day = :d AND service = :s AND state = 'waiting' AND priority = :p AND "
        "queue_key < :k), count(*), "
        "avg((julianday(finished_at) - julianday(serving_at)) * 86400.0 - parked_s), "
        "(SELECT count(*) FROM counter WHERE active = 1 AND state = 'open' AND "
        "' ' || services || ' ' LIKE '% ' || :s || ' %') FROM ticket WHERE business_day = :d "
        "AND service = :s AND state = 'done' AND serving_at IS NOT NULL",
        {"d": day.isoformat(), "s": service, "p": priority, "k": key}).first()
    ahead = int(row[0])
    minutes = (row[2] / 60.0) if row[1] >= 3 and row[2] else float(
        hall.queue.service_minutes_estimate)
    return ahead, math.ceil(ahead * minutes / max(1, row[3]))


def counter_keeper(uow: UnitOfWork, counter: int) -> tuple[int, str] | None:
    """(staff id, empno) of the clerk at a counter that is not closed, else ``None``.

    The counter's drawer and custody are this person's: cash and stock check it.
    """
    row = uow.sql("SELECT s.id, s.empno FROM counter c JOIN staff s ON s.id = c.clerk_id "
                  "WHERE c.number = :n AND c.state != 'closed'", {"n": counter}).first()
    return (row[0], row[1]) if row is not None else None


def require_counter(session: Any, number: int) -> None:
    """Refuse (exit 2) a counter number the hall does not have.

    The one check for every command and screen that takes a counter number, so
    ``--counter 99`` is never answered with an empty drawer or an empty list.
    """
    if execute(session, "SELECT 1 FROM counter WHERE number = :n",
               {"n": number}).first() is None:
        raise NotFound(_("No counter {number} in this hall.").format(number=number))


def open_walk_up_visit(uow: UnitOfWork, day: date) -> int:
    """Open a visit with no ticket, inside the caller's write (a customer served walk-up).

    Sales and service orders call this so every record still hangs off a visit.
    """
    return uow.sql("INSERT INTO visit (business_day, opened_at, terminal) VALUES (:d, :at, :t) "
                   "RETURNING id", {"d": day.isoformat(), "at": utc_text(uow.now),
                                    "t": uow.ctx.terminal[:32]}).scalar()


# -- counter actions -------------------------------------------------------------------
def call_next(ctx: Ctx, *, counter: int | None = None, command_id: str | None = None,
              override_reason: str | None = None) -> TicketInfo | None:
    """Call the next ticket at a counter by the hall's policy (``None``: nobody waits).

    Only the counter's keeper calls there (a manager with ``override_reason``).
    """
    number = _my_counter(ctx, counter)
    if not _anyone_waiting(ctx, number):
        return None  # nothing to write: spare the write lock and the audit log

    def work(uow: UnitOfWork) -> TicketInfo | None:
        hall = _hall_in(uow)
        day = uow.open_day()
        crow = _counter_row(uow, number)
        require_keeper(uow, number, action="queue.call", override_reason=override_reason)
        if crow[2] not in ("open", "closing"):
            raise Refused(_("Counter {counter} is {state}; open it to call tickets.").format(
                counter=number, state=_(COUNTER_LABELS.get(crow[2], crow[2]))))
        held = _held(uow, number)
        if held:
            raise Refused(_("Counter {counter} still holds ticket {number}; finish it, mark "
                            "it no-show or transfer it first.").format(counter=number,
                                                                        number=held[0][1]))
        services = crow[1].split()
        since = crow[4] if crow[2] == "closing" else None
        candidates = _heads(uow, day, services, since)
        cfg = _config(hall)
        recent = [r[0] for r in uow.sql(
            "SELECT priority FROM ticket_event WHERE counter = :c AND kind = 'call' AND "
            "business_day = :d ORDER BY id DESC LIMIT :n",
            {"c": number, "d": day.isoformat(), "n": cfg.priority_run}).all()]
        choice = policy.choose(candidates, services=services, now_key=uow.now.timestamp(),
                               recent=policy.streak(recent), config=cfg)
        if choice is None:
            uow.audit("queue.call_empty", entity="counter", entity_id=number, business_day=day)
            return None
        at = utc_text(uow.now)
        uow.sql("UPDATE ticket SET state = 'called', counter = :c, clerk_id = :k, called_at = "
                ":at, first_called_at = coalesce(first_called_at, :at), recalls = 0, "
                "call_rule = :r WHERE id = :i AND state = 'waiting'",
                {"c": number, "k": uow.actor.id or None, "at": at, "r": choice.rule,
                 "i": choice.id})
        ticket = _get(uow, choice.id, hall)
        _event(uow, day, choice.id, "call", choice.priority, number,
               {"rule": choice.rule, "wait_s": ticket.wait_s})
        uow.audit("queue.call", entity="ticket", entity_id=ticket.number, business_day=day,
                  payload={"counter": number, "rule": choice.rule, "priority": choice.priority,
                           "wait_s": ticket.wait_s})
        return ticket

    return run_write(ctx, "queue.call", work, command_id=command_id,
                     result_type=TicketInfo | None)


def _anyone_waiting(ctx: Ctx, counter: int) -> bool:
    """A cheap read before the write: does anyone wait for this counter's services?"""
    with ctx.store.read() as session:
        row = execute(session, "SELECT services, state, clerk_id FROM counter WHERE number = :n",
                      {"n": counter}).first()
        if row is None or row[1] not in ("open", "closing"):
            return True  # let the write explain the refusal
        if ctx.actor is None or row[2] != ctx.actor.id:
            return True  # not the keeper: the write refuses (or records the override)
        held = execute(session, "SELECT 1 FROM ticket WHERE counter = :n AND state IN "
                       "('called', 'serving') LIMIT 1", {"n": counter}).first()
        if held is not None:
            return True  # the write refuses: the counter still holds a ticket
        params: dict[str, Any] = {"d": ctx.today().isoformat()}
        names = []
        for i, code in enumerate(row[0].split()):
            params[f"s{i}"] = code
            names.append(f":s{i}")
        found = execute(session, "SELECT 1 FROM ticket WHERE business_day = :d AND state = "
                        f"'waiting' AND service IN ({', '.join(names)}) LIMIT 1", params).first()
    return found is not None


def _heads(uow: UnitOfWork, day: date, services: list[str],
           since: str | None) -> list[policy.Candidate]:
    """The first waiting ticket of each class among ``services`` (see ``policy.heads``)."""
    params: dict[str, Any] = {"d": day.isoformat()}
    names = []
    for i, code in enumerate(services):
        params[f"s{i}"] = code
        names.append(f":s{i}")
    extra = ""
    if since is not None:
        extra = " AND issued_at <= :since"
        params["since"] = since
    out = []
    for priority in PRIORITIES:
        params["p"] = priority
        row = uow.sql(
            "SELECT id, service, priority, queue_key FROM ticket WHERE business_day = :d AND "
            f"state = 'waiting' AND priority = :p AND service IN ({', '.join(names)}){extra} "
            "ORDER BY queue_key, id LIMIT 1", params).first()
        if row is not None:
            out.append(policy.Candidate(row[0], row[1], row[2], row[3]))
    return out


def _counter_write(ctx: Ctx, action: str, counter: int | None, states: tuple[str, ...],
                   change, *, command_id: str | None = None,
                   override_reason: str | None = None) -> TicketInfo:
    """Run ``change(uow, day, row, hall)`` on a counter's current ticket in ``states``
    (the counter's keeper only, or a manager with ``override_reason``)."""
    number = _my_counter(ctx, counter)

    def work(uow: UnitOfWork) -> TicketInfo:
        hall = _hall_in(uow)
        day = uow.open_day()
        _counter_row(uow, number)
        require_keeper(uow, number, action=action, override_reason=override_reason)
        row = _current_or_refuse(uow, number, states)
        detail = change(uow, day, row, hall) or {}
        _event(uow, day, row[0], action.split(".")[-1], row[3], number, detail)
        ticket = _get(uow, row[0], hall)
        uow.audit(action, entity="ticket", entity_id=row[1], business_day=day,
                  payload={"counter": number, **detail})
        return ticket

    return run_write(ctx, action, work, command_id=command_id, result_type=TicketInfo)


def recall(ctx: Ctx, *, counter: int | None = None,
           override_reason: str | None = None) -> TicketInfo:
    """Announce the called ticket again (counts recalls)."""
    def change(uow, day, row, hall):
        uow.sql("UPDATE ticket SET recalls = recalls + 1 WHERE id = :i", {"i": row[0]})
        return {"recalls": row[11] + 1}

    return _counter_write(ctx, "queue.recall", counter, ("called",), change,
                          override_reason=override_reason)


def start_serving(ctx: Ctx, *, counter: int | None = None,
                  override_reason: str | None = None) -> TicketInfo:
    """The customer has come to the counter: service time starts."""
    def change(uow, day, row, hall):
        uow.sql("UPDATE ticket SET state = 'serving', serving_at = :at WHERE id = :i",
                {"at": utc_text(uow.now), "i": row[0]})

    return _counter_write(ctx, "queue.start", counter, ("called",), change,
                          override_reason=override_reason)


def finish(ctx: Ctx, *, counter: int | None = None,
           override_reason: str | None = None) -> TicketInfo:
    """Service done (a called ticket that was served without "start" starts now)."""
    def change(uow, day, row, hall):
        at = utc_text(uow.now)
        uow.sql("UPDATE ticket SET state = 'done', serving_at = coalesce(serving_at, :at), "
                "finished_at = :at WHERE id = :i", {"at": at, "i": row[0]})

    return _counter_write(ctx, "queue.finish", counter, ("called", "serving"), change,
                          override_reason=override_reason)


def park(ctx: Ctx, *, counter: int | None = None, reason: str | None = None,
         override_reason: str | None = None) -> TicketInfo:
    """Park (挂起) the ticket being served: the customer fetches a document."""
    reason = free_text(reason, what=_("A reason"))[:200] or None

    def change(uow, day, row, hall):
        uow.sql("UPDATE ticket SET state = 'parked', parked_at = :at, reason = "
                "coalesce(:r, reason) WHERE id = :i",
                {"at": utc_text(uow.now), "r": reason, "i": row[0]})
        return {"reason": reason}

    return _counter_write(ctx, "queue.park", counter, ("serving",), change,
                          override_reason=override_reason)


def resume(ctx: Ctx, *, counter: int | None = None, number: str | None = None,
           override_reason: str | None = None) -> TicketInfo:
    """Resume a parked ticket of this counter (the oldest parked, or ``number``)."""
    at_counter = _my_counter(ctx, counter)

    def work(uow: UnitOfWork) -> TicketInfo:
        hall = _hall_in(uow)
        day = uow.open_day()
        _counter_row(uow, at_counter)
        require_keeper(uow, at_counter, action="queue.resume", override_reason=override_reason)
        held = _held(uow, at_counter)
        if held:
            raise Refused(_("Counter {counter} still holds ticket {number}; finish it first.")
                          .format(counter=at_counter, number=held[0][1]))
        parked = _held(uow, at_counter, ("parked",))
        if number:
            parked = [r for r in parked if r[1] == number.strip().upper()]
        if not parked:
            raise Refused(_("Counter {counter} has no parked ticket{number}.").format(
                counter=at_counter, number=f" {number}" if number else ""))
        row = parked[0]
        parked_for = int((uow.now - datetime.fromisoformat(row[14])).total_seconds())
        uow.sql("UPDATE ticket SET state = 'serving', parked_at = NULL, parked_s = parked_s + "
                ":p WHERE id = :i", {"p": max(0, parked_for), "i": row[0]})
        _event(uow, day, row[0], "resume", row[3], at_counter, {"parked_s": parked_for})
        uow.audit("queue.resume", entity="ticket", entity_id=row[1], business_day=day,
                  payload={"counter": at_counter, "parked_s": parked_for})
        return _get(uow, row[0], hall)

    return run_write(ctx, "queue.resume", work)


def no_show(ctx: Ctx, *, counter: int | None = None,
            override_reason: str | None = None) -> NoShowResult:
    """Mark the called ticket no-show (过号) after the configured recalls.

    A ``vip`` or ``care`` ticket missed for the first time is re-inserted
    automatically ``reinsert_places`` on (过号保护) instead.
    """
    number = _my_counter(ctx, counter)

    def work(uow: UnitOfWork) -> NoShowResult:
        hall = _hall_in(uow)
        day = uow.open_day()
        _counter_row(uow, number)
        require_keeper(uow, number, action="queue.no_show", override_reason=override_reason)
        row = _current_or_refuse(uow, number, ("called",))
        need = hall.thresholds.recalls_before_no_show
        if row[11] < need:
            raise Refused(_("Recall ticket {number} first: {done} of {need} recall(s) made.")
                          .format(number=row[1], done=row[11], need=need))
        protect = row[3] in ("vip", "care") and not row[18]
        at = utc_text(uow.now)
        if protect:
            places = hall.thresholds.reinsert_places
            key = _place_key(uow, day, row[2], places, uow.now.timestamp())
            uow.sql("UPDATE ticket SET state = 'waiting', counter = NULL, called_at = NULL, "
                    "recalls = 0, misses = misses + 1, auto_reinserted = 1, queue_key = :k "
                    "WHERE id = :i", {"k": key, "i": row[0]})
            _event(uow, day, row[0], "no_show", row[3], number, {"auto_reinsert": places})
        else:
            uow.sql("UPDATE ticket SET state = 'no_show', misses = misses + 1, finished_at = "
                    ":at WHERE id = :i", {"at": at, "i": row[0]})
            _event(uow, day, row[0], "no_show", row[3], number)
        uow.audit("queue.no_show", entity="ticket", entity_id=row[1], business_day=day,
                  payload={"counter": number, "auto_reinsert": protect})
        return NoShowResult(_get(uow, row[0], hall), protect)

    return run_write(ctx, "queue.no_show", work)


# -- guide actions ---------------------------------------------------------------------
def _may_touch(ctx: Ctx, uow: UnitOfWork, row, override_reason: str | None) -> None:
    """A ticket held at a counter is its keeper's; the guide manages the waiting ones."""
    if row[8] is not None and row[6] in HELD:
        require_keeper(uow, row[8], action="queue.transfer", override_reason=override_reason)
        return
    if allowed(ctx.actor.roles, "queue.manage"):
        return
    raise Refused(_("Ticket {number} is not at your counter; the guide handles it.")
                  .format(number=row[1]))


def transfer(ctx: Ctx, *, number: str | None = None, service: str, reason: str | None = None,
             counter: int | None = None, override_reason: str | None = None) -> TicketInfo:
    """Move a ticket to another service; it keeps its original issue time (转移).

    The guide names any waiting ticket; a ticket held at a counter (called, serving,
    parked) is transferred by that counter's keeper (``number`` omitted: the
    counter's current ticket), or by a manager with ``override_reason``.
    """
    if ctx.actor is None:
        require(ctx.actor, "queue.serve")
    if not (allowed(ctx.actor.roles, "queue.manage") or allowed(ctx.actor.roles, "queue.serve")):
        require(ctx.actor, "queue.manage")
    target = (service or "").strip().upper()
    reason = free_text(reason, what=_("A reason"))[:200] or None

    def work(uow: UnitOfWork) -> TicketInfo:
        hall = _hall_in(uow)
        day = uow.open_day()
        if number:
            row = _find(uow, day, number)
        else:
            at = counter if counter is not None else ctx.counter
            if at is None:
                raise BadInput(_("Name the ticket to transfer."))
            row = _current_or_refuse(uow, at, ("called", "serving"))
            row = _find(uow, day, row[1])
        _may_touch(ctx, uow, row, override_reason)
        if row[6] not in ("waiting", *HELD):
            raise Refused(_("Ticket {number} is {state}; only a waiting or current ticket can "
                            "be transferred.").format(number=row[1],
                                                      state=_(STATE_LABELS[row[6]])))
        svc = uow.sql("SELECT code, active FROM service WHERE code = :c", {"c": target}).first()
        if svc is None or not svc[1]:
            raise BadInput(_("No service {code} in this hall; services: {known}").format(
                code=target or "-", known=", ".join(s.code for s in hall.services)))
        if target == row[2]:
            raise BadInput(_("Ticket {number} is already in service {code}.").format(
                number=row[1], code=target))
        at = utc_text(uow.now)
        extra = {"parked_s": 0}
        if row[6] == "parked" and row[14]:
            extra["parked_s"] = int((uow.now - datetime.fromisoformat(row[14])).total_seconds())
        uow.sql("UPDATE ticket SET state = 'transferred', finished_at = :at, parked_at = NULL, "
                "parked_s = parked_s + :ps, serving_at = CASE WHEN state IN ('serving', "
                "'parked') THEN serving_at ELSE NULL END, reason = coalesce(:r, reason) "
                "WHERE id = :i", {"at": at, "ps": extra["parked_s"], "r": reason, "i": row[0]})
        full = uow.sql("SELECT seq, visit_id, issued_at, issued_by, appointment_code, "
                       "auto_reinserted, misses FROM ticket WHERE id = :i",
                       {"i": row[0]}).first()
        key = datetime.fromisoformat(full[2]).timestamp()
        uow.sql(
            "INSERT INTO ticket (business_day, number, seq, hop, service, priority, "
            "appointment_code, visit_id, state, issued_at, issued_by, queue_key, recalls, "
            "parked_s, misses, auto_reinserted, transferred_from, reason) VALUES (:d, :n, :s, "
            ":h, :svc, :p, :a, :v, 'waiting', :at, :by, :k, 0, 0, :m, :ar, :f, :r)",
            {"d": day.isoformat(), "n": row[1], "s": full[0], "h": row[20] + 1, "svc": target,
             "p": row[3], "a": full[4], "v": full[1], "at": full[2], "by": full[3], "k": key,
             "m": full[6], "ar": full[5], "f": row[0], "r": reason})
        new_id = uow.sql("SELECT last_insert_rowid()").scalar()
        _event(uow, day, row[0], "transfer", row[3], row[8],
               {"to": target, "new_ticket": new_id, "reason": reason})
        uow.audit("queue.transfer", entity="ticket", entity_id=row[1], business_day=day,
                  payload={"from": row[2], "to": target, "reason": reason})
        return _get(uow, new_id, hall)

    return run_write(ctx, "queue.transfer", work)


def cancel(ctx: Ctx, *, number: str, reason: str) -> TicketInfo:
    """Cancel a waiting (or missed) ticket: the customer left (guide)."""
    require(ctx.actor, "queue.manage")
    reason = free_text(reason, what=_("A reason"))
    if not reason:
        raise BadInput(_("Give a reason for cancelling the ticket."))

    def work(uow: UnitOfWork) -> TicketInfo:
        hall = _hall_in(uow)
        day = uow.open_day()
        row = _find(uow, day, number)
        if row[6] not in ("waiting", "no_show"):
            raise Refused(_("Ticket {number} is {state}; only a waiting or missed ticket can "
                            "be cancelled.").format(number=row[1],
                                                    state=_(STATE_LABELS[row[6]])))
        uow.sql("UPDATE ticket SET state = 'cancelled', finished_at = :at, reason = :r "
                "WHERE id = :i", {"at": utc_text(uow.now), "r": reason[:200], "i": row[0]})
        _event(uow, day, row[0], "cancel", row[3], None, {"reason": reason[:200]})
        uow.audit("queue.cancel", entity="ticket", entity_id=row[1], business_day=day,
                  payload={"reason": reason[:200]})
        return _get(uow, row[0], hall)

    return run_write(ctx, "queue.cancel", work)


def reinsert(ctx: Ctx, *, number: str, reason: str, places: int | None = None) -> TicketInfo:
    """Put a missed ticket whose customer came back a few places on in line (顺延)."""
    require(ctx.actor, "queue.manage")
    reason = free_text(reason, what=_("A reason"))
    if not reason:
        raise BadInput(_("Give a reason for re-inserting the ticket."))
    if places is not None and not 0 <= places <= 50:
        raise BadInput(_("Re-insert 0-50 places on."))

    def work(uow: UnitOfWork) -> TicketInfo:
        hall = _hall_in(uow)
        day = uow.open_day()
        row = _find(uow, day, number)
        if row[6] != "no_show":
            raise Refused(_("Ticket {number} is {state}; only a missed ticket can be "
                            "re-inserted.").format(number=row[1], state=_(STATE_LABELS[row[6]])))
        n = hall.thresholds.reinsert_places if places is None else places
        key = (_place_key(uow, day, row[2], n, uow.now.timestamp()) if n
               else uow.now.timestamp() - 10**9)
        uow.sql("UPDATE ticket SET state = 'waiting', counter = NULL, called_at = NULL, "
                "recalls = 0, finished_at = NULL, queue_key = :k, reason = :r WHERE id = :i",
                {"k": key, "r": reason[:200], "i": row[0]})
        _event(uow, day, row[0], "reinsert", row[3], None, {"places": n, "reason": reason[:200]})
        uow.audit("queue.reinsert", entity="ticket", entity_id=row[1], business_day=day,
                  payload={"places": n, "reason": reason[:200]})
        return _get(uow, row[0], hall)

    return run_write(ctx, "queue.reinsert", work)


# -- counters -----------------------------------------------------------------------------
def set_counter_state(ctx: Ctx, *, counter: int, state: str, clerk: str | None = None,
                      reason: str | None = None,
                      override_reason: str | None = None) -> CounterInfo:
    """Open, pause, put up the closing sign, or close a counter; records who is at it.

    Opening a closed counter makes the clerk named (else the person opening it) its
    keeper; the guide and managers (``counter.manage``) open any counter, a clerk
    (``queue.serve``) the counter of their own terminal. Every other change is the
    keeper's (a manager's only with ``override_reason``); a counter changes hands
    only by a handover, and nothing changes it while a handover is in progress.
    """
    if state not in COUNTER_STATES:
        raise BadInput(_("Unknown counter state {state}; use one of: {known}").format(
            state=state, known=", ".join(COUNTER_STATES)))
    if ctx.actor is None or not allowed(ctx.actor.roles, "counter.manage"):
        require(ctx.actor, "queue.serve")
        if ctx.counter != counter:
            raise Refused(_("You may change only your own counter ({counter}).").format(
                counter=ctx.counter if ctx.counter is not None else "-"))
    reason = free_text(reason, what=_("A reason"))[:200] or None

    def work(uow: UnitOfWork) -> CounterInfo:
        day = uow.open_day()
        row = _counter_row(uow, counter)
        current = row[2]
        if state not in COUNTER_MOVES.get(current, set()):
            raise Refused(_("Counter {counter} is {current}; it cannot become {state}.").format(
                counter=counter, current=_(COUNTER_LABELS.get(current, current)),
                state=_(COUNTER_LABELS[state])))
        clerk_id = row[3]
        if current != "closed":
            require_keeper(uow, counter, action=f"counter.{state}",
                           override_reason=override_reason, during_handover=False)
            named = _clerk_id(uow, clerk) if clerk else None
            if named is not None and named != clerk_id:
                raise Refused(_("Counter {counter} is kept by {empno}; a counter changes hands "
                                "only by a handover.").format(counter=counter,
                                                               empno=_keeper_empno(uow, row)))
        if state == "closed":
            held = _held(uow, counter, HELD)
            if held:
                raise Refused(_("Counter {counter} still holds ticket {number}; it cannot "
                                "close.").format(counter=counter, number=held[0][1]))
            clerk_id = None
        elif state == "open" and current == "closed":
            clerk_id = _clerk_for(uow, clerk, counter)
        _write_counter_state(uow, day, counter, current, state, clerk_id, reason)
        return _counter_infos(uow.session, uow.ctx, day, only=counter)[0]

    return run_write(ctx, f"counter.{state}", work)


def _write_counter_state(uow: UnitOfWork, day: date, counter: int, current: str, state: str,
                         clerk_id: int | None, reason: str | None) -> None:
    """The one writer of a counter's state: the row, its event (the change counter live
    screens poll, see ``changes``) and the audit."""
    at = utc_text(uow.now)
    uow.sql("UPDATE counter SET state = :s, clerk_id = :k, state_since = :at WHERE "
            "number = :n", {"s": state, "k": clerk_id, "at": at, "n": counter})
    uow.sql("INSERT INTO counter_event (business_day, counter, state, clerk_id, at, actor, "
            "reason) VALUES (:d, :n, :s, :k, :at, :a, :r)",
            {"d": day.isoformat(), "n": counter, "s": state, "k": clerk_id,
             "at": at, "a": _actor_no(uow), "r": reason})
    uow.audit(f"counter.{state}", entity="counter", entity_id=counter, business_day=day,
              payload={"from": current, "clerk_id": clerk_id, "reason": reason})


# -- what a handover does to the queue (inside the handover's own transaction) ------------
# The moves a handover makes: ``start`` pauses an open or closing counter; ``cancel`` puts
# a paused counter back as it was; ``finish`` opens it for the incoming clerk (a shift) or
# closes it (a day-end hand-in). A counter that was closed (or opened again meanwhile: a
# closed counter has no keeper to stop that) may change hands or close too.
HANDOVER_MOVES = {
    "open": {"paused", "open", "closed"},
    "closing": {"paused", "open", "closed"},
    "paused": {"open", "closing", "closed"},
    "closed": {"open"},
}


def handover_counter_state(uow: UnitOfWork, *, counter: int, state: str,
                           clerk_id: int | None, reason: str, business_day: date) -> str:
    """Change ``counter``'s state as a handover does, inside the handover's write ``uow``.

    Checked against ``HANDOVER_MOVES`` (``Refused`` otherwise); a closed counter has
    no clerk, any other has one. Writes the counter, its ``counter_event`` and the
    ``counter.<state>`` audit row exactly as ``set_counter_state`` does (``clerk_id``:
    who keeps it after; ``None`` when it closes). The caller has checked who may do it
    (the handover's own rules). Returns the state before.
    """
    if state not in COUNTER_STATES:
        raise BadInput(_("Unknown counter state {state}; use one of: {known}").format(
            state=state, known=", ".join(COUNTER_STATES)))
    current = _counter_row(uow, counter).state
    if state not in HANDOVER_MOVES.get(current, set()):
        raise Refused(_("Counter {counter} is {current}; it cannot become {state}.").format(
            counter=counter, current=_(COUNTER_LABELS.get(current, current)),
            state=_(COUNTER_LABELS[state])))
    _write_counter_state(uow, business_day, counter, current, state, clerk_id, reason)
    return current


def hand_over_tickets(uow: UnitOfWork, *, counter: int, business_day: date,
                      clerk_id: int) -> list[str]:
    """The tickets ``counter`` holds (called, serving, parked) now belong to ``clerk_id``.

    Inside the handover's write ``uow``; the tickets keep their state. Returns their
    numbers.
    """
    rows = uow.sql("SELECT id, number FROM ticket WHERE counter = :c AND business_day = :d "
                   "AND state IN ('called', 'serving', 'parked') ORDER BY id",
                   {"c": counter, "d": business_day.isoformat()}).all()
    if rows:
        uow.sql("UPDATE ticket SET clerk_id = :k WHERE counter = :c AND business_day = :d AND "
                "state IN ('called', 'serving', 'parked')",
                {"k": clerk_id, "c": counter, "d": business_day.isoformat()})
    return [r.number for r in rows]


def held_at(session: Any, *, counter: int, business_day: date) -> list[tuple[str, str]]:
    """``(number, state)`` of the tickets ``counter`` holds (called, serving, parked)."""
    return [(r.number, r.state) for r in execute(
        session, "SELECT number, state FROM ticket WHERE counter = :c AND business_day = :d "
        "AND state IN ('called', 'serving', 'parked') ORDER BY id",
        {"c": counter, "d": business_day.isoformat()}).all()]


def waiting_for(session: Any, *, business_day: date,
                services: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """``(number, service)`` of the tickets waiting for ``services``, in line order."""
    if not services:
        return []
    params: dict[str, Any] = {"d": business_day.isoformat()}
    names = []
    for i, code in enumerate(services):
        params[f"s{i}"] = code
        names.append(f":s{i}")
    return [(r.number, r.service) for r in execute(
        session, "SELECT number, service FROM ticket WHERE business_day = :d AND state = "
        f"'waiting' AND service IN ({', '.join(names)}) ORDER BY queue_key, id", params).all()]


def counter_of_clerk(session: Any, *, staff_id: int, other_than: int | None = None) -> int | None:
    """The counter (not closed) that ``staff_id`` keeps, other than ``other_than``, or None.

    A clerk is at one counter at a time (``set_counter_state`` and handovers check it).
    """
    row = execute(session, "SELECT number FROM counter WHERE clerk_id = :k AND number != :n "
                  "AND state != 'closed' ORDER BY number",
                  {"k": staff_id, "n": -1 if other_than is None else other_than}).first()
    return row.number if row is not None else None


def _keeper_empno(uow: UnitOfWork, row) -> str:
    return uow.sql("SELECT empno FROM staff WHERE id = :i", {"i": row[3]}).scalar() or "-"


def _clerk_for(uow: UnitOfWork, clerk: str | None, counter: int) -> int:
    """The staff id of the clerk taking ``counter`` (named, else the actor).

    A clerk is at one counter at a time: the other one is closed first (or handed
    over to someone else).
    """
    clerk_id = _clerk_id(uow, clerk)
    elsewhere = uow.sql("SELECT c.number, s.empno FROM counter c JOIN staff s ON s.id = "
                        "c.clerk_id WHERE c.clerk_id = :k AND c.number != :n AND c.state != "
                        "'closed'", {"k": clerk_id, "n": counter}).first()
    if elsewhere is not None:
        raise Refused(_("{empno} is already at counter {number}; close it or hand it over "
                        "first.").format(empno=elsewhere[1], number=elsewhere[0]))
    return clerk_id


def _clerk_id(uow: UnitOfWork, clerk: str | None) -> int:
    if clerk:
        row = uow.sql("SELECT id, roles, active FROM staff WHERE empno = :e",
                      {"e": clerk.strip()}).first()
        if row is None or not row[2]:
            raise NotFound(_("No active staff member with employee number {empno}.").format(
                empno=clerk))
        if not allowed(row[1].split(), "queue.serve"):
            raise Refused(_("{empno} has no counter role; they cannot serve at a counter.")
                          .format(empno=clerk))
        return row[0]
    actor = uow.actor
    if actor is None or not allowed(actor.roles, "queue.serve"):
        raise BadInput(_("Name the clerk who takes the counter."))
    return actor.id


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
                   "WHERE c.active = 1" + (" AND c.number = :n" if only else "")
                   + " ORDER BY c.number", {"n": only}).all()
    held = execute(session,
                   "SELECT counter, number, state, visit_id FROM ticket WHERE business_day = :d "
                   "AND state IN ('called', 'serving', 'parked') ORDER BY id",
                   {"d": day.isoformat()}).all()
    open_by_service: dict[str, set[int]] = {}
    for r in rows:
        if r[2] == "open":
            for code in r[1].split():
                open_by_service.setdefault(code, set()).add(r[0])
    out = []
    for r in rows:
        current = next(((h[1], h[3]) for h in held if h[0] == r[0] and h[2] != "parked"),
                       (None, None))
        parked = tuple(h[1] for h in held if h[0] == r[0] and h[2] == "parked")
        orphans: tuple[str, ...] = ()
        if r[2] == "closing":
            only_here = [c for c in r[1].split() if not open_by_service.get(c, set()) - {r[0]}]
            if only_here:
                marks = ", ".join(f"'{c}'" for c in only_here)
                orphans = tuple(x[0] for x in execute(
                    session, "SELECT number FROM ticket WHERE business_day = :d AND state = "
                    f"'waiting' AND service IN ({marks}) ORDER BY queue_key, id",
                    {"d": day.isoformat()}).all())
        name = (r[6] if lang_zh else r[7]) or (
            _("Counter {number}").format(number=r[0]))
        out.append(CounterInfo(r[0], name, tuple(r[1].split()), r[2], _dt(r[3], tz), r[4], r[5],
                               current[0], current[1], parked, orphans))
    return out


def _service_queues(session, hall: HallConfig, day: date, now: datetime,
                    counters: list[CounterInfo]) -> list[ServiceQueue]:
    rows = execute(session,
                   "SELECT service, number, issued_at FROM ticket WHERE business_day = :d AND "
                   "state = 'waiting' ORDER BY issued_at", {"d": day.isoformat()}).all()
    long_s = _long_wait_s(hall)
    out = []
    for s in hall.services:
        mine = [r for r in rows if r[0] == s.code]
        waits = [max(0, int((now - datetime.fromisoformat(r[2])).total_seconds()))
                 for r in mine]
        flagged = tuple(r[1] for r, w in zip(mine, waits, strict=True) if w > long_s)
        open_at = tuple(c.number for c in counters if c.state == "open" and s.code in c.services)
        out.append(ServiceQueue(s.code, s.prefix, s.name_zh, s.name_en, len(mine),
                                max(waits, default=0), flagged, open_at))
    return out


def _calls(session, ctx: Ctx, day: date, limit: int) -> list[CallInfo]:
    rows = execute(session,
                   "SELECT t.number, e.counter, e.at, e.kind FROM ticket_event e JOIN ticket t "
                   "ON t.id = e.ticket_id WHERE e.business_day = :d AND e.kind IN ('call', "
                   "'recall') ORDER BY e.id DESC LIMIT :n",
                   {"d": day.isoformat(), "n": limit}).all()
    return [CallInfo(r[0], r[1], _dt(r[2], ctx.clock.tz), r[3] == "recall") for r in rows]


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


def waiting_tickets(ctx: Ctx, *, service: str | None = None) -> list[TicketInfo]:
    """Waiting and missed tickets in line order (the guide's list)."""
    hall = _read_hall(ctx)
    now = ctx.now()
    params: dict[str, Any] = {"d": now.date().isoformat()}
    where = ""
    if service:
        where = " AND service = :s"
        params["s"] = service.upper()
    with ctx.store.read() as session:
        rows = execute(session, f"SELECT {_TCOLS} FROM ticket WHERE business_day = :d AND "
                       f"state IN ('waiting', 'no_show'){where} ORDER BY state DESC, "
                       "queue_key, id", params).all()
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
    return VisitInfo(head[0], date.fromisoformat(head[1]), _dt(head[2], ctx.clock.tz), tickets,
                     wait, service, sum(t.parked_s for t in tickets))


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


def _p90(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _avg(values: list[int]) -> int | None:
    return round(sum(values) / len(values)) if values else None


def _figures(code: str, zh: str, en: str, rows: list[tuple[TicketInfo, int]], target_s: int,
             now: datetime) -> ServiceFigures:
    tickets = [t for t, _hop in rows]
    called = [t for t in tickets if t.first_called_at is not None]
    waits = [t.wait_s for t in called]
    still = [t for t in tickets if t.state == "waiting"]
    all_waits = waits + [max(0, int((now - t.issued_at).total_seconds())) for t in still]
    services = [s for s in (_service_s(t) for t in tickets if t.state == "done") if s is not None]
    return ServiceFigures(
        code, zh, en,
        issued=sum(1 for _t, hop in rows if hop == 0),
        served=sum(1 for t in tickets if t.state == "done"),
        no_show=sum(1 for t in tickets if t.state == "no_show"),
        cancelled=sum(1 for t in tickets if t.state == "cancelled"),
        transferred=sum(1 for t in tickets if t.state == "transferred"),
        still_waiting=len(still),
        avg_wait_s=_avg(waits), p90_wait_s=_p90(waits),
        longest_wait_s=max(all_waits) if all_waits else None,
        avg_service_s=_avg(services), p90_service_s=_p90(services),
        parked_s=sum(t.parked_s for t in tickets),
        within_target=(sum(1 for w in waits if w <= target_s) / len(waits)) if waits else None,
    )


def day_figures(ctx: Ctx, *, business_day: date) -> DayFigures:
    """Per service: issued, served, no-show, cancelled, transferred; waits and service times.

    Waits run from the original issue time to the ticket's first call in that
    service; service time excludes parked time; "within target" is the share of
    called tickets whose wait was at most ``target_wait_minutes``.
    """
    hall = _read_hall(ctx)
    with ctx.store.read() as session:
        return figures_in(session, hall, business_day, ctx.now())


def figures_in(session, hall: HallConfig, business_day: date, now: datetime) -> DayFigures:
    """``day_figures`` on an open session (closing computes them inside its transaction)."""
    raw = execute(session, f"SELECT {_TCOLS}, hop FROM ticket WHERE business_day = :d "
                  "ORDER BY id", {"d": business_day.isoformat()}).all()
    target_s = hall.thresholds.target_wait_minutes * 60
    rows = [(_ticket(r, now, _long_wait_s(hall)), r[20]) for r in raw]
    per = [_figures(s.code, s.name_zh, s.name_en, [x for x in rows if x[0].service == s.code],
                    target_s, now) for s in hall.services]
    total = _figures("*", "合计", "Total", rows, target_s, now)
    return DayFigures(business_day, hall.thresholds.target_wait_minutes, per, total)


# -- what the counter panel says -----------------------------------------------------------
RULE_TEXTS = {
    policy.RULE_LINE: N_("first in line"),
    policy.RULE_PRIORITY: N_("its class goes first"),
    policy.RULE_RATIO: N_("a normal ticket's turn after {run} priority calls"),
    policy.RULE_AGING: N_("highest score of wait plus class bonus"),
}


def why(ticket: TicketInfo, *, priority_run: int = 3) -> str:
    """Why the ticket was called: class, wait and rule, in the current language."""
    rule = _(RULE_TEXTS.get(ticket.call_rule or "", N_("first in line"))).format(
        run=priority_run)
    return _("{cls}, waited {minutes} min: {rule}").format(
        cls=_(PRIORITY_LABELS.get(ticket.priority, ticket.priority)),
        minutes=ticket.wait_s // 60, rule=rule)


def apology(ticket: TicketInfo) -> str | None:
    """The reminder to explain and apologise (说明原因并表示歉意) after a long wait."""
    if not ticket.long_wait:
        return None
    return _("Waited {minutes} min: explain the reason and apologise "
             "(说明原因并表示歉意).").format(minutes=ticket.wait_s // 60)


# -- the printed slip -----------------------------------------------------------------------
def slip_text(slip: Slip) -> str:
    """The ticket slip as printed (取号凭条): always in Chinese and English."""
    labels = {"vip": "VIP 贵宾", "care": "优先 Priority care", "appointment": "预约 Appointment",
              "normal": "普通 Normal"}
    lines = [
        "排队号 / QUEUE TICKET",
        "",
        f"    {slip.number}",
        "",
        f"{slip.service_zh}",
        f"{slip.service_en}",
    ]
    code = slip.appointment_code
    if code and slip.priority == "appointment":  # one line, not "Appointment" twice
        lines.append(f"预约 Appointment: {code}")
    else:
        lines.append(labels.get(slip.priority, slip.priority))
        if code:
            lines.append(f"预约号 / Appointment: {code}")
    lines += [
        f"前面还有 {slip.people_ahead} 人 / {slip.people_ahead} ahead of you",
        f"预计等候约 {slip.estimated_wait_min} 分钟 / about {slip.estimated_wait_min} min",
        f"{slip.issued_at:%Y-%m-%d %H:%M}",
        "过号请与引导员联系 / Missed your call? Ask the guide.",
        "",
    ]
    return "\n".join(lines)


def print_slip(slip: Slip, *, printer) -> str:
    """Print a slip on the hall's printer (``sales.Printer``); returns where."""
    from hallterm.services.sales import print_text

    return print_text(printer, name=f"ticket-{slip.business_day.isoformat()}-{slip.number}",
                      text=slip_text(slip))

