"""Cash put in or taken out of a drawer (bank drop, change fund, compensation, ...)."""

from __future__ import annotations

from dataclasses import dataclass

from hallterm.clock import utc_text
from hallterm.context import SYSTEM, Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import BadInput, Refused
from hallterm.i18n import _
from hallterm.money import format_fen
from hallterm.permissions import require
from hallterm.services import approvals
from hallterm.services.cash.drawer import REASONS, drawer_in, sees_expected
from hallterm.services.queue import check_early, require_keeper


@dataclass(frozen=True)
class CashMoved:
    """A posted cash movement and the drawer after it."""

    id: int
    counter: int
    kind: str
    reason: str
    amount_fen: int
    approver: str | None
    expected_fen: int | None  # None when shown to a counter clerk (the count is blind)


def _counter_exists(uow: ReadUnit, counter: int) -> None:
    if uow.sql("SELECT 1 FROM counter WHERE number = :n", {"n": counter}).first() is None:
        raise BadInput(_("There is no counter {n}.").format(n=counter))


def _move_fields(kind: str, reason: str, amount_fen: int,
                 note: str | None) -> tuple[str, str | None]:
    """The reason and note of a cash movement, or why it cannot be made."""
    if kind not in ("in", "out", "float"):
        raise BadInput(_("A cash movement is in, out or float."))
    if kind == "float":
        reason = "opening_float"
    elif reason not in REASONS:
        raise BadInput(_("Unknown reason {reason}: bank_drop, change_fund, compensation or "
                         "other.").format(reason=reason))
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise BadInput(_("Amount must be more than zero."))
    text = (note or "").strip() or None
    if reason == "other" and not text:
        raise BadInput(_("Say what the cash was for (a note) when the reason is other."))
    return reason, text


def _drawer_before(unit: ReadUnit, counter: int, kind: str, amount_fen: int, *,
                   kept: bool = False):
    """The day and the drawer before a movement, or why it cannot be made.

    ``kept``: the write has already checked the counter's keeper (``require_keeper``:
    the counter exists, who works it, no handover), which a check does here instead.
    """
    day = unit.open_day()
    if not kept:
        _counter_exists(unit, counter)
        check_early(unit.session, counter, unit.actor)  # a manager's override: in the write
    before = drawer_in(unit.session, counter=counter, business_day=day)
    if kind == "out" and amount_fen > before.expected_fen:
        if not sees_expected(unit.actor):  # the clerk's count stays blind
            raise Refused(_("Cannot take {amount} out of counter {n}'s drawer: it should hold "
                            "less than {amount} (how much stays hidden until the count).").format(
                n=counter, amount=format_fen(amount_fen)))
        raise Refused(_("Counter {n}'s drawer should hold only {have}; cannot take out "
                        "{amount}.").format(n=counter, have=format_fen(before.expected_fen),
                                            amount=format_fen(amount_fen)))
    return day, before


def check_move_on(unit: ReadUnit, *, counter: int, kind: str, reason: str, amount_fen: int,
                  note: str | None = None) -> None:
    """``check_move`` inside another area's check: what ``record_move`` would refuse."""
    _move_fields(kind, reason, amount_fen, note)
    _drawer_before(unit, counter, kind, amount_fen)


def check_move(ctx: Ctx, *, counter: int, kind: str, reason: str, amount_fen: int,
               note: str | None = None) -> bool:
    """Validate a cash movement before anyone is asked for a PIN; writes nothing.

    Returns whether it needs a second person's approval (``cash.move_large``).
    """
    require(ctx.actor, "cash.move")
    run_check(ctx, lambda unit: check_move_on(unit, counter=counter, kind=kind, reason=reason,
                                              amount_fen=amount_fen, note=note))
    from hallterm.services.hall import get_hall

    return amount_fen > get_hall(ctx).thresholds.cash_movement_approval_fen


def record_move(uow: UnitOfWork, *, counter: int, kind: str, reason: str, amount_fen: int,
                note: str | None = None, reference: str | None = None,
                approver: Actor | None = None, override_reason: str | None = None) -> CashMoved:
    """Cash in/out of a drawer with a reason code, or the opening float (``kind="float"``), in
    the caller's write (``move_cash``'s, a complaint's compensation's; the caller checked its
    permission). The keeper's right (a manager's with ``override_reason``); above the hall's
    ``cash_movement_approval_fen`` a duty or hall manager approves (``cash.move_large``); never
    below zero, never during a handover of the counter."""
    from hallterm.services.hall import hall_in

    reason, text = _move_fields(kind, reason, amount_fen, note)
    actor = uow.actor or SYSTEM
    require_keeper(uow, counter, action=f"cash.{kind}", override_reason=override_reason,
                   during_handover=False)
    day, before = _drawer_before(uow, counter, kind, amount_fen, kept=True)
    limit = hall_in(uow).thresholds.cash_movement_approval_fen
    approved = approvals.check_second(uow.ctx, approver, "cash.move_large") if amount_fen > limit else None
    mid = uow.sql(
        "INSERT INTO cash_movement (business_day, counter, at, kind, reason, amount_fen, note, "
        "reference, actor, approver) VALUES (:d, :c, :at, :k, :r, :a, :n, :ref, :actor, :ap) "
        "RETURNING id",
        {"d": day.isoformat(), "c": counter, "at": utc_text(uow.now), "k": kind, "r": reason,
         "a": amount_fen, "n": text and text[:200], "ref": (reference or None) and
         reference[:64], "actor": actor.empno,
         "ap": approved.empno if approved else None}).scalar()
    sign = -1 if kind == "out" else 1
    expected = before.expected_fen + sign * amount_fen
    uow.audit(f"cash.{kind}", entity="cash_movement", entity_id=mid, approver=approved,
              payload={"counter": counter, "reason": reason, "amount_fen": amount_fen,
                       "note": text, "reference": reference, "expected_fen": expected})
    return CashMoved(mid, counter, kind, reason, amount_fen,
                     approved.empno if approved else None, expected)


def move_cash(ctx: Ctx, *, counter: int, kind: str, reason: str, amount_fen: int,
              note: str | None = None, reference: str | None = None,
              approver: Actor | None = None, command_id: str | None = None,
              override_reason: str | None = None) -> CashMoved:
    """``record_move`` in its own write (``cash.move``; ``check_move`` before the approval)."""
    require(ctx.actor, "cash.move")
    _move_fields(kind, reason, amount_fen, note)  # bad input: before any write lock
    return run_write(ctx, "cash.move", lambda uow: record_move(
        uow, counter=counter, kind=kind, reason=reason, amount_fen=amount_fen, note=note,
        reference=reference, approver=approver, override_reason=override_reason),
        command_id=command_id, result_type=CashMoved)
