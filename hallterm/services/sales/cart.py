"""The cart (pure): lines, prices, overrides, payments and change, as the screen shows them.

The cart lives on the screen; its pricing and checks are pure functions here
(``cart_total``, ``settle``), so the screen shows exactly what the service will
write. Receipt numbers are ``R<yyyymmdd>-<nnnn>`` per business day of the hall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from hallterm.context import Actor
from hallterm.errors import BadInput
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.textinput import free_text

CASH = "cash"
METHODS: dict[str, str] = {
    CASH: N_("Cash"),
    "card": N_("Bank card"),
    "wechat": N_("WeChat Pay"),
    "alipay": N_("Alipay"),
}
HOLD_MINUTES = 30  # a serial scanned into a cart is held this long without activity
MAX_QUANTITY = 999


def method_label(method: str) -> str:
    """A payment method in the current language."""
    return _(METHODS.get(method, method))


def receipt_number(day: date, n: int) -> str:
    """The documented receipt format: ``R20261125-0001``."""
    return f"R{day:%Y%m%d}-{n:04d}"


# -- the cart (pure) ---------------------------------------------------------------------
@dataclass(frozen=True)
class CartLine:
    """A line of the cart: an item at its catalog price, or an approved override/discount."""

    sku: str
    name_zh: str
    name_en: str
    kind: str
    list_price_fen: int
    quantity: int = 1
    serial: str | None = None
    unit_price_fen: int | None = None  # None: the catalog price
    discount_fen: int = 0
    approver: Actor | None = None
    reason: str | None = None
    effective_zh: str | None = None
    effective_en: str | None = None

    @property
    def price_fen(self) -> int:
        """The unit price charged."""
        return self.list_price_fen if self.unit_price_fen is None else self.unit_price_fen

    @property
    def total_fen(self) -> int:
        return self.price_fen * self.quantity - self.discount_fen

    @property
    def overridden(self) -> bool:
        return self.price_fen != self.list_price_fen or self.discount_fen > 0

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


def line_from_item(item, *, serial: str | None = None, quantity: int = 1) -> CartLine:
    """A cart line for a catalog item (``services.catalog.Item``)."""
    return CartLine(item.sku, item.name_zh, item.name_en, item.kind, item.price_fen,
                    quantity, serial, effective_zh=item.effective_zh,
                    effective_en=item.effective_en)


def cart_total(lines: Sequence[CartLine]) -> int:
    """What the customer pays for ``lines``."""
    return sum(line.total_fen for line in lines)


def with_quantity(line: CartLine, quantity: int) -> CartLine:
    """The line with a new quantity (a serialised item is always one)."""
    if line.serial is not None and quantity != 1:
        raise BadInput(_("An item with a serial is sold one per line."))
    if not 1 <= quantity <= MAX_QUANTITY:
        raise BadInput(_("A quantity is 1-{max}.").format(max=MAX_QUANTITY))
    if line.discount_fen > line.price_fen * quantity:
        raise BadInput(_("The discount would be more than the line."))
    return replace(line, quantity=quantity)


def check_override(line: CartLine, *, unit_price_fen: int | None = None, discount_fen: int = 0,
                   reason: str) -> CartLine:
    """Validate a price change before the duty manager is asked (no approver yet).

    Returns the line as it would be priced; raises ``BadInput`` for a negative
    price or discount, a discount larger than the line, or no reason.
    """
    if unit_price_fen is None and not discount_fen:
        raise BadInput(_("Give a new price or a discount."), field="price")
    price = line.price_fen if unit_price_fen is None else unit_price_fen
    if price < 0 or discount_fen < 0:
        raise BadInput(_("A price or discount cannot be negative."),
                       field="price" if price < 0 else "discount")
    if discount_fen > price * line.quantity:
        raise BadInput(_("The discount of {discount} is more than the line ({line}).").format(
            discount=format_fen(discount_fen), line=format_fen(price * line.quantity)),
            field="discount")
    why = free_text(reason, what=_("A reason"), field="reason")
    if not why:
        raise BadInput(_("Give a reason for the price change."), field="reason")
    return replace(line, unit_price_fen=price, discount_fen=discount_fen, reason=why[:200])


def with_override(line: CartLine, *, unit_price_fen: int | None = None, discount_fen: int = 0,
                  approver: Actor, reason: str) -> CartLine:
    """The line at an approved price or with an approved discount (original price kept)."""
    checked = check_override(line, unit_price_fen=unit_price_fen, discount_fen=discount_fen,
                             reason=reason)
    return replace(checked, approver=approver)


@dataclass(frozen=True)
class PaymentIn:
    """One payment as the clerk enters it. Cash gives ``tendered_fen``; others a reference."""

    method: str
    amount_fen: int
    tendered_fen: int | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Settled:
    """Payments checked against what is due: cash received and change (唱收唱付)."""

    due_fen: int
    payments: tuple[PaymentIn, ...]
    tendered_fen: int  # cash handed over (0 without cash)
    change_fen: int


def change_for(due_fen: int, tendered_fen: int) -> int:
    """The change for ``tendered_fen`` against ``due_fen``; refuses too little."""
    if tendered_fen < due_fen:
        raise BadInput(_("Tendered {tendered} is less than the {due} due.").format(
            tendered=format_fen(tendered_fen), due=format_fen(due_fen)))
    return tendered_fen - due_fen


def settle(due_fen: int, payments: Sequence[PaymentIn]) -> Settled:
    """Check that ``payments`` pay exactly ``due_fen``; fills in cash change.

    Card and QR payments need the terminal's reference number; at most one cash
    payment, whose tendered amount must cover its share.
    """
    if due_fen < 0:
        raise BadInput(_("A sale cannot total less than zero."))
    cash = [p for p in payments if p.method == CASH]
    if len(cash) > 1:
        raise BadInput(_("Take cash once per sale."))
    out: list[PaymentIn] = []
    tendered = change = 0
    for p in payments:
        if p.method not in METHODS:
            raise BadInput(_("Unknown payment method {method}.").format(method=p.method))
        if p.amount_fen <= 0:
            raise BadInput(_("A payment must be more than zero."))
        if p.method == CASH:
            given = p.amount_fen if p.tendered_fen is None else p.tendered_fen
            change = change_for(p.amount_fen, given)
            tendered = given
            out.append(PaymentIn(CASH, p.amount_fen, given, None))
        else:
            ref = (p.reference or "").strip()
            if not ref or len(ref) > 64:
                raise BadInput(_("{method} needs the terminal's reference number (1-64 "
                                 "characters).").format(method=method_label(p.method)))
            out.append(PaymentIn(p.method, p.amount_fen, None, ref))
    paid = sum(p.amount_fen for p in out)
    if paid != due_fen:
        raise BadInput(_("The payments ({paid}) do not match the total due ({due}).").format(
            paid=format_fen(paid), due=format_fen(due_fen)))
    return Settled(due_fen, tuple(out), tendered, change)


def split_cash_rest(due_fen: int, others: Sequence[PaymentIn], tendered_fen: int) -> list[PaymentIn]:
    """Split payment: the non-cash ``others`` first, cash pays the rest from ``tendered_fen``."""
    rest = due_fen - sum(p.amount_fen for p in others)
    if rest < 0:
        raise BadInput(_("The other payments are more than the total."))
    if rest == 0:
        return list(others)
    change_for(rest, tendered_fen)
    return [*others, PaymentIn(CASH, rest, tendered_fen)]
