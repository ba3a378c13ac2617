"""Money taken is never lost: unfinished carts and the card/QR payments already taken for them.

A bank card, WeChat Pay or Alipay payment is real money taken on another device.
``take_payment`` writes it (method, amount, the terminal's reference, clerk,
counter, terminal, visit) the moment the clerk enters it, together with the cart
and its lines, and audits it. From then on the cart lives in the store
(``sale_cart``), not only on the screen: opening the Sales screen at that counter
finds it again (``open_carts``), also after a restart or a crash.

Such a cart ends in one of two ways:

- ``sales.complete_sale`` with its ``cart_id``: the taken payments become the
  sale's non-cash payments (never entered twice) and the cart is ``sold``;
- ``refund_taken``: each payment is given back to the card/QR with the terminal's
  refund reference, a duty or hall manager approving (like any refund); it
  changes nothing in the cash drawer. When nothing is left taken, the cart is
  ``settled``.

The day cannot close while a cart holds taken money (a closing blocker), and a
counter with such a cart cannot be handed over: the clerk who took the money
finishes that customer first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import BadInput, Forbidden, NotFound, Refused
from hallterm.i18n import _
from hallterm.money import format_fen
from hallterm.permissions import require
from hallterm.services import approvals
from hallterm.services.sales.cart import (
    CASH,
    METHODS,
    CartLine,
    PaymentIn,
    cart_total,
    method_label,
)
from hallterm.store import execute

MAX_REFERENCE = 64


@dataclass(frozen=True)
class Taken:
    """A card/QR payment taken for a cart."""

    id: int
    method: str
    amount_fen: int
    reference: str
    at: datetime
    clerk: str
    state: str  # taken | used | refunded
    refund_reference: str | None = None
    approver: str | None = None

    def as_payment(self) -> PaymentIn:
        return PaymentIn(self.method, self.amount_fen, reference=self.reference)

    def label(self) -> str:
        """``WeChat Pay ¥10.00 (ref)`` in the current language."""
        return f"{method_label(self.method)} {format_fen(self.amount_fen)} ({self.reference})"


@dataclass(frozen=True)
class OpenCart:
    """A cart in the store: its lines and the payments taken for it."""

    id: str
    business_day: date
    counter: int
    terminal: str
    clerk: str
    visit_id: int | None
    state: str  # open | sold | settled
    lines: tuple[CartLine, ...]
    payments: tuple[Taken, ...]  # every payment, whatever its state
    receipt_no: str | None = None

    @property
    def taken(self) -> tuple[Taken, ...]:
        """The payments still with the hall: neither part of a sale nor refunded."""
        return tuple(p for p in self.payments if p.state == "taken")

    @property
    def taken_fen(self) -> int:
        return sum(p.amount_fen for p in self.taken)

    @property
    def total_fen(self) -> int:
        return cart_total(self.lines)


# -- the lines as JSON ------------------------------------------------------------------
def _line_json(line: CartLine) -> dict:
    data = asdict(line)
    if line.approver is not None:
        data["approver"] = {**asdict(line.approver), "roles": sorted(line.approver.roles)}
    return data


def _line_from(data: dict) -> CartLine:
    approver = data.get("approver")
    if approver is not None:
        approver = Actor(**{**approver, "roles": frozenset(approver["roles"])})
    return CartLine(**{**data, "approver": approver})


def _dump(lines: Sequence[CartLine]) -> str:
    return json.dumps([_line_json(x) for x in lines], ensure_ascii=False)


# -- reading ----------------------------------------------------------------------------
_CART_COLS = "id, business_day, counter, terminal, clerk, visit_id, state, lines_json, receipt_no"


def _taken(session, cart_id: str, tz) -> tuple[Taken, ...]:
    return tuple(Taken(r.id, r.method, r.amount_fen, r.reference,
                       datetime.fromisoformat(r.at).astimezone(tz), r.clerk, r.state,
                       r.refund_reference, r.approver)
                 for r in execute(session, "SELECT id, method, amount_fen, reference, at, clerk, "
                                  "state, refund_reference, approver FROM taken_payment WHERE "
                                  "cart_id = :c ORDER BY id", {"c": cart_id}).all())


def _cart(session, row, tz) -> OpenCart:
    return OpenCart(row.id, date.fromisoformat(row.business_day), row.counter, row.terminal,
                    row.clerk, row.visit_id, row.state,
                    tuple(_line_from(x) for x in json.loads(row.lines_json)),
                    _taken(session, row.id, tz), row.receipt_no)


def _read(session, cart_id: str, tz) -> OpenCart | None:
    row = execute(session, f"SELECT {_CART_COLS} FROM sale_cart WHERE id = :c",
                  {"c": cart_id}).first()
    return None if row is None else _cart(session, row, tz)


def _kept(session, cart_id: str, tz) -> OpenCart:
    """A cart this transaction has just written (it is there)."""
    cart = _read(session, cart_id, tz)
    if cart is None:
        raise LookupError(f"cart {cart_id} was just written and is not there")
    return cart


def get_cart(ctx: Ctx, *, cart_id: str) -> OpenCart | None:
    """A cart kept in the store, or None (a cart nobody paid for yet lives only on the screen)."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    with ctx.store.read() as session:
        return _read(session, cart_id, ctx.clock.tz)


def open_carts(ctx: Ctx, *, counter: int | None = None,
               business_day: date | None = None) -> list[OpenCart]:
    """Carts that hold taken money (state ``open``), oldest first; of a counter, up to a day."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    with ctx.store.read() as session:
        return open_in(session, counter=counter, business_day=business_day or ctx.today(),
                        tz=ctx.clock.tz)


def open_in(session, *, counter: int | None, business_day: date, tz=None) -> list[OpenCart]:
    where = "state = 'open' AND business_day <= :d"
    params: dict[str, str | int] = {"d": business_day.isoformat()}
    if counter is not None:
        where += " AND counter = :n"
        params["n"] = counter
    rows = execute(session, f"SELECT {_CART_COLS} FROM sale_cart WHERE {where} ORDER BY "
                   "opened_at, id", params).all()
    return [_cart(session, r, tz) for r in rows]


# -- taking a payment -------------------------------------------------------------------
def _check_reference(text: str | None, method: str) -> str:
    ref = (text or "").strip()
    if not ref or len(ref) > MAX_REFERENCE:
        raise BadInput(_("{method} needs the terminal's reference number (1-64 "
                         "characters).").format(method=method_label(method)), field="reference")
    return ref


def take_payment(ctx: Ctx, *, cart_id: str, counter: int, visit_id: int | None,
                 lines: Sequence[CartLine], method: str, amount_fen: int, reference: str,
                 command_id: str | None = None) -> OpenCart:
    """Record a card/WeChat/Alipay payment the moment it is taken, with the cart and its lines.

    Refuses cash (cash is taken when the sale completes), an amount over what is
    still due, a missing reference and the same reference twice on one cart.
    """
    clerk = require(ctx.actor, "sale.sell")
    method = (method or "").strip().lower()
    if method == CASH or method not in METHODS:
        raise BadInput(_("Take card, wechat or alipay here; cash is taken when the sale "
                         "completes."), field="method")
    if amount_fen <= 0:
        raise BadInput(_("A payment must be more than zero."), field="amount")
    ref = _check_reference(reference, method)
    if not lines:
        raise BadInput(_("The cart is empty."))
    cart_id = (cart_id or "").strip()
    if not cart_id or len(cart_id) > 40:
        raise BadInput(_("A cart id is 1-40 characters."))
    total = cart_total(lines)

    def work(uow: UnitOfWork) -> OpenCart:
        from hallterm.services.queue import require_keeper

        day = uow.open_day()
        # Money is taken at a counter only by its keeper, never while it is handed over.
        require_keeper(uow, counter, action="sale.payment_taken", during_handover=False)
        at = utc_text(uow.now)
        row = uow.sql("SELECT state, counter FROM sale_cart WHERE id = :c", {"c": cart_id}).first()
        if row is not None and row.state == "sold":
            raise Refused(_("This cart was already sold."))
        if row is not None and row.counter != counter:
            raise Refused(_("This cart belongs to counter {counter}.").format(counter=row.counter))
        taken = uow.sql("SELECT method, reference, amount_fen FROM taken_payment WHERE "
                        "cart_id = :c AND state = 'taken'", {"c": cart_id}).all()
        if any(t.method == method and t.reference == ref for t in taken):
            raise BadInput(_("{method} {reference} is already recorded on this cart.").format(
                method=method_label(method), reference=ref), field="reference")
        due = total - sum(t.amount_fen for t in taken)
        if amount_fen > due:
            raise BadInput(_("{amount} is more than the {due} due.").format(
                amount=format_fen(amount_fen), due=format_fen(due)), field="amount")
        params = {"c": cart_id, "d": day.isoformat(), "n": counter, "t": ctx.terminal,
                  "k": clerk.empno, "v": visit_id, "at": at, "l": _dump(lines)}
        if row is None:
            uow.sql("INSERT INTO sale_cart (id, business_day, counter, terminal, clerk, visit_id, "
                    "opened_at, updated_at, state, lines_json) VALUES (:c, :d, :n, :t, :k, :v, "
                    ":at, :at, 'open', :l)", params)
        else:
            uow.sql("UPDATE sale_cart SET state = 'open', updated_at = :at, lines_json = :l, "
                    "visit_id = COALESCE(:v, visit_id), terminal = :t WHERE id = :c", params)
        pid = uow.sql("INSERT INTO taken_payment (cart_id, business_day, at, counter, terminal, "
                      "clerk, visit_id, method, amount_fen, reference, state) VALUES (:c, :d, "
                      ":at, :n, :t, :k, :v, :m, :a, :r, 'taken') RETURNING id",
                      {**params, "m": method, "a": amount_fen, "r": ref}).scalar()
        uow.audit("sale.payment_taken", entity="cart", entity_id=cart_id, business_day=day,
                  payload={"payment": pid, "method": method, "amount_fen": amount_fen,
                           "reference": ref, "counter": counter, "terminal": ctx.terminal,
                           "visit": visit_id, "cart_total_fen": total,
                           "lines": [{"sku": x.sku, "quantity": x.quantity,
                                      "serial": x.serial} for x in lines]})
        return _kept(uow.session, cart_id, ctx.clock.tz)

    return run_write(ctx, "sale.payment_taken", work, command_id=command_id, result_type=OpenCart)


def save_lines(ctx: Ctx, *, cart_id: str, lines: Sequence[CartLine],
               visit_id: int | None = None) -> OpenCart | None:
    """Keep the lines of a cart that holds taken money (changed after a payment); None for a
    cart the store does not keep."""
    require(ctx.actor, "sale.sell")

    def work(uow: UnitOfWork) -> OpenCart | None:
        row = uow.sql("SELECT state, business_day FROM sale_cart WHERE id = :c",
                      {"c": cart_id}).first()
        if row is None or row.state == "sold":
            # Nothing kept: still one audit row, as every write has.
            uow.audit("sale.cart_lines", entity="cart", entity_id=cart_id,
                      payload={"kept": False})
            return None
        day = uow.open_day(date.fromisoformat(row.business_day))
        uow.sql("UPDATE sale_cart SET lines_json = :l, updated_at = :at, visit_id = "
                "COALESCE(:v, visit_id) WHERE id = :c",
                {"l": _dump(lines), "at": utc_text(uow.now), "v": visit_id, "c": cart_id})
        uow.audit("sale.cart_lines", entity="cart", entity_id=cart_id, business_day=day,
                  payload={"kept": True, "total_fen": cart_total(lines),
                           "lines": [{"sku": x.sku, "quantity": x.quantity,
                                      "serial": x.serial} for x in lines]})
        return _kept(uow.session, cart_id, ctx.clock.tz)

    return run_write(ctx, "sale.cart_lines", work)


# -- giving a taken payment back ------------------------------------------------------------
def _reason(reason: str | None) -> str:
    why = (reason or "").strip()
    if not why:
        raise BadInput(_("Give a reason."), field="reason")
    if len(why) > 200:
        raise BadInput(_("A reason is at most 200 characters."), field="reason")
    return why


def _give_back(unit: ReadUnit, cart_id: str, payment_id: int, refund_reference: str):
    """What giving back would change, checked: (method, amount, reference, refund ref, day)."""
    row = unit.sql("SELECT method, amount_fen, reference, state, business_day FROM "
                   "taken_payment WHERE id = :p AND cart_id = :c",
                   {"p": payment_id, "c": cart_id}).first()
    if row is None:
        raise NotFound(_("No payment {id} on this cart.").format(id=payment_id))
    method, amount, ref = row.method, row.amount_fen, row.reference
    if row.state != "taken":
        raise Refused(_("{method} {amount} ({reference}) is no longer taken: it was "
                        "{state}.").format(method=method_label(method),
                                           amount=format_fen(amount), reference=ref,
                                           state=_taken_state(row.state)))
    back = _check_reference(refund_reference, method)
    day = unit.open_day(date.fromisoformat(row.business_day))
    return method, amount, ref, back, day


def check_refund_taken(ctx: Ctx, *, cart_id: str, payment_id: int, refund_reference: str,
                       reason: str) -> int:
    """Validate giving a taken payment back before the duty manager is asked; returns the
    amount. Raises what ``refund_taken`` would and writes nothing."""
    require(ctx.actor, "sale.sell")
    _reason(reason)
    return run_check(ctx, lambda unit: _give_back(unit, cart_id, payment_id,
                                                  refund_reference)[1])


def refund_taken(ctx: Ctx, *, cart_id: str, payment_id: int, refund_reference: str,
                 reason: str, approver: Actor | None,
                 command_id: str | None = None) -> OpenCart:
    """Record that a taken payment went back to the customer's card/QR (the duty manager
    approves, as for any refund). Nothing changes in the cash drawer, so any sales clerk
    may record it (the approval is the control: money must never be stuck on a cart
    whose counter has changed hands). The request is validated (``check_refund_taken``)
    before the approval is looked at."""
    clerk = require(ctx.actor, "sale.sell")
    why = _reason(reason)

    def work(uow: UnitOfWork) -> OpenCart:
        method, amount, ref, back, day = _give_back(uow, cart_id, payment_id, refund_reference)
        who = approvals.check_second(ctx, approver, "sale.refund")
        at = utc_text(uow.now)
        uow.sql("UPDATE taken_payment SET state = 'refunded', refund_reference = :r, "
                "refund_reason = :why, refunded_at = :at, refunded_by = :k, approver = :ap "
                "WHERE id = :p", {"r": back, "why": why, "at": at, "k": clerk.empno,
                                  "ap": who.empno, "p": payment_id})
        left = uow.sql("SELECT COUNT(*) FROM taken_payment WHERE cart_id = :c AND "
                       "state = 'taken'", {"c": cart_id}).scalar()
        if not left:
            uow.sql("UPDATE sale_cart SET state = 'settled', updated_at = :at WHERE id = :c",
                    {"at": at, "c": cart_id})
        uow.audit("sale.payment_refunded", entity="cart", entity_id=cart_id, business_day=day,
                  approver=who,
                  payload={"payment": payment_id, "method": method, "amount_fen": amount,
                           "reference": ref, "refund_reference": back, "reason": why,
                           "cash_drawer_fen": 0})
        return _kept(uow.session, cart_id, ctx.clock.tz)

    return run_write(ctx, "sale.payment_refunded", work, command_id=command_id,
                     result_type=OpenCart)


def _taken_state(state: str) -> str:
    return {"taken": _("taken"), "used": _("part of a sale"),
            "refunded": _("refunded")}.get(state, state)


# -- closing and handover -----------------------------------------------------------------------
def paid_carts_at(session, counter: int) -> list[str]:
    """Translated lines for the carts of ``counter`` that hold taken money (handover refuses)."""
    from datetime import date as _date

    return [describe(c) for c in open_in(session, counter=counter, business_day=_date.max)
            if c.taken]


def describe(cart: OpenCart) -> str:
    return _("Counter {counter}: an unfinished sale by {empno} holds {money} taken; complete "
             "the sale or refund the payments back (Sales, Ctrl+B).").format(
        counter=cart.counter, empno=cart.clerk,
        money=", ".join(p.label() for p in cart.taken))
