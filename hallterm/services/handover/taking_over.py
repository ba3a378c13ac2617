"""Step 4: the incoming clerk takes the counter (or the drawer is handed in); cancel."""

from __future__ import annotations

from datetime import date

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, Refused
from hallterm.i18n import _
from hallterm.permissions import COUNTER_ROLES, require
from hallterm.services import queue
from hallterm.services.handover.counter import _counter, _held, _set_counter
from hallterm.services.handover.custody import _evaluate
from hallterm.services.handover.inputs import _reason, _threshold
from hallterm.services.handover.open_items import _pending, _pending_items
from hallterm.services.handover.reads import _expect_state, _query, _result, _row, _staff_actor, _view
from hallterm.services.handover.starting import _refuse_paid_carts
from hallterm.services.handover.views import ACTIVE, HandoverView


# -- 4. finish --------------------------------------------------------------------------------
def finish(ctx: Ctx, *, handover_id: int, incoming: Actor | None = None) -> HandoverView:
    """The incoming clerk takes the counter (shift), or the drawer is handed in (day end).

    Records the cash count (``cash.record_count``), lists and passes on what is left
    open, makes ``incoming`` the counter's clerk and opens the counter — or, at day
    end, closes it. Refuses (count again) if the drawer or the custody stock changed
    since the count.
    """
    require(ctx.actor, "handover.run")
    threshold = _threshold(ctx)

    def work(uow: UnitOfWork) -> HandoverView:
        from hallterm.services.cash import drawer_in, record_count

        row = _row(uow, handover_id)
        _expect_state(row, "reviewed")
        day = uow.open_day(date.fromisoformat(row.business_day))
        kind, counter = row.kind, row.counter
        if kind == "shift":
            if incoming is None:
                raise BadInput(_("The incoming clerk confirms with their PIN."))
            if incoming.empno == row.outgoing:
                raise Refused(_("The incoming clerk must be another person than the outgoing "
                                "one."))
            if not incoming.roles & COUNTER_ROLES:
                raise Refused(_("{empno} has no counter role; they cannot take the counter.")
                              .format(empno=incoming.empno))
            if row.witness is not None and incoming.empno == row.witness:
                raise Refused(_("The witness cannot also be the incoming clerk."))
        elif incoming is not None:
            raise BadInput(_("A day-end hand-in has no incoming clerk."))
        view = _view(uow.session, row, threshold=threshold)
        expected = drawer_in(uow.session, counter=counter, business_day=day).expected_fen
        if expected != view.expected_fen:
            raise Refused(_("Counter {counter}'s drawer changed since the count (cash moved or "
                            "was taken); count again.").format(counter=counter))
        scanned = [x.serial for x in view.lines if x.serial and x.counted_quantity]
        counts = {x.sku: x.counted_quantity for x in view.lines if x.serial is None}
        if _evaluate(uow.session, counter, scanned, counts) != list(view.lines):
            raise Refused(_("Counter {counter}'s stock changed since the count; count again.")
                          .format(counter=counter))
        crow = _counter(uow, counter)
        if incoming is not None:  # a shift (checked above: a day-end hand-in has none)
            # A clerk is at one counter at a time (the queue's rule).
            elsewhere = queue.counter_of_clerk(uow.session, staff_id=incoming.id,
                                               other_than=counter)
            if elsewhere is not None:
                raise Refused(_("{empno} is already at counter {number}; close it or hand it "
                                "over first.").format(empno=incoming.empno, number=elsewhere))
        if kind == "day_end":
            held = _held(uow, counter, day)
            if held:
                raise Refused(_("Counter {counter} still holds ticket {number}; finish or "
                                "transfer it before handing the drawer in.").format(
                    counter=counter, number=held[0]))
        _refuse_paid_carts(uow, counter)
        witness = _staff_actor(uow, row.witness) if row.witness else None
        count = record_count(uow, counter=counter, counted_fen=view.counted_fen or 0,
                             purpose="handover" if kind == "shift" else "day_end",
                             reason=view.cash_reason, witness=witness, business_day=day)
        query = _query(uow.session, row)
        items = _pending_items(uow.session, query)
        if items:
            uow.sql("INSERT INTO handover_pending (handover_id, business_day, kind, reference, "
                    "description) VALUES (:h, :d, :k, :r, :x)",
                    [{"h": row.id, "d": day.isoformat(), "k": p.kind[:24], "r": p.reference[:64],
                      "x": p.description[:200]} for p in items])
        if incoming is not None:  # a shift
            for _lister, passer in list(_pending):
                if passer is not None:
                    passer(uow, query, incoming)
            _set_counter(uow, day, counter, crow.state, "open", incoming.id,
                         _("handover {number}: {empno} takes over").format(
                             number=row.number, empno=incoming.empno))
        elif crow.state != "closed":
            _set_counter(uow, day, counter, crow.state, "closed", None,
                         _("handover {number}: drawer handed in").format(number=row.number))
        uow.sql("UPDATE handover SET state = 'done', finished_at = :at, incoming = :inc, "
                "cash_count_id = :cc WHERE id = :i",
                {"at": utc_text(uow.now), "inc": incoming.empno if incoming else None,
                 "cc": count.id, "i": row.id})
        uow.pin_used(incoming, for_action="handover.finish")
        uow.audit("handover.finish", entity="handover", entity_id=row.number, business_day=day,
                  approver=witness,
                  payload={"counter": counter, "kind": kind, "outgoing": row.outgoing,
                           "incoming": incoming.empno if incoming else None,
                           "cash_count_id": count.id, "difference_fen": count.difference_fen,
                           "stock_difference_fen": view.stock_difference_fen,
                           "pending": [f"{p.kind}:{p.reference}" for p in items[:50]]})
        return _result(ctx, uow, row.id, threshold)

    return run_write(ctx, "handover.finish", work)


def cancel(ctx: Ctx, *, handover_id: int, reason: str) -> HandoverView:
    """Give up a handover in progress; the counter goes back to how it was before it."""
    require(ctx.actor, "handover.run")
    why = _reason(reason)
    if not why:
        raise BadInput(_("Say why the handover is cancelled."))
    threshold = _threshold(ctx)

    def work(uow: UnitOfWork) -> HandoverView:
        row = _row(uow, handover_id)
        _expect_state(row, *ACTIVE)
        day = uow.open_day(date.fromisoformat(row.business_day))
        uow.sql("UPDATE handover SET state = 'cancelled', note = :n, finished_at = :at "
                "WHERE id = :i", {"n": why, "at": utc_text(uow.now), "i": row.id})
        uow.audit("handover.cancel", entity="handover", entity_id=row.number, business_day=day,
                  payload={"counter": row.counter, "reason": why})
        crow = _counter(uow, row.counter)
        if crow.state == "paused" and row.counter_state_before in ("open", "closing"):
            _set_counter(uow, day, row.counter, "paused", row.counter_state_before, crow.clerk_id,
                         _("handover {number} cancelled").format(number=row.number))
        return _result(ctx, uow, row.id, threshold)

    return run_write(ctx, "handover.cancel", work)
