"""Sales tables (前台销售): sales, lines, payments, voids/refunds, the cash drawer, cart holds,
unfinished carts with card/QR payments already taken.

A sale is written whole in one transaction with its receipt number (gapless per
business day). A void or refund never changes what was sold: it is its own
numbered document (``sale_reversal``) with the lines and money it gives back; a
void only marks the sale ``void`` so its receipt number stays in the series.
Cross-area references (the visit, the stock document) are plain columns: the
queue and stock tables live on other migration branches.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from hallterm.models.types import AwareDateTime


class Sale(SQLModel, table=True):
    """One completed sale (销售单) and its receipt number (小票号)."""

    __tablename__ = "sale"
    # A counter's rows of one day (the drawer, today's sales): never its whole history.
    __table_args__ = (Index("ix_sale_counter_day", "counter", "business_day"),)
    id: int | None = Field(default=None, primary_key=True)
    receipt_no: str = Field(max_length=24, unique=True)
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    counter: int
    terminal: str = Field(max_length=32)
    clerk: str = Field(max_length=16, index=True)
    visit_id: int | None = Field(default=None, index=True)
    walk_up: bool = False
    list_total_fen: int  # what the lines cost at catalog prices
    total_fen: int  # what the customer paid (after approved overrides and discounts)
    state: str = Field(max_length=12)  # completed | void
    reprints: int = 0


class SaleLine(SQLModel, table=True):
    """One line of a sale, with the catalog price copied at sale time."""

    __tablename__ = "sale_line"
    __table_args__ = (
        UniqueConstraint("sale_id", "line_no"),
        CheckConstraint("quantity > 0", name="sale_line_quantity_positive"),
    )
    id: int | None = Field(default=None, primary_key=True)
    sale_id: int = Field(foreign_key="sale.id", index=True)
    business_day: date = Field(index=True)
    line_no: int
    sku: str = Field(max_length=32, index=True)
    name_zh: str = Field(max_length=60)
    name_en: str = Field(max_length=80)
    kind: str = Field(max_length=16)
    serial: str | None = Field(default=None, max_length=32, index=True)
    quantity: int
    list_price_fen: int  # the catalog price at sale time
    unit_price_fen: int  # the price charged (differs only with an approved override)
    discount_fen: int = 0  # taken off the line (approved)
    total_fen: int
    approver: str | None = Field(default=None, max_length=16)
    override_reason: str | None = Field(default=None, max_length=200)
    effective_zh: str | None = None
    effective_en: str | None = None


class Payment(SQLModel, table=True):
    """One payment of a sale: cash (with tendered and change) or a terminal's reference."""

    __tablename__ = "payment"
    id: int | None = Field(default=None, primary_key=True)
    sale_id: int = Field(foreign_key="sale.id", index=True)
    business_day: date = Field(index=True)
    method: str = Field(max_length=8)  # cash | card | wechat | alipay
    amount_fen: int
    tendered_fen: int | None = None
    change_fen: int | None = None
    reference: str | None = Field(default=None, max_length=64)


class SaleReversal(SQLModel, table=True):
    """A void (作废) or refund (退款) document referencing the original receipt."""

    __tablename__ = "sale_reversal"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    kind: str = Field(max_length=8)  # void | refund
    sale_id: int = Field(foreign_key="sale.id", index=True)
    receipt_no: str = Field(max_length=24, index=True)
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    counter: int
    clerk: str = Field(max_length=16)
    approver: str = Field(max_length=16)
    reason: str = Field(max_length=200)
    amount_fen: int
    stock_document: str | None = Field(default=None, max_length=24)


class SaleReversalLine(SQLModel, table=True):
    """What one void/refund gives back of one sale line."""

    __tablename__ = "sale_reversal_line"
    id: int | None = Field(default=None, primary_key=True)
    reversal_id: int = Field(foreign_key="sale_reversal.id", index=True)
    sale_line_id: int = Field(foreign_key="sale_line.id", index=True)
    business_day: date = Field(index=True)
    quantity: int
    amount_fen: int


class ReversalPayment(SQLModel, table=True):
    """Money given back by a void/refund, by the original payment's method."""

    __tablename__ = "reversal_payment"
    id: int | None = Field(default=None, primary_key=True)
    reversal_id: int = Field(foreign_key="sale_reversal.id", index=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    business_day: date = Field(index=True)
    method: str = Field(max_length=8)
    amount_fen: int


class CashMovement(SQLModel, table=True):
    """Cash put into or taken out of a counter's drawer, other than sales and refunds."""

    __tablename__ = "cash_movement"
    # A counter's rows of one day (the drawer, today's sales): never its whole history.
    __table_args__ = (Index("ix_cash_movement_counter_day", "counter", "business_day"),)
    id: int | None = Field(default=None, primary_key=True)
    business_day: date = Field(index=True)
    counter: int
    at: datetime = Field(sa_type=AwareDateTime)
    kind: str = Field(max_length=8)  # float | in | out
    reason: str = Field(max_length=16)  # opening_float | bank_drop | change_fund | compensation | other
    amount_fen: int  # always positive; ``kind`` gives the direction
    note: str | None = Field(default=None, max_length=200)
    reference: str | None = Field(default=None, max_length=64)
    actor: str = Field(max_length=16)
    approver: str | None = Field(default=None, max_length=16)


class CashCount(SQLModel, table=True):
    """A count of a drawer (handover or day end): counted, expected, the difference (长短款)."""

    __tablename__ = "cash_count"
    # A counter's rows of one day (the drawer, today's sales): never its whole history.
    __table_args__ = (Index("ix_cash_count_counter_day", "counter", "business_day"),)
    id: int | None = Field(default=None, primary_key=True)
    business_day: date = Field(index=True)
    counter: int
    at: datetime = Field(sa_type=AwareDateTime)
    purpose: str = Field(max_length=12)  # handover | day_end | check
    counted_fen: int
    expected_fen: int
    difference_fen: int
    reason: str | None = Field(default=None, max_length=200)
    actor: str = Field(max_length=16)
    witness: str | None = Field(default=None, max_length=16)


class CartHold(SQLModel, table=True):
    """A serial scanned into an unfinished cart: no other terminal may sell it until expiry."""

    __tablename__ = "cart_hold"
    serial: str = Field(primary_key=True, max_length=32)
    sku: str = Field(max_length=32)
    cart_id: str = Field(max_length=40, index=True)
    counter: int
    terminal: str = Field(max_length=32)
    actor: str = Field(max_length=16)
    expires_at: datetime = Field(sa_type=AwareDateTime)


class SaleCart(SQLModel, table=True):
    """An unfinished cart that holds money taken on another device (a card or QR terminal).

    Written the moment a card/WeChat/Alipay payment is entered, with the cart's lines
    (JSON), so neither a cleared screen nor a restart nor a crash loses the money:
    the cart ends ``sold`` (its receipt) or ``settled`` (every payment refunded back).
    """

    __tablename__ = "sale_cart"
    id: str = Field(primary_key=True, max_length=40)  # the screen's cart id
    business_day: date = Field(index=True)
    counter: int = Field(index=True)
    terminal: str = Field(max_length=32)
    clerk: str = Field(max_length=16)
    visit_id: int | None = None
    opened_at: datetime = Field(sa_type=AwareDateTime)
    updated_at: datetime = Field(sa_type=AwareDateTime)
    state: str = Field(max_length=8, index=True)  # open | sold | settled
    lines_json: str  # the cart's lines (``services.sales.carts``)
    receipt_no: str | None = Field(default=None, max_length=24)


class TakenPayment(SQLModel, table=True):
    """A card/WeChat/Alipay payment taken for a cart before the sale is written.

    ``state``: ``taken`` (money with the hall, the sale not yet written), ``used``
    (it became the sale's payment ``payment_id``) or ``refunded`` (given back to
    the card/QR with the terminal's refund reference, a manager approving).
    """

    __tablename__ = "taken_payment"
    id: int | None = Field(default=None, primary_key=True)
    cart_id: str = Field(foreign_key="sale_cart.id", max_length=40, index=True)
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    counter: int
    terminal: str = Field(max_length=32)
    clerk: str = Field(max_length=16)
    visit_id: int | None = None
    method: str = Field(max_length=8)  # card | wechat | alipay
    amount_fen: int
    reference: str = Field(max_length=64)
    state: str = Field(max_length=8)  # taken | used | refunded
    sale_id: int | None = Field(default=None, foreign_key="sale.id")
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    refund_reference: str | None = Field(default=None, max_length=64)
    refund_reason: str | None = Field(default=None, max_length=200)
    refunded_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    refunded_by: str | None = Field(default=None, max_length=16)
    approver: str | None = Field(default=None, max_length=16)
