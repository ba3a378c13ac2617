"""Counting a drawer: the difference (长短款), its reason, and what the day close asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, Forbidden, Refused
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services import approvals
from hallterm.services.cash.drawer import PURPOSES, counters_with_cash, drawer_in
from hallterm.services.cash.moves import _counter_exists
from hallterm.services.day import register_blocker
from hallterm.services.queue import require_keeper
from hallterm.store import execute
from hallterm.textinput import free_text


@dataclass(frozen=True)
class CashCounted:
    """A recorded count: counted against expected, the difference and its reason."""

    id: int
    counter: int
    business_day: date
    purpose: str
    counted_fen: int
    expected_fen: int
    difference_fen: int
    reason: str | None
    witness: str | None


def record_count(uow: UnitOfWork, *, counter: int, counted_fen: int, purpose: str,
                 reason: str | None = None, witness: Actor | None = None,
                 business_day: date | None = None) -> CashCounted:
    """Inside the caller's transaction (handover, closing): record a drawer count.

    The count is recorded as counted, whatever the amount: the difference (长短款) is
    a fact, and the clerk learns it only once the count is in (a count is never
    refused for differing, so amounts cannot be tried until none shows). A
    difference without a reason is recorded with the reason missing; it is given
    afterwards (``give_count_reason``) and the day does not close until it is.
    The caller decides who witnesses it.
    """
    if purpose not in PURPOSES:
        raise BadInput(_("A count is for handover, day_end or check."))
    if not isinstance(counted_fen, int) or counted_fen < 0:
        raise BadInput(_("Counted cash cannot be negative."))
    day = uow.open_day(business_day)
    _counter_exists(uow, counter)
    drawer = drawer_in(uow.session, counter=counter, business_day=day)
    difference = counted_fen - drawer.expected_fen
    why = (free_text(reason, what=_("A reason")) or None) if difference else None
    cid = uow.sql(
        "INSERT INTO cash_count (business_day, counter, at, purpose, counted_fen, expected_fen, "
        "difference_fen, reason, actor, witness) VALUES (:d, :c, :at, :p, :n, :e, :x, :r, :a, :w) "
        "RETURNING id",
        {"d": day.isoformat(), "c": counter, "at": utc_text(uow.now), "p": purpose,
         "n": counted_fen, "e": drawer.expected_fen, "x": difference, "r": why and why[:200],
         "a": uow.actor.empno if uow.actor else "system",
         "w": witness.empno if witness else None}).scalar()
    uow.audit("cash.count", entity="cash_count", entity_id=cid, approver=witness,
              business_day=day,
              payload={"counter": counter, "purpose": purpose, "counted_fen": counted_fen,
                       "expected_fen": drawer.expected_fen, "difference_fen": difference,
                       "reason": why})
    return CashCounted(cid, counter, day, purpose, counted_fen, drawer.expected_fen, difference,
                       why, witness.empno if witness else None)


def count_cash(ctx: Ctx, *, counter: int, counted_fen: int, purpose: str = "check",
               reason: str | None = None, witness: Actor | None = None,
               command_id: str | None = None,
               override_reason: str | None = None) -> CashCounted:
    """Record a count of a drawer on its own (a spot check, or the day-end count).

    The drawer's keeper counts it (a manager only with ``override_reason``); a
    closed counter's drawer is counted by a manager, as an override.
    """
    require(ctx.actor, "cash.move")
    if witness is not None:
        witness = approvals.check_second(ctx, witness, "handover.witness")

    def work(uow: UnitOfWork) -> CashCounted:
        _counter_exists(uow, counter)
        require_keeper(uow, counter, action="cash.count", override_reason=override_reason,
                       during_handover=False)
        return record_count(uow, counter=counter, counted_fen=counted_fen, purpose=purpose,
                            reason=reason, witness=witness)

    return run_write(ctx, "cash.count", work, command_id=command_id, result_type=CashCounted)


def give_count_reason(ctx: Ctx, *, count_id: int, reason: str,
                      command_id: str | None = None) -> CashCounted:
    """Give the missing reason of a recorded count's difference (长短款), afterwards.

    The clerk who counted or a duty/hall manager gives it; a reason already given
    stays (it is not rewritten), and a count without a difference needs none.
    """
    from hallterm.permissions import MANAGERS

    require(ctx.actor, "cash.move")
    why = free_text(reason, what=_("A reason"))
    if not why:
        raise BadInput(_("Give the reason for the difference (长短款)."))

    def work(uow: UnitOfWork) -> CashCounted:
        row = uow.sql("SELECT id, counter, business_day, purpose, counted_fen, expected_fen, "
                      "difference_fen, reason, actor, witness FROM cash_count WHERE id = :i",
                      {"i": count_id}).first()
        if row is None:
            raise BadInput(_("No cash count {id}.").format(id=count_id))
        if not row.difference_fen:
            raise Refused(_("Count {id} has no difference; it needs no reason.")
                          .format(id=count_id))
        if row.reason:
            raise Refused(_("Count {id} already has its reason: {reason}.")
                          .format(id=count_id, reason=row.reason))
        actor = uow.actor
        if actor is None or (actor.empno != row.actor and not set(actor.roles) & MANAGERS):
            raise Forbidden(_("The reason of count {id} is given by the clerk who counted "
                              "({empno}) or a duty or hall manager.")
                            .format(id=count_id, empno=row.actor))
        day = date.fromisoformat(str(row.business_day)[:10])
        uow.sql("UPDATE cash_count SET reason = :r WHERE id = :i", {"r": why[:200], "i": row.id})
        uow.audit("cash.count_reason", entity="cash_count", entity_id=row.id, business_day=day,
                  payload={"counter": row.counter, "difference_fen": row.difference_fen,
                           "reason": why[:200]})
        return CashCounted(row.id, row.counter, day, row.purpose, row.counted_fen,
                           row.expected_fen, row.difference_fen, why[:200], row.witness)

    return run_write(ctx, "cash.count_reason", work, command_id=command_id,
                     result_type=CashCounted)


@register_blocker
def _differences_without_reason(ctx: Ctx, business_day: date) -> list[str]:
    """Closing: every count that found a difference must have its reason."""
    with ctx.store.read() as session:
        rows = execute(session, "SELECT id, counter FROM cash_count WHERE business_day = :d AND "
                       "difference_fen != 0 AND reason IS NULL ORDER BY id",
                       {"d": business_day.isoformat()}).all()
    return [_("Count {id} of counter {n} has a difference without a reason: give it with "
              "`cash count-reason {id} --reason TEXT`.").format(id=r.id, n=r.counter)
            for r in rows]


@register_blocker
def _drawers_not_counted(ctx: Ctx, business_day: date) -> list[str]:
    """Closing: every counter with cash must have been counted since its last cash."""
    out = []
    with ctx.store.read() as session:
        for counter in counters_with_cash(session, business_day):
            drawer = drawer_in(session, counter=counter, business_day=business_day)
            if not drawer.counted_since_last_cash:
                # No amount: the list is read on the Audit post and by `day close`, maybe
                # next to the clerk who is about to count (the count is blind).
                out.append(_("Counter {n} is not handed in: its drawer was not counted since "
                             "its last cash.").format(n=counter))
    return out
