"""Sales (前台销售): the cart's arithmetic, serial holds, completing a sale, voids and refunds.

The cart lives on the screen; its pricing and checks are pure functions here
(``cart_total``, ``settle``), so the screen shows exactly what the service will
write. ``complete_sale`` writes the sale, its lines (catalog price copied at sale
time; an override or discount records the original price and the approver), its
payments, the stock movements (through the stock ledger), a receipt number from
the gapless allocator and the audit row — in one transaction, all or nothing.

Receipt numbers are ``R<yyyymmdd>-<nnnn>`` per business day of the hall (one store
is one hall), e.g. ``R20261125-0001``; a void keeps its number, marked void
(voids and refunds: ``sales.reversals``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, NotFound, Refused
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services import approvals, stock
from hallterm.services.queue import require_keeper
from hallterm.services.sales.cart import (
    CASH,
    MAX_QUANTITY,
    CartLine,
    PaymentIn,
    cart_total,
    receipt_number,
    settle,
)
from hallterm.services.sales.holds import serial_problem


# -- completing a sale -------------------------------------------------------------------
@dataclass(frozen=True)
class SaleDone:
    """A completed sale: what the screen shows and the receipt needs."""

    id: int
    receipt_no: str
    business_day: date
    at: datetime
    counter: int
    visit_id: int
    walk_up: bool
    total_fen: int
    tendered_fen: int
    change_fen: int
    lines: int
    stock_document: str | None


def _walk_up_visit(uow: UnitOfWork, day: date) -> int:
    from hallterm.services.queue import open_walk_up_visit

    return open_walk_up_visit(uow, day)


def _approver(line: CartLine) -> str | None:
    """Who approved a line's price override (checked before the sale is written)."""
    return line.approver.empno if line.overridden and line.approver is not None else None


def complete_sale(ctx: Ctx, *, counter: int, visit_id: int | None, lines: Sequence[CartLine],
                  payments: Sequence[PaymentIn], command_id: str | None = None,
                  cart_id: str | None = None, witness: Actor | None = None,
                  override_reason: str | None = None) -> SaleDone:
    """Write one sale whole: lines, payments, stock, receipt number, audit — or nothing.

    Only the counter's keeper sells there, never while it is being handed over
    (``services.queue.keepers``; a manager only with ``override_reason``).

    Prices are re-read from the catalog in the transaction; a line without an
    approved override is charged the catalog price of that moment, so ``payments``
    must match the total recomputed here. ``witness`` is the second person for
    valuable cards (``stock.valuable_card``). The card/QR payments already taken for
    ``cart_id`` (``services.carts``) are the sale's own: passed again or not, each
    is entered once.
    """
    _check_lines(ctx, lines)
    return run_write(ctx, "sale.complete",
                     lambda uow: record_sale(uow, counter=counter, visit_id=visit_id, lines=lines,
                                             payments=payments, cart_id=cart_id, witness=witness,
                                             override_reason=override_reason),
                     command_id=command_id, result_type=SaleDone)


def _check_lines(ctx: Ctx, lines: Sequence[CartLine]) -> list[str]:
    """The checks before the write (no store): seller, lines, overrides, serials once."""
    require(ctx.actor, "sale.sell")
    if not lines:
        raise BadInput(_("The cart is empty."))
    for line in lines:
        if line.overridden:
            approvals.check_second(ctx, line.approver, "sale.price_override")
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise BadInput(_("A quantity is 1-{max}.").format(max=MAX_QUANTITY))
    serials = [stock.clean_serial(x.serial) for x in lines if x.serial]
    if len(set(serials)) != len(serials):
        raise BadInput(_("A serial is on the cart twice."))
    return serials


def record_sale(uow: UnitOfWork, *, counter: int, visit_id: int | None,
                lines: Sequence[CartLine], payments: Sequence[PaymentIn],
                cart_id: str | None = None, witness: Actor | None = None,
                override_reason: str | None = None) -> SaleDone:
    """Inside the caller's write: the sale as ``complete_sale`` writes it, with its own
    ``sale.complete`` audit row. Another area whose work includes a sale (a service
    order's first payment: ``services.orders``) writes it this way, in its own
    transaction, so both are written or neither. A line's own ``effective_*`` text
    (when it happens: a new line's plan starts at once) wins over the catalog's.
    """
    from hallterm.services.catalog import item_in

    ctx = uow.ctx
    serials = _check_lines(ctx, lines)
    clerk = require(ctx.actor, "sale.sell")

    day = uow.open_day()
    require_keeper(uow, counter, action="sale.complete", override_reason=override_reason,
                   during_handover=False)
    priced: list[CartLine] = []
    for line in lines:
        item = item_in(uow, line.sku)
        if item is None or not item.active:
            raise Refused(_("{sku} is no longer in the catalog.").format(sku=line.sku))
        if not item.offered:
            raise Refused(_("{name} is not offered in this hall.").format(name=item.name()))
        if item.serialised and not line.serial:
            raise BadInput(_("{name} needs its serial number.").format(name=item.name()))
        if line.serial:
            problem = serial_problem(uow.session, counter=counter, sku=item.sku,
                                      serial=stock.clean_serial(line.serial), cart_id=cart_id,
                                      now=uow.now, terminal=ctx.terminal)
            if problem:
                raise Refused(problem)
        unit = line.unit_price_fen if line.overridden else item.price_fen
        priced.append(replace(line, name_zh=item.name_zh, name_en=item.name_en,
                              kind=item.kind, list_price_fen=item.price_fen,
                              unit_price_fen=unit, serial=stock.clean_serial(line.serial) or None,
                              effective_zh=line.effective_zh or item.effective_zh,
                              effective_en=line.effective_en or item.effective_en))
    total = cart_total(priced)
    # Card/QR payments already taken for this cart are its payments (entered once).

    paying, taken_ids = payments_for_sale(uow, cart_id=cart_id, counter=counter,
                                          payments=payments)
    settled = settle(total, paying)
    if visit_id is None:
        visit, walk_up = _walk_up_visit(uow, day), True
    else:
        if uow.sql("SELECT 1 FROM visit WHERE id = :v", {"v": visit_id}).first() is None:
            raise NotFound(_("No visit {id}.").format(id=visit_id))
        visit, walk_up = visit_id, False
    number = receipt_number(day, uow.next_number(f"receipt:{day.isoformat()}"))
    at = utc_text(uow.now)
    list_total = sum(x.list_price_fen * x.quantity for x in priced)
    sale_id = uow.sql(
        "INSERT INTO sale (receipt_no, business_day, at, counter, terminal, clerk, visit_id, "
        "walk_up, list_total_fen, total_fen, state, reprints) VALUES (:r, :d, :at, :c, :t, "
        ":k, :v, :w, :lt, :tot, 'completed', 0) RETURNING id",
        {"r": number, "d": day.isoformat(), "at": at, "c": counter, "t": ctx.terminal,
         "k": clerk.empno, "v": visit, "w": bool(walk_up), "lt": list_total,
         "tot": total}).scalar()
    uow.sql(
        "INSERT INTO sale_line (sale_id, business_day, line_no, sku, name_zh, name_en, kind, "
        "serial, quantity, list_price_fen, unit_price_fen, discount_fen, total_fen, approver, "
        "override_reason, effective_zh, effective_en) VALUES (:s, :d, :n, :sku, :zh, :en, "
        ":k, :serial, :q, :lp, :up, :disc, :tot, :ap, :why, :ezh, :een)",
        [{"s": sale_id, "d": day.isoformat(), "n": i, "sku": x.sku, "zh": x.name_zh,
          "en": x.name_en, "k": x.kind, "serial": x.serial, "q": x.quantity,
          "lp": x.list_price_fen, "up": x.price_fen, "disc": x.discount_fen,
          "tot": x.total_fen, "ap": _approver(x),
          "why": x.reason if x.overridden else None, "ezh": x.effective_zh,
          "een": x.effective_en} for i, x in enumerate(priced, start=1)])
    if settled.payments:
        uow.sql(
            "INSERT INTO payment (sale_id, business_day, method, amount_fen, tendered_fen, "
            "change_fen, reference) VALUES (:s, :d, :m, :a, :t, :c, :r)",
            [{"s": sale_id, "d": day.isoformat(), "m": p.method, "a": p.amount_fen,
              "t": p.tendered_fen, "c": settled.change_fen
              if p.method == CASH else None, "r": p.reference} for p in settled.payments])
    mark_sold(uow, cart_id=cart_id, taken_ids=taken_ids, sale_id=sale_id,
              receipt_no=number)
    # The stock document is audited with the sale, in its row (one row per sale).
    moved: dict = {}
    doc = stock.record_sale_movements(
        uow, counter=counter, sale_ref=number, witness=witness, audit_into=moved,
        lines=[stock.LineIn(x.sku, x.serial, x.quantity) for x in priced if x.kind != "service"])
    if serials:
        marks = ", ".join(f":s{i}" for i in range(len(serials)))
        uow.sql(f"DELETE FROM cart_hold WHERE serial IN ({marks})",
                {f"s{i}": s for i, s in enumerate(serials)})
    overrides = [{"line": i, "sku": x.sku, "list_fen": x.list_price_fen,
                  "price_fen": x.price_fen, "discount_fen": x.discount_fen,
                  "approver": _approver(x), "reason": x.reason}
                 for i, x in enumerate(priced, start=1) if x.overridden]
    approver = next((x.approver for x in priced if x.overridden), None)
    if approver is None and witness is not None and moved.get("approver") == witness.empno:
        approver = witness  # the second person of its valuable cards (双人复核)
    for x in priced:  # each override's approval is recorded with the sale it priced
        if x.overridden:
            uow.pin_used(x.approver, for_action="sale.price_override")
    uow.audit("sale.complete", entity="sale", entity_id=number, approver=approver,
              business_day=day,
              payload={"counter": counter, "total_fen": total, "lines": len(priced),
                       "visit": visit, "walk_up": walk_up,
                       "payments": [{"method": p.method, "amount_fen": p.amount_fen,
                                     "reference": p.reference} for p in settled.payments],
                       "tendered_fen": settled.tendered_fen,
                       "change_fen": settled.change_fen, "overrides": overrides,
                       "serials": serials, "cart": cart_id, "taken_payments": taken_ids,
                       "stock_document": doc.number if doc else None,
                       "stock": moved or None})
    return SaleDone(sale_id, number, day, uow.now, counter, visit, walk_up, total,
                    settled.tendered_fen, settled.change_fen, len(priced),
                    doc.number if doc else None)


# -- the cart's side: its taken payments become the sale's, the cart is sold ---------------
def payments_for_sale(uow: UnitOfWork, *, cart_id: str | None, counter: int,
                      payments: Sequence[PaymentIn]) -> tuple[list[PaymentIn], list[int]]:
    """The sale's payments: the cart's taken ones, then those passed that are not among them.

    A caller may pass the taken payments again (the screen shows them on the cart)
    or leave them out; either way each is entered once. Returns the payments and
    the ids of the taken rows they use.
    """
    if not cart_id:
        return list(payments), []
    row = uow.sql("SELECT state, counter FROM sale_cart WHERE id = :c", {"c": cart_id}).first()
    if row is None:
        return list(payments), []
    if row.state == "sold":
        raise Refused(_("This cart was already sold."))
    if row.counter != counter:
        raise Refused(_("This cart belongs to counter {counter}.").format(counter=row.counter))
    taken = uow.sql("SELECT id, method, amount_fen, reference FROM taken_payment WHERE "
                    "cart_id = :c AND state = 'taken' ORDER BY id", {"c": cart_id}).all()
    rest = list(payments)
    out: list[PaymentIn] = []
    for t in taken:
        out.append(PaymentIn(t.method, t.amount_fen, reference=t.reference))
        same = next((p for p in rest if p.method == t.method and p.amount_fen == t.amount_fen
                     and (p.reference or "").strip() == t.reference), None)
        if same is not None:
            rest.remove(same)
    return out + rest, [t.id for t in taken]


def mark_sold(uow: UnitOfWork, *, cart_id: str | None, taken_ids: Sequence[int], sale_id: int,
              receipt_no: str) -> None:
    """The cart became sale ``receipt_no``: its taken payments are that sale's payments."""
    if not cart_id:
        return
    at = utc_text(uow.now)
    changed = uow.sql("UPDATE sale_cart SET state = 'sold', receipt_no = :r, updated_at = :at "
                      "WHERE id = :c AND state != 'sold'",
                      {"r": receipt_no, "at": at, "c": cart_id}).rowcount
    if not taken_ids:
        return
    if changed != 1:
        raise Refused(_("This cart was already sold."))
    for tid in taken_ids:
        uow.sql("UPDATE taken_payment SET state = 'used', sale_id = :s, payment_id = (SELECT "
                "p.id FROM payment p JOIN taken_payment t ON t.id = :t WHERE p.sale_id = :s AND "
                "p.method = t.method AND p.reference = t.reference AND p.amount_fen = "
                "t.amount_fen ORDER BY p.id LIMIT 1) WHERE id = :t AND state = 'taken'",
                {"s": sale_id, "t": tid})
