"""What a handover does to the queue, inside the handover's own transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from hallterm.context import UnitOfWork
from hallterm.errors import BadInput, Refused
from hallterm.i18n import _
from hallterm.services.queue.counters import _write_counter_state
from hallterm.services.queue.rows import _counter_row
from hallterm.services.queue.views import COUNTER_LABELS, COUNTER_STATES
from hallterm.store import execute

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
