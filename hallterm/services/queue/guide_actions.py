"""What the guide (引导员) does: transfer, cancel and re-insert tickets."""

from __future__ import annotations

from datetime import datetime

from hallterm.clock import utc_text
from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, Refused
from hallterm.i18n import _
from hallterm.permissions import allowed, require
from hallterm.services.queue.keepers import require_keeper
from hallterm.services.queue.rows import _current_or_refuse, _event, _find, _get, _hall_in, _place_key
from hallterm.services.queue.views import HELD, STATE_LABELS, TicketInfo
from hallterm.textinput import free_text


# -- guide actions ---------------------------------------------------------------------
def _may_touch(ctx: Ctx, uow: UnitOfWork, row, override_reason: str | None) -> None:
    """A ticket held at a counter is its keeper's; the guide manages the waiting ones."""
    if row.counter is not None and row.state in HELD:
        require_keeper(uow, row.counter, action="queue.transfer", override_reason=override_reason)
        return
    if ctx.actor is not None and allowed(ctx.actor.roles, "queue.manage"):
        return
    raise Refused(_("Ticket {number} is not at your counter; the guide handles it.")
                  .format(number=row.number))


def transfer(ctx: Ctx, *, number: str | None = None, service: str, reason: str | None = None,
             counter: int | None = None, override_reason: str | None = None) -> TicketInfo:
    """Move a ticket to another service; it keeps its original issue time (转移).

    The guide names any waiting ticket; a ticket held at a counter (called, serving,
    parked) is transferred by that counter's keeper (``number`` omitted: the
    counter's current ticket), or by a manager with ``override_reason``.
    """
    if ctx.actor is None or not (allowed(ctx.actor.roles, "queue.manage")
                                 or allowed(ctx.actor.roles, "queue.serve")):
        require(ctx.actor, "queue.manage")  # refuses: nobody signed in, or neither role
    target = (service or "").strip().upper()
    reason = free_text(reason, what=_("A reason"))[:200] or None

    def work(uow: UnitOfWork) -> TicketInfo:
        hall = _hall_in(uow)
        day = uow.open_day()
        if number:
            row = _find(uow, day, number)
        else:
            at_counter = counter if counter is not None else ctx.counter
            if at_counter is None:
                raise BadInput(_("Name the ticket to transfer."))
            row = _current_or_refuse(uow, at_counter, day, ("called", "serving"))
            row = _find(uow, day, row.number)
        _may_touch(ctx, uow, row, override_reason)
        if row.state not in ("waiting", *HELD):
            raise Refused(_("Ticket {number} is {state}; only a waiting or current ticket can "
                            "be transferred.").format(number=row.number,
                                                      state=_(STATE_LABELS[row.state])))
        svc = uow.sql("SELECT code, active FROM service WHERE code = :c", {"c": target}).first()
        if svc is None or not svc.active:
            raise BadInput(_("No service {code} in this hall; services: {known}").format(
                code=target or "-", known=", ".join(s.code for s in hall.services)))
        if target == row.service:
            raise BadInput(_("Ticket {number} is already in service {code}.").format(
                number=row.number, code=target))
        at = utc_text(uow.now)
        extra = {"parked_s": 0}
        if row.state == "parked" and row.parked_at:
            extra["parked_s"] = int((uow.now - datetime.fromisoformat(row.parked_at)).total_seconds())
        uow.sql("UPDATE ticket SET state = 'transferred', finished_at = :at, parked_at = NULL, "
                "parked_s = parked_s + :ps, serving_at = CASE WHEN state IN ('serving', "
                "'parked') THEN serving_at ELSE NULL END, reason = coalesce(:r, reason) "
                "WHERE id = :i", {"at": at, "ps": extra["parked_s"], "r": reason, "i": row.id})
        full = uow.sql("SELECT seq, visit_id, issued_at, issued_by, appointment_code, "
                       "auto_reinserted, misses FROM ticket WHERE id = :i",
                       {"i": row.id}).first()
        key = datetime.fromisoformat(full.issued_at).timestamp()
        new_id = uow.sql(
            "INSERT INTO ticket (business_day, number, seq, hop, service, priority, "
            "appointment_code, visit_id, state, issued_at, issued_by, queue_key, recalls, "
            "parked_s, misses, auto_reinserted, transferred_from, reason) VALUES (:d, :n, :s, "
            ":h, :svc, :p, :a, :v, 'waiting', :at, :by, :k, 0, 0, :m, :ar, :f, :r) RETURNING id",
            {"d": day.isoformat(), "n": row.number, "s": full.seq, "h": row.hop + 1,
             "svc": target, "p": row.priority, "a": full.appointment_code, "v": full.visit_id,
             "at": full.issued_at, "by": full.issued_by, "k": key, "m": full.misses,
             "ar": bool(full.auto_reinserted), "f": row.id, "r": reason}).scalar()
        _event(uow, day, row.id, "transfer", row.priority, row.counter,
               {"to": target, "new_ticket": new_id, "reason": reason})
        uow.audit("queue.transfer", entity="ticket", entity_id=row.number, business_day=day,
                  payload={"from": row.service, "to": target, "reason": reason})
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
        if row.state not in ("waiting", "no_show"):
            raise Refused(_("Ticket {number} is {state}; only a waiting or missed ticket can "
                            "be cancelled.").format(number=row.number,
                                                    state=_(STATE_LABELS[row.state])))
        uow.sql("UPDATE ticket SET state = 'cancelled', finished_at = :at, reason = :r "
                "WHERE id = :i", {"at": utc_text(uow.now), "r": reason[:200], "i": row.id})
        _event(uow, day, row.id, "cancel", row.priority, None, {"reason": reason[:200]})
        uow.audit("queue.cancel", entity="ticket", entity_id=row.number, business_day=day,
                  payload={"reason": reason[:200]})
        return _get(uow, row.id, hall)

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
        if row.state != "no_show":
            raise Refused(_("Ticket {number} is {state}; only a missed ticket can be "
                            "re-inserted.").format(number=row.number, state=_(STATE_LABELS[row.state])))
        n = hall.thresholds.reinsert_places if places is None else places
        key = (_place_key(uow, day, row.service, n, uow.now.timestamp()) if n
               else uow.now.timestamp() - 10**9)
        uow.sql("UPDATE ticket SET state = 'waiting', counter = NULL, called_at = NULL, "
                "recalls = 0, finished_at = NULL, queue_key = :k, reason = :r WHERE id = :i",
                {"k": key, "r": reason[:200], "i": row.id})
        _event(uow, day, row.id, "reinsert", row.priority, None, {"places": n, "reason": reason[:200]})
        uow.audit("queue.reinsert", entity="ticket", entity_id=row.number, business_day=day,
                  payload={"places": n, "reason": reason[:200]})
        return _get(uow, row.id, hall)

    return run_write(ctx, "queue.reinsert", work)
