"""Voids (作废) and refunds (退款) of sales: the duty manager approves, a numbered document.

A void cancels a whole sale of the current business day; its receipt number stays
in the series, marked void. A refund gives back some or all lines of a sale, also
of an earlier day within the hall's ``refund_window_days``, never more than was
sold. Both write their own document (``V<yyyymmdd>-<nnnn>`` / ``F<yyyymmdd>-<nnnn>``)
referencing the receipt, reverse the stock through the stock ledger (a returned
serial goes back to the counter's custody) and give the money back by the methods
it was paid with, the last payment first. Nothing of the original sale changes
except a void's ``state``, so a refund of a closed day's sale writes only today's rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import BadInput, NotFound, Refused
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services import approvals, stock
from hallterm.services.queue import check_early, require_keeper
from hallterm.services.sales.reads import SaleView, read_sale
from hallterm.textinput import free_text


@dataclass(frozen=True)
class RefundLine:
    """Give back ``quantity`` of the sale's line ``line_no``."""

    line_no: int
    quantity: int = 1


@dataclass(frozen=True)
class Reversal:
    """A posted void or refund and the money given back by method."""

    number: str
    kind: str
    receipt_no: str
    business_day: date
    amount_fen: int
    by_method: dict[str, int]
    approver: str
    stock_document: str | None


def _share(total: int, quantity: int, before: int, now: int) -> int:
    """The part of a line's ``total`` for units ``before``..``before+now`` (sums exactly)."""
    return total * (before + now) // quantity - total * before // quantity


def _reverse(uow: UnitOfWork, ctx: Ctx, *, kind: str, sale: SaleView, give: list[tuple],
             reason: str, approver: Actor, counter: int, clerk: Actor,
             override_reason: str | None = None) -> Reversal:
    """Write one void/refund document: lines, money by method, stock back, audit.

    It happens at ``counter``: the money comes out of its drawer and the goods go
    back into its custody, so only its keeper does it (``services.queue.keepers``).
    """

    day = uow.open_day()
    require_keeper(uow, counter, action=f"sale.{kind}", override_reason=override_reason,
                   during_handover=False)
    amount = sum(a for _line, _q, a in give)
    prefix = "V" if kind == "void" else "F"
    number = f"{prefix}{day:%Y%m%d}-{uow.next_number(f'{kind}:{day.isoformat()}'):04d}"
    stocked = [stock.LineIn(line.sku, line.serial, q) for line, q, _a in give
               if line.kind != "service"]
    doc = None
    moved: dict = {}  # the stock document, audited in this reversal's row
    if stocked:
        doc = stock.reverse_sale_movements(uow, sale_ref=sale.receipt_no,
                                     lines=None if kind == "void" else stocked,
                                     to_counter=counter, audit_into=moved)
    rid = uow.sql(
        "INSERT INTO sale_reversal (number, kind, sale_id, receipt_no, business_day, at, counter, "
        "clerk, approver, reason, amount_fen, stock_document) VALUES (:n, :k, :s, :r, :d, :at, "
        ":c, :clerk, :ap, :why, :a, :doc) RETURNING id",
        {"n": number, "k": kind, "s": sale.id, "r": sale.receipt_no, "d": day.isoformat(),
         "at": utc_text(uow.now), "c": counter, "clerk": clerk.empno,
         "ap": approver.empno, "why": reason, "a": amount,
         "doc": doc.number if doc else None}).scalar()
    uow.sql("INSERT INTO sale_reversal_line (reversal_id, sale_line_id, business_day, quantity, "
            "amount_fen) VALUES (:r, :l, :d, :q, :a)",
            [{"r": rid, "l": line.id, "d": day.isoformat(), "q": q, "a": a}
             for line, q, a in give])
    # Money goes back by the methods it came in, last payment first.
    by_method: dict[str, int] = defaultdict(int)
    left = amount
    rows = []
    for p in reversed(sale.payments):
        if left <= 0:
            break
        take = min(left, p.amount_fen - p.returned_fen)
        if take > 0:
            rows.append({"r": rid, "p": p.id, "d": day.isoformat(), "m": p.method, "a": take})
            by_method[p.method] += take
            left -= take
    if left > 0:
        raise Refused(_("Nothing left to give back on receipt {number}.").format(
            number=sale.receipt_no))
    if rows:
        uow.sql("INSERT INTO reversal_payment (reversal_id, payment_id, business_day, method, "
                "amount_fen) VALUES (:r, :p, :d, :m, :a)", rows)
    if kind == "void":
        changed = uow.sql("UPDATE sale SET state = 'void' WHERE id = :s AND state = 'completed'",
                          {"s": sale.id}).rowcount
        if changed != 1:
            raise Refused(_("Receipt {number} is already void.").format(number=sale.receipt_no))
    uow.audit(f"sale.{kind}", entity="sale", entity_id=sale.receipt_no, approver=approver,
              business_day=day,
              payload={"document": number, "reason": reason, "amount_fen": amount,
                       "by_method": dict(by_method), "counter": counter,
                       "lines": [{"line": line.line_no, "quantity": q, "amount_fen": a}
                                 for line, q, a in give],
                       "stock_document": doc.number if doc else None,
                       "stock": moved or None})
    return Reversal(number, kind, sale.receipt_no, day, amount, dict(by_method),
                    approver.empno, doc.number if doc else None)


def _at(ctx: Ctx, counter: int | None, sale: SaleView) -> int:
    """The counter a void/refund happens at: the one named, this terminal's, or the sale's."""
    if counter is not None:
        return counter
    return ctx.counter if ctx.counter is not None else sale.counter


def _reason(reason: str | None) -> str:
    why = free_text(reason, what=_("A reason"), field="reason")
    if not why:
        raise BadInput(_("Give a reason."), field="reason")
    if len(why) > 200:
        raise BadInput(_("A reason is at most 200 characters."), field="reason")
    return why


# Another area whose record a sale paid for (a service order's first payment) says why
# the sale may not be given back: ``fn(unit, receipt_no) -> reason | None``. Sales never
# imports that area; it registers itself (``sales.reversals.register_guard``).
_guards: list[Callable[[ReadUnit, str], str | None]] = []


def register_guard(fn: Callable[[ReadUnit, str], str | None]
                   ) -> Callable[[ReadUnit, str], str | None]:
    """Register a reason a receipt may not be voided or refunded (usable as a decorator)."""
    if fn not in _guards:
        _guards.append(fn)
    return fn


def _sale(unit: ReadUnit, receipt_no: str) -> SaleView:
    from hallterm.services.day import load_areas

    try:
        sale = read_sale(unit.session, receipt_no, unit.ctx.clock.tz)
    except NotFound as exc:
        raise NotFound(str(exc), field="receipt") from None
    load_areas()  # every area's guard registered
    for guard in _guards:
        problem = guard(unit, sale.receipt_no)
        if problem:
            raise Refused(problem, field="receipt")
    return sale


def _void_give(unit: ReadUnit, receipt_no: str) -> tuple[SaleView, list[tuple]]:
    """What a void of ``receipt_no`` gives back, or why it is refused (read or write)."""
    sale = _sale(unit, receipt_no)
    day = unit.open_day()
    if sale.state == "void":
        raise Refused(_("Receipt {number} is already void.").format(number=sale.receipt_no),
                      field="receipt")
    if sale.business_day != day:
        raise Refused(_("Only a sale of today can be voided; refund receipt {number} "
                        "instead.").format(number=sale.receipt_no), field="kind")
    if sale.reversals:
        raise Refused(_("Receipt {number} was partly refunded; refund the rest "
                        "instead.").format(number=sale.receipt_no), field="kind")
    return sale, [(line, line.quantity, line.total_fen) for line in sale.lines]


def _window(ctx: Ctx) -> int:
    from hallterm.services.hall import get_hall

    return get_hall(ctx).thresholds.refund_window_days


def _refund_give(unit: ReadUnit, receipt_no: str, lines: Sequence[RefundLine] | None,
                 window: int) -> tuple[SaleView, list[tuple]]:
    """What a refund gives back (line, quantity, amount), or why it is refused."""
    sale = _sale(unit, receipt_no)
    day = unit.open_day()
    if sale.state == "void":
        raise Refused(_("Receipt {number} is void.").format(number=sale.receipt_no),
                      field="receipt")
    if (day - sale.business_day).days > window:
        raise Refused(_("Receipt {number} is older than the {days}-day refund window.").format(
            number=sale.receipt_no, days=window), field="receipt")
    by_no = {line.line_no: line for line in sale.lines}
    wanted: dict[int, int] = defaultdict(int)
    if lines is None:
        for line in sale.lines:
            if line.quantity > line.returned:
                wanted[line.line_no] = line.quantity - line.returned
    else:
        for r in lines:
            if r.line_no not in by_no:
                raise BadInput(_("Receipt {number} has no line {line}.").format(
                    number=sale.receipt_no, line=r.line_no), field="lines")
            if r.quantity < 1:
                raise BadInput(_("A quantity is 1 or more."), field="lines")
            wanted[r.line_no] += r.quantity
    if not wanted:
        raise Refused(_("Everything on receipt {number} was already given back.").format(
            number=sale.receipt_no), field="receipt")
    give = []
    for no, qty in sorted(wanted.items()):
        line = by_no[no]
        if line.returned + qty > line.quantity:
            raise Refused(_("Line {line} of receipt {number}: only {left} left to give "
                            "back.").format(line=no, number=sale.receipt_no,
                                            left=line.quantity - line.returned),
                          field="lines")
        give.append((line, qty, _share(line.total_fen, line.quantity, line.returned, qty)))
    return sale, give


def _pays_from(unit: ReadUnit, counter: int | None) -> None:
    if counter is not None and unit.sql("SELECT 1 FROM counter WHERE number = :n",
                                        {"n": counter}).first() is None:
        raise BadInput(_("There is no counter {n}.").format(n=counter))


def check_void(ctx: Ctx, *, receipt_no: str, reason: str, counter: int | None = None) -> int:
    """Validate a void before the duty manager is asked; returns the amount given back.

    Raises what ``void_sale`` would (unknown or void receipt, not today's, partly
    refunded, no reason) and writes nothing.
    """
    require(ctx.actor, "sale.sell")
    _reason(reason)

    def check(unit: ReadUnit) -> int:
        _pays_from(unit, counter)
        sale, give = _void_give(unit, receipt_no)
        check_early(unit.session, _at(ctx, counter, sale), unit.actor)
        return sum(a for _line, _q, a in give)

    return run_check(ctx, check)


def check_refund(ctx: Ctx, *, receipt_no: str, lines: Sequence[RefundLine] | None,
                 reason: str, counter: int | None = None) -> int:
    """Validate a refund before the duty manager is asked; returns the amount given back.

    Raises what ``refund_sale`` would (a line not on the receipt, more than was sold
    or is left, outside the window, no reason) and writes nothing.
    """
    require(ctx.actor, "sale.sell")
    _reason(reason)
    window = _window(ctx)

    def check(unit: ReadUnit) -> int:
        _pays_from(unit, counter)
        sale, give = _refund_give(unit, receipt_no, lines, window)
        check_early(unit.session, _at(ctx, counter, sale), unit.actor)
        return sum(a for _line, _q, a in give)

    return run_check(ctx, check)


def void_sale(ctx: Ctx, *, receipt_no: str, reason: str, approver: Actor | None,
              counter: int | None = None, command_id: str | None = None,
              override_reason: str | None = None) -> Reversal:
    """作废: cancel a whole sale of the current business day (duty manager's approval).

    The receipt number stays in the series, marked void; stock goes back to the
    custody of the counter it is voided at (``counter``, else this terminal's, else
    the sale's), whose keeper alone voids there; money goes back by payment method.
    The request is validated (``check_void``) before the approval is looked at.
    """
    clerk = require(ctx.actor, "sale.sell")
    why = _reason(reason)

    def work(uow: UnitOfWork) -> Reversal:
        _pays_from(uow, counter)
        sale, give = _void_give(uow, receipt_no)
        who = approvals.check_second(ctx, approver, "sale.void")
        return _reverse(uow, ctx, clerk=clerk, kind="void", sale=sale, give=give, reason=why,
                        approver=who, counter=_at(ctx, counter, sale),
                        override_reason=override_reason)

    return run_write(ctx, "sale.void", work, command_id=command_id, result_type=Reversal)


def refund_sale(ctx: Ctx, *, receipt_no: str, lines: Sequence[RefundLine] | None, reason: str,
                approver: Actor | None, counter: int | None = None,
                command_id: str | None = None,
                override_reason: str | None = None) -> Reversal:
    """退款: give back some or all lines of a sale (also of an earlier day, within the window).

    ``lines=None`` refunds everything not yet given back. A refund never exceeds
    what was sold; it happens at ``counter`` (else this terminal's, else the
    sale's), whose keeper alone refunds there: the money comes out of its drawer
    and a returned serial goes back into its custody.
    The request is validated (``check_refund``) before the approval is looked at.
    """
    clerk = require(ctx.actor, "sale.sell")
    why = _reason(reason)
    window = _window(ctx)

    def work(uow: UnitOfWork) -> Reversal:
        _pays_from(uow, counter)
        sale, give = _refund_give(uow, receipt_no, lines, window)
        who = approvals.check_second(ctx, approver, "sale.refund")
        return _reverse(uow, ctx, clerk=clerk, kind="refund", sale=sale, give=give, reason=why,
                        approver=who, counter=_at(ctx, counter, sale),
                        override_reason=override_reason)

    return run_write(ctx, "sale.refund", work, command_id=command_id, result_type=Reversal)
