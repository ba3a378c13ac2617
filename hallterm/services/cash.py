"""The cash drawer (钱箱) of each counter: float, cash in/out, expected cash, counts.

Expected cash is always computable from the day's rows: the opening float, plus
cash taken for sales (the amount due, not what was tendered: the change went
back), plus cash put in, minus cash taken out, minus cash given back by voids and
refunds at that counter, plus the differences of the day's earlier counts. A
count (handover, spot check or day end) records the counted cash against it, with
the difference (长短款) and its reason — and re-bases the drawer: from then on it
should hold what was counted plus what moved since, so a difference is recorded
once, at the count that found it (an incoming clerk is not charged again for the
outgoing clerk's shortage). The day cannot close while a counter with cash has
not been counted since its last cash movement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hallterm.clock import utc_text
from hallterm.context import SYSTEM, Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import BadInput, Forbidden, Refused
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.permissions import require
from hallterm.services import approvals
from hallterm.services.day import register_blocker
from hallterm.services.queue import check_early, require_keeper
from hallterm.store import execute
from hallterm.textinput import free_text

REASONS: dict[str, str] = {
    "bank_drop": N_("Bank drop"),
    "change_fund": N_("Change fund"),
    "compensation": N_("Compensation paid"),
    "other": N_("Other"),
}
PURPOSES: dict[str, str] = {
    "handover": N_("Shift handover"),
    "day_end": N_("Day end"),
    "check": N_("Spot check"),
}


def reason_label(reason: str) -> str:
    """A cash movement reason in the current language."""
    if reason == "opening_float":
        return _("Opening float")
    return _(REASONS.get(reason, reason))


@dataclass(frozen=True)
class Drawer:
    """A counter's drawer on a business day: what should be in it, and the last count."""

    counter: int
    business_day: date
    float_fen: int
    cash_sales_fen: int
    cash_refunds_fen: int
    cash_in_fen: int
    cash_out_fen: int
    expected_fen: int
    counted_fen: int | None = None
    difference_fen: int | None = None
    counted_at: datetime | None = None
    last_cash_at: datetime | None = None
    day_difference_fen: int = 0  # the sum of the day's count differences (each once)

    @property
    def counted_since_last_cash(self) -> bool:
        """Whether the last count came after the last cash movement (handed in)."""
        if self.last_cash_at is None:
            return True
        return self.counted_at is not None and self.counted_at >= self.last_cash_at


_DRAWER_SQL = (
    "SELECT 'move:' || kind AS what, COALESCE(SUM(amount_fen), 0) AS fen, "
    "CAST(NULL AS BIGINT) AS difference, "
    "MAX(at) AS at FROM cash_movement WHERE counter = :c AND business_day = :d GROUP BY kind "
    "UNION ALL SELECT 'sales', COALESCE(SUM(p.amount_fen), 0), CAST(NULL AS BIGINT), MAX(s.at) "
    "FROM payment p "
    "JOIN sale s ON s.id = p.sale_id WHERE s.counter = :c AND s.business_day = :d "
    "AND p.method = 'cash' "
    "UNION ALL SELECT 'refunds', COALESCE(SUM(rp.amount_fen), 0), CAST(NULL AS BIGINT), "
    "MAX(r.at) FROM "
    "reversal_payment rp JOIN sale_reversal r ON r.id = rp.reversal_id WHERE r.counter = :c "
    "AND r.business_day = :d AND rp.method = 'cash' "
    "UNION ALL SELECT 'differences', COALESCE(SUM(difference_fen), 0), CAST(NULL AS BIGINT), "
    "MAX(at) FROM "
    "cash_count WHERE counter = :c AND business_day = :d "
    "UNION ALL SELECT 'count', counted_fen, difference_fen, at FROM (SELECT counted_fen, "
    "difference_fen, at FROM cash_count WHERE counter = :c AND business_day = :d "
    "ORDER BY id DESC LIMIT 1) AS last_count")


def drawer_in(session, *, counter: int, business_day: date, tz=None) -> Drawer:
    """The drawer computed on an open session (reads and the closing transaction)."""
    # One statement: each part of the drawer is a row (what, fen, difference, at).
    rows = execute(session, _DRAWER_SQL, {"c": counter, "d": business_day.isoformat()}).all()
    parts = {r.what: r for r in rows if r.what != "count"}
    count = next((r for r in rows if r.what == "count"), None)
    moves = {w[5:]: r.fen for w, r in parts.items() if w.startswith("move:")}
    last_move = max((r.at for w, r in parts.items() if w.startswith("move:") and r.at),
                    default=None)
    sales, refunds = parts["sales"], parts["refunds"]
    # Each count re-bases the drawer: its difference is carried, never found again.
    differences = int(parts["differences"].fen or 0)
    float_fen = int(moves.get("float", 0))
    cash_in, cash_out = int(moves.get("in", 0)), int(moves.get("out", 0))
    expected = float_fen + int(sales.fen) + cash_in - cash_out - int(refunds.fen) + differences
    stamps = [t for t in (sales.at, refunds.at, last_move) if t]

    def at(text: str | None) -> datetime | None:
        if text is None:
            return None
        value = datetime.fromisoformat(text)
        return value.astimezone(tz) if tz else value

    return Drawer(counter, business_day, float_fen, int(sales.fen), int(refunds.fen), cash_in,
                  cash_out, expected, int(count.fen) if count else None,
                  None if count is None or count.difference is None else int(count.difference),
                  at(count.at) if count else None,
                  at(max(stamps)) if stamps else None, differences)


def sees_expected(actor: Actor | None) -> bool:
    """Whether ``actor`` may be shown what a drawer should hold before it is counted.

    The count is blind (盲点): a counter clerk is never shown their drawer's expected
    cash (nor the figures it is made of) before their count is in; the managers and
    the auditor, who reconcile, may be. Every screen and command that shows a drawer
    asks this (or ``drawer_view``).
    """
    from hallterm.permissions import AUDITOR, MANAGERS

    return actor is not None and bool(set(actor.roles) & (MANAGERS | {AUDITOR}))


def drawer_view(ctx: Ctx, *, counter: int, business_day: date | None = None) -> Drawer:
    """A drawer as the signed-in person may see it (``cash expected``).

    A counter clerk sees it only once it has been counted since its last cash
    movement; before that the count is blind and this refuses.
    """
    drawer = expected_cash(ctx, counter=counter, business_day=business_day)
    if not sees_expected(ctx.actor) and not drawer.counted_since_last_cash:
        raise Refused(_("The count is blind: what counter {n}'s drawer should hold is shown to "
                        "a manager or the auditor, and to you once the drawer is counted.")
                      .format(n=counter))
    return drawer


def expected_cash(ctx: Ctx, *, counter: int, business_day: date | None = None) -> Drawer:
    """What should be in ``counter``'s drawer (for reconciling code; screens and commands
    show a drawer through ``drawer_view``, which keeps the clerk's count blind)."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    from hallterm.services.queue import require_counter

    with ctx.store.read() as session:
        require_counter(session, counter)
        return drawer_in(session, counter=counter, business_day=business_day or ctx.today(),
                         tz=ctx.clock.tz)


def counters_with_cash(session, business_day: date) -> list[int]:
    """Counters with any drawer activity on the day."""
    rows = execute(session, "SELECT counter FROM cash_movement WHERE business_day = :d UNION "
                   "SELECT s.counter FROM sale s JOIN payment p ON p.sale_id = s.id WHERE "
                   "s.business_day = :d AND p.method = 'cash' UNION SELECT r.counter FROM "
                   "sale_reversal r WHERE r.business_day = :d UNION SELECT counter FROM "
                   "cash_count WHERE business_day = :d ORDER BY 1",
                   {"d": business_day.isoformat()}).all()
    return [int(r.counter) for r in rows]


def drawers(ctx: Ctx, *, business_day: date | None = None) -> list[Drawer]:
    """Every drawer with activity on the day."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    day = business_day or ctx.today()
    with ctx.store.read() as session:
        return [drawer_in(session, counter=c, business_day=day, tz=ctx.clock.tz)
                for c in counters_with_cash(session, day)]


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
            raise Refused(_("Cannot take {amount} out of counter {n}'s drawer: it is more "
                            "than the drawer should hold.").format(
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
