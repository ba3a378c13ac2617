"""The counter's side of a handover: its row, the tickets it holds, its state changes."""

from __future__ import annotations

from datetime import date
from typing import Any

from hallterm.context import ReadUnit, UnitOfWork
from hallterm.errors import NotFound
from hallterm.i18n import _
from hallterm.services import queue


def _counter(uow: ReadUnit, counter: int) -> Any:
    row = uow.sql("SELECT c.number, c.services, c.state, c.clerk_id, c.active, s.empno FROM "
                  "counter c LEFT JOIN staff s ON s.id = c.clerk_id WHERE c.number = :n",
                  {"n": counter}).first()
    if row is None or not row.active:
        raise NotFound(_("No counter {number} in this hall.").format(number=counter))
    return row


def _set_counter(uow: UnitOfWork, day: date, counter: int, current: str, state: str,
                 clerk_id: int | None, reason: str) -> None:
    """Change a counter's state inside the handover's transaction, through the queue."""
    queue.handover_counter_state(uow, counter=counter, state=state, clerk_id=clerk_id,
                                 reason=reason, business_day=day)


def _held(uow: ReadUnit, counter: int, day: date) -> list[str]:
    """The tickets the counter holds (called, serving, parked), as the queue says."""
    return [number for number, _state in queue.held_at(uow.session, counter=counter,
                                                        business_day=day)]
