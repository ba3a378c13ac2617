"""Counters: open, pause, closing sign, close; who is at a counter."""

from __future__ import annotations

from datetime import date
from typing import Any

from hallterm.clock import utc_text
from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, NotFound, Refused
from hallterm.hallconfig import HallConfig
from hallterm.i18n import _
from hallterm.permissions import allowed, require
from hallterm.services.queue.keepers import require_keeper
from hallterm.services.queue.reads import _counter_infos
from hallterm.services.queue.rows import _actor_no, _counter_row, _held
from hallterm.services.queue.views import COUNTER_LABELS, COUNTER_MOVES, COUNTER_STATES, HELD, CounterInfo
from hallterm.store import execute
from hallterm.textinput import free_text


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
        current = row.state
        if state not in COUNTER_MOVES.get(current, set()):
            raise Refused(_("Counter {counter} is {current}; it cannot become {state}.").format(
                counter=counter, current=_(COUNTER_LABELS.get(current, current)),
                state=_(COUNTER_LABELS[state])))
        clerk_id = row.clerk_id
        if current != "closed":
            require_keeper(uow, counter, action=f"counter.{state}",
                           override_reason=override_reason, during_handover=False)
            named = _clerk_id(uow, clerk) if clerk else None
            if named is not None and named != clerk_id:
                raise Refused(_("Counter {counter} is kept by {empno}; a counter changes hands "
                                "only by a handover.").format(counter=counter,
                                                               empno=_keeper_empno(uow, row)))
        if state == "closed":
            held = _held(uow, counter, day, HELD)
            if held:
                raise Refused(_("Counter {counter} still holds ticket {number}; it cannot "
                                "close.").format(counter=counter, number=held[0].number))
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


def _keeper_empno(uow: UnitOfWork, row) -> str:
    return uow.sql("SELECT empno FROM staff WHERE id = :i", {"i": row.clerk_id}).scalar() or "-"


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
                        "first.").format(empno=elsewhere.empno, number=elsewhere.number))
    return clerk_id


def _clerk_id(uow: UnitOfWork, clerk: str | None) -> int:
    if clerk:
        row = uow.sql("SELECT id, roles, active FROM staff WHERE empno = :e",
                      {"e": clerk.strip()}).first()
        if row is None or not row.active:
            raise NotFound(_("No active staff member with employee number {empno}.").format(
                empno=clerk))
        if not allowed(row.roles.split(), "queue.serve"):
            raise Refused(_("{empno} has no counter role; they cannot serve at a counter.")
                          .format(empno=clerk))
        return row.id
    actor = uow.actor
    if actor is None or not allowed(actor.roles, "queue.serve"):
        raise BadInput(_("Name the clerk who takes the counter."))
    return actor.id


def counter_keeper(uow: UnitOfWork, counter: int) -> tuple[int, str] | None:
    """(staff id, empno) of the clerk at a counter that is not closed, else ``None``.

    The counter's drawer and custody are this person's: cash and stock check it.
    """
    row = uow.sql("SELECT s.id, s.empno FROM counter c JOIN staff s ON s.id = c.clerk_id "
                  "WHERE c.number = :n AND c.state != 'closed'", {"n": counter}).first()
    return (row.id, row.empno) if row is not None else None


def require_counter(session: Any, number: int) -> None:
    """Refuse (exit 2) a counter number the hall does not have.

    The one check for every command and screen that takes a counter number, so
    ``--counter 99`` is never answered with an empty drawer or an empty list.
    """
    if execute(session, "SELECT 1 FROM counter WHERE number = :n",
               {"n": number}).first() is None:
        raise NotFound(_("No counter {number} in this hall.").format(number=number))

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


def configure(uow: UnitOfWork, config: HallConfig) -> None:
    """Make the hall file's services and counters the queue's, inside the hall load's write.

    Services and counters are kept (tickets refer to them) and marked inactive when
    the file no longer lists them; a new counter starts closed.
    """
    uow.sql("UPDATE service SET active = FALSE")
    for s in config.services:
        uow.sql(
            "INSERT INTO service (code, prefix, name_zh, name_en, active) VALUES "
            "(:c, :p, :zh, :en, TRUE) ON CONFLICT(code) DO UPDATE SET prefix = :p, "
            "name_zh = :zh, name_en = :en, active = TRUE",
            {"c": s.code, "p": s.prefix, "zh": s.name_zh, "en": s.name_en},
        )
    uow.sql("UPDATE counter SET active = FALSE")
    for c in config.counters:
        uow.sql(
            "INSERT INTO counter (number, services, name_zh, name_en, active, state) VALUES "
            "(:n, :s, :zh, :en, TRUE, 'closed') ON CONFLICT(number) DO UPDATE SET services = :s, "
            "name_zh = :zh, name_en = :en, active = TRUE",
            {"n": c.number, "s": " ".join(c.services), "zh": c.name_zh, "en": c.name_en},
        )
