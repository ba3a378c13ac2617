"""The stock area (库存): the ledger of goods at the warehouse and the counters.

Receive, issue, return, write off, sell, verify, history, and stocktakes
(``stock.stocktake``). Every movement is one numbered document whose lines are
ledger rows, written in one transaction with the balances and serial places it
changes; all of a document's lines are checked before anything is written.

Modules: ``places`` (what a place is called; other areas ask here for ``SOLD``
or ``counter_place(n)`` instead of spelling them), ``checks`` (lines checked as
scanned), ``ledger`` (writing a document), ``movements`` (receive, issue, return,
write off, the stock side of a sale), ``delivery`` (the supplier's file), ``reads``,
``verification``, ``stocktake`` (with ``takes`` and ``counting``), ``day`` (closing,
the day report, the export). Other areas use the names exported here only.
"""

from __future__ import annotations

from hallterm.services.stock import day as day
from hallterm.services.stock import review_records as review_records
from hallterm.services.stock import stocktake as stocktake
from hallterm.services.stock.checks import (
    CheckedLine,
    LineIn,
    Scanned,
    SerialPlace,
    check_line,
    clean_serial,
    may_read,
    quantity_at,
    scan,
)
from hallterm.services.stock.delivery import check_delivery_csv, parse_delivery_csv
from hallterm.services.stock.ledger import Document, Move, write_moves
from hallterm.services.stock.movements import (
    check_issue,
    check_move,
    check_place,
    check_receive,
    issue,
    receive,
    record_sale_movements,
    retire_sold_serial,
    return_from_counter,
    reverse_sale,
    reverse_sale_movements,
    sell,
    write_off,
)
from hallterm.services.stock.places import (
    DAMAGED,
    FOUND,
    KINDS,
    LOST,
    PLACE_LABELS,
    RETURNED,
    SOLD,
    SOURCES,
    SUPPLIER,
    TERMINAL,
    WAREHOUSE,
    WHERE_NOW,
    WRITE_OFF_PLACES,
    counter_of,
    counter_place,
    is_counter,
    is_holding,
    is_sold,
    kind_label,
    parse_place,
    place_label,
    place_order,
    where_now,
)
from hallterm.services.stock.reads import (
    BalanceRow,
    Custody,
    CustodyLine,
    HistoryRow,
    PlaceTotal,
    SerialHistory,
    StockReport,
    balances,
    custody,
    documents,
    history,
    serial_place,
    serials_at,
    serials_in,
)
from hallterm.services.stock.verification import (
    StocktakeBlocker,
    VerifyReport,
    blockers,
    verify,
)

TABLES: tuple[str, ...] = ("stock_document", "stock_move", "stock_balance", "stock_serial",
                           "stocktake", "stocktake_line")

__all__ = [
    "DAMAGED",
    "FOUND",
    "KINDS",
    "LOST",
    "PLACE_LABELS",
    "RETURNED",
    "SOLD",
    "SOURCES",
    "SUPPLIER",
    "TABLES",
    "TERMINAL",
    "WAREHOUSE",
    "WHERE_NOW",
    "WRITE_OFF_PLACES",
    "BalanceRow",
    "CheckedLine",
    "Custody",
    "CustodyLine",
    "Document",
    "HistoryRow",
    "LineIn",
    "Move",
    "PlaceTotal",
    "Scanned",
    "SerialHistory",
    "SerialPlace",
    "StockReport",
    "StocktakeBlocker",
    "VerifyReport",
    "balances",
    "blockers",
    "check_delivery_csv",
    "check_issue",
    "check_line",
    "check_move",
    "check_place",
    "check_receive",
    "clean_serial",
    "counter_of",
    "counter_place",
    "custody",
    "day",
    "documents",
    "history",
    "is_counter",
    "is_holding",
    "is_sold",
    "issue",
    "kind_label",
    "may_read",
    "parse_delivery_csv",
    "parse_place",
    "place_label",
    "place_order",
    "quantity_at",
    "receive",
    "record_sale_movements",
    "retire_sold_serial",
    "return_from_counter",
    "reverse_sale",
    "reverse_sale_movements",
    "scan",
    "sell",
    "serial_place",
    "serials_at",
    "serials_in",
    "stocktake",
    "verify",
    "where_now",
    "write_moves",
    "write_off",
]
