"""The sales area (前台销售): the cart, scanning, serial holds, completing a sale, reads.

``complete_sale`` writes a sale whole — lines, payments, the stock movements
(through ``services.stock``), a receipt number and the audit row — or nothing.
Sub-areas with their own names: ``sales.carts`` (card/QR money taken before the
sale is written), ``sales.reversals`` (voids and refunds), ``sales.receipts``
(the customer's receipt and the printer), ``sales.day`` (closing, the day report,
the export). Sales never spells a stock place: it asks ``stock`` for them.

Modules: ``cart`` (pure arithmetic), ``scanning``, ``holds``, ``completing``,
``reads``. Other areas use the names exported here only.
"""

from __future__ import annotations

from hallterm.services.sales import carts as carts
from hallterm.services.sales import day as day
from hallterm.services.sales import receipts as receipts
from hallterm.services.sales import reversals as reversals
from hallterm.services.sales import review_records as review_records
from hallterm.services.sales.cart import (
    CASH,
    HOLD_MINUTES,
    MAX_QUANTITY,
    METHODS,
    CartLine,
    PaymentIn,
    Settled,
    cart_total,
    change_for,
    check_override,
    line_from_item,
    method_label,
    receipt_number,
    settle,
    split_cash_rest,
    with_override,
    with_quantity,
)
from hallterm.services.sales.carts import paid_carts_at
from hallterm.services.sales.completing import SaleDone, complete_sale, record_sale
from hallterm.services.sales.holds import Held, hold_serial, release_holds
from hallterm.services.sales.reads import (
    PaymentView,
    ReversalView,
    SaleLineView,
    SaleRow,
    SaleView,
    get_sale,
    list_sales,
    receipt_exists,
    reprint,
)
from hallterm.services.sales.receipts import Printer, print_text, printer_from_settings
from hallterm.services.sales.scanning import Option, Scanned, check_cart, scan

TABLES: tuple[str, ...] = ("sale", "sale_line", "payment", "sale_reversal", "sale_reversal_line",
                           "reversal_payment", "cart_hold", "sale_cart", "taken_payment")

__all__ = [
    "CASH", "HOLD_MINUTES", "MAX_QUANTITY", "METHODS", "TABLES", "CartLine", "Held", "Option",
    "PaymentIn", "PaymentView", "Printer", "ReversalView", "SaleDone", "SaleLineView", "SaleRow",
    "SaleView", "Scanned", "Settled", "cart_total", "carts", "change_for", "check_cart",
    "check_override", "complete_sale", "day", "get_sale", "hold_serial", "line_from_item",
    "list_sales", "method_label", "paid_carts_at", "print_text", "printer_from_settings",
    "receipt_exists", "receipt_number", "receipts", "record_sale", "release_holds", "reprint", "reversals",
    "review_records", "scan", "settle", "split_cash_rest", "with_override", "with_quantity",
]
