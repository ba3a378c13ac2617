"""What a clerk does at the counter: call, recall, start, finish, park, resume, no-show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hallterm.clock import utc_text
from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.errors import Refused
from hallterm.i18n import _
from hallterm.services.queue import policy
from hallterm.services.queue.counters import _my_counter
from hallterm.services.queue.keepers import require_keeper
from hallterm.services.queue.rows import (
    _config,
    _counter_row,
    _current_or_refuse,
    _event,
    _get,
    _hall_in,
    _held,
    _place_key,
)
from hallterm.services.queue.views import COUNTER_LABELS, PRIORITIES, NoShowResult, TicketInfo
from hallterm.store import execute
from hallterm.textinput import free_text


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
        if crow.state not in ("open", "closing"):
            raise Refused(_("Counter {counter} is {state}; open it to call tickets.").format(
                counter=number, state=_(COUNTER_LABELS.get(crow.state, crow.state))))
        held = _held(uow, number, day)
        if held:
            raise Refused(_("Counter {counter} still holds ticket {number}; finish it, mark "
                            "it no-show or transfer it first.").format(counter=number,
                                                                        number=held[0].number))
        services = crow.services.split()
        since = crow.state_since if crow.state == "closing" else None
        candidates = _heads(uow, day, services, since)
        cfg = _config(hall)
        recent = [r.priority for r in uow.sql(
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
                {"c": number, "k": (uow.actor.id if uow.actor else 0) or None, "at": at,
                 "r": choice.rule, "i": choice.id})
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
        if row is None or row.state not in ("open", "closing"):
            return True  # let the write explain the refusal
        if ctx.actor is None or row.clerk_id != ctx.actor.id:
            return True  # not the keeper: the write refuses (or records the override)
        params: dict[str, Any] = {"d": ctx.today().isoformat()}
        held = execute(session, "SELECT 1 FROM ticket WHERE counter = :n AND business_day = "
                       ":d AND state IN ('called', 'serving') LIMIT 1",
                       {"n": counter, "d": params["d"]}).first()
        if held is not None:
            return True  # the write refuses: the counter still holds a ticket
        names = []
        for i, code in enumerate(row.services.split()):
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
            out.append(policy.Candidate(row.id, row.service, row.priority, row.queue_key))
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
        row = _current_or_refuse(uow, number, day, states)
        detail = change(uow, day, row, hall) or {}
        _event(uow, day, row.id, action.split(".")[-1], row.priority, number, detail)
        ticket = _get(uow, row.id, hall)
        uow.audit(action, entity="ticket", entity_id=row.number, business_day=day,
                  payload={"counter": number, **detail})
        return ticket

    return run_write(ctx, action, work, command_id=command_id, result_type=TicketInfo)


def recall(ctx: Ctx, *, counter: int | None = None,
           override_reason: str | None = None) -> TicketInfo:
    """Announce the called ticket again (counts recalls)."""
    def change(uow, day, row, hall):
        uow.sql("UPDATE ticket SET recalls = recalls + 1 WHERE id = :i", {"i": row.id})
        return {"recalls": row.recalls + 1}

    return _counter_write(ctx, "queue.recall", counter, ("called",), change,
                          override_reason=override_reason)


def start_serving(ctx: Ctx, *, counter: int | None = None,
                  override_reason: str | None = None) -> TicketInfo:
    """The customer has come to the counter: service time starts."""
    def change(uow, day, row, hall):
        uow.sql("UPDATE ticket SET state = 'serving', serving_at = :at WHERE id = :i",
                {"at": utc_text(uow.now), "i": row.id})

    return _counter_write(ctx, "queue.start", counter, ("called",), change,
                          override_reason=override_reason)


def finish(ctx: Ctx, *, counter: int | None = None,
           override_reason: str | None = None) -> TicketInfo:
    """Service done (a called ticket that was served without "start" starts now)."""
    def change(uow, day, row, hall):
        at = utc_text(uow.now)
        uow.sql("UPDATE ticket SET state = 'done', serving_at = coalesce(serving_at, :at), "
                "finished_at = :at WHERE id = :i", {"at": at, "i": row.id})

    return _counter_write(ctx, "queue.finish", counter, ("called", "serving"), change,
                          override_reason=override_reason)


def park(ctx: Ctx, *, counter: int | None = None, reason: str | None = None,
         override_reason: str | None = None) -> TicketInfo:
    """Park (挂起) the ticket being served: the customer fetches a document."""
    reason = free_text(reason, what=_("A reason"))[:200] or None

    def change(uow, day, row, hall):
        uow.sql("UPDATE ticket SET state = 'parked', parked_at = :at, reason = "
                "coalesce(:r, reason) WHERE id = :i",
                {"at": utc_text(uow.now), "r": reason, "i": row.id})
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
        held = _held(uow, at_counter, day)
        if held:
            raise Refused(_("Counter {counter} still holds ticket {number}; finish it first.")
                          .format(counter=at_counter, number=held[0].number))
        parked = _held(uow, at_counter, day, ("parked",))
        if number:
            parked = [r for r in parked if r.number == number.strip().upper()]
        if not parked:
            raise Refused(_("Counter {counter} has no parked ticket{number}.").format(
                counter=at_counter, number=f" {number}" if number else ""))
        row = parked[0]
        parked_for = int((uow.now - datetime.fromisoformat(row.parked_at)).total_seconds())
        uow.sql("UPDATE ticket SET state = 'serving', parked_at = NULL, parked_s = parked_s + "
                ":p WHERE id = :i", {"p": max(0, parked_for), "i": row.id})
        _event(uow, day, row.id, "resume", row.priority, at_counter, {"parked_s": parked_for})
        uow.audit("queue.resume", entity="ticket", entity_id=row.number, business_day=day,
                  payload={"counter": at_counter, "parked_s": parked_for})
        return _get(uow, row.id, hall)

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
        row = _current_or_refuse(uow, number, day, ("called",))
        need = hall.thresholds.recalls_before_no_show
        if row.recalls < need:
            raise Refused(_("Recall ticket {number} first: {done} of {need} recall(s) made.")
                          .format(number=row.number, done=row.recalls, need=need))
        protect = row.priority in ("vip", "care") and not row.auto_reinserted
        at = utc_text(uow.now)
        if protect:
            places = hall.thresholds.reinsert_places
            key = _place_key(uow, day, row.service, places, uow.now.timestamp())
            uow.sql("UPDATE ticket SET state = 'waiting', counter = NULL, called_at = NULL, "
                    "recalls = 0, misses = misses + 1, auto_reinserted = TRUE, queue_key = :k "
                    "WHERE id = :i", {"k": key, "i": row.id})
            _event(uow, day, row.id, "no_show", row.priority, number, {"auto_reinsert": places})
        else:
            uow.sql("UPDATE ticket SET state = 'no_show', misses = misses + 1, finished_at = "
                    ":at WHERE id = :i", {"at": at, "i": row.id})
            _event(uow, day, row.id, "no_show", row.priority, number)
        uow.audit("queue.no_show", entity="ticket", entity_id=row.number, business_day=day,
                  payload={"counter": number, "auto_reinsert": protect})
        return NoShowResult(_get(uow, row.id, hall), protect)

    return run_write(ctx, "queue.no_show", work)
