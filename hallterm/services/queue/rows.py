"""Helpers every queue module shares: ticket rows, the hall inside a write, events."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from hallterm.clock import utc_text
from hallterm.context import UnitOfWork
from hallterm.errors import NotFound, Refused
from hallterm.hallconfig import HallConfig
from hallterm.i18n import _
from hallterm.services.queue import policy
from hallterm.services.queue.views import STATE_LABELS, TicketInfo

# -- helpers ---------------------------------------------------------------------------
_TCOLS = ("id, number, service, priority, appointment_code, visit_id, state, issued_at, "
          "counter, called_at, first_called_at, recalls, call_rule, serving_at, parked_at, "
          "parked_s, finished_at, misses, auto_reinserted, reason")


def _dt(value: str | None, tz) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(tz) if value else None


def _when(value: str, tz) -> datetime:
    """A time column that is never empty (issued, opened, an event's time)."""
    return datetime.fromisoformat(value).astimezone(tz)


def _ticket(row, now: datetime, long_wait_s: int) -> TicketInfo:
    tz = now.tzinfo
    issued = _when(row.issued_at, tz)
    first = _dt(row.first_called_at, tz)
    wait = int(((first or now) - issued).total_seconds())
    waiting_long = wait > long_wait_s and row.state in ("waiting", "called", "serving", "parked")
    return TicketInfo(
        id=row.id, number=row.number, service=row.service, priority=row.priority,
        appointment_code=row.appointment_code, visit=row.visit_id, state=row.state,
        issued_at=issued, counter=row.counter, called_at=_dt(row.called_at, tz),
        first_called_at=first, recalls=row.recalls, call_rule=row.call_rule,
        serving_at=_dt(row.serving_at, tz), parked_at=_dt(row.parked_at, tz),
        parked_s=row.parked_s, finished_at=_dt(row.finished_at, tz), misses=row.misses,
        auto_reinserted=bool(row.auto_reinserted), reason=row.reason, wait_s=max(0, wait),
        long_wait=waiting_long,
    )


def _hall_in(uow: UnitOfWork, sha: str | None = None) -> HallConfig:
    """The hall configuration, read inside the write (``services.hall.hall_in``)."""
    from hallterm.services.hall import hall_in

    return hall_in(uow, sha)


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
    if row is None or not row.active:
        raise NotFound(_("No counter {number} in this hall.").format(number=number))
    return row


def _held(uow: UnitOfWork, counter: int, day: date,
          states: tuple[str, ...] = ("called", "serving")):
    """The tickets of ``day`` that ``counter`` holds in ``states``, oldest first.

    Bounded by the day (``ix_ticket_counter_day``): a ticket left called, serving or
    parked by a day closed with ``day close --force`` stays in that closed day as its
    record says; it is not today's and never blocks today's counter.
    """
    marks = ", ".join(f"'{s}'" for s in states)
    return uow.sql(f"SELECT {_TCOLS} FROM ticket WHERE counter = :c AND business_day = :d "
                   f"AND state IN ({marks}) ORDER BY id",
                   {"c": counter, "d": day.isoformat()}).all()


def _current_or_refuse(uow: UnitOfWork, counter: int, day: date,
                       states: tuple[str, ...]) -> Any:
    rows = _held(uow, counter, day)
    if not rows:
        raise Refused(_("Counter {counter} has no current ticket; call the next one first.")
                      .format(counter=counter))
    row = rows[0]
    if row.state not in states:
        raise Refused(_("Ticket {number} is {state}; that cannot be done now.").format(
            number=row.number, state=_(STATE_LABELS[row.state])))
    return row


def _place_key(uow: UnitOfWork, day: date, service: str, places: int, after: float) -> float:
    """The line position ``places`` waiting tickets on (顺延), from the head of the line."""
    keys = [r.queue_key for r in uow.sql(
        "SELECT queue_key FROM ticket WHERE business_day = :d AND service = :s AND "
        "state = 'waiting' ORDER BY queue_key, id LIMIT :n",
        {"d": day.isoformat(), "s": service, "n": places + 1}).all()]
    if len(keys) > places:
        return (keys[places - 1] + keys[places]) / 2.0
    return max([after, *keys]) + 0.001  # fewer waiting: the end of the line
