"""The service orders area (业务受理): new lines, plan changes, SIM replacement,
cancellation and port-out enquiries, inside the customer's visit.

An order belongs to a visit, gets a gapless number per business day
(``O<yyyymmdd>-<nnnn>``), is done by the counter's keeper, and names its customers
by id (``services.customers`` checks and keeps the identities; only masked values
and ids reach an audit row). A new line holds a number from the hall's pool, takes
the SIM from the counter's custody and its first payment through the sales area
(``sales.record_sale``, in the order's own transaction: the SIM leaves custody in
the sale's stock document); the 一证五号 cap is the hall setting ``lines_per_id``.
Completed orders' forms are filed in numbered archive boxes (``archive_box_size``).

Modules: ``rules`` (pure), ``people`` (the 一证五号 count; the identities are checked by
``customers.identify_parties``), ``pool``, ``rows`` (the order rows inside a write),
``intake`` (new line, pay, withdraw), ``changes`` (plan change, SIM replacement),
``leaving`` (cancellation, port-out, retention), ``filing`` (archive boxes, paperwork),
``reads``, ``day`` (Z section, export, handover, blocker), ``review_records`` (the
audit review's source ``order``). Other areas, the CLI and the
screens use the names below only.
"""

from __future__ import annotations

from hallterm.services.orders import day as day
from hallterm.services.orders import review_records as review_records
from hallterm.services.orders.changes import plan_change, sim_replace
from hallterm.services.orders.filing import (
    ArchiveBox,
    ArchiveDay,
    Filed,
    archive,
    set_paperwork,
)
from hallterm.services.orders.intake import check_new_line, new_line, pay, withdraw
from hallterm.services.orders.leaving import cancel_line, port_out
from hallterm.services.orders.pool import PoolAdded, add_numbers, free_numbers
from hallterm.services.orders.reads import (
    LineView,
    OrderView,
    RetentionView,
    amount_due,
    get_line,
    get_order,
    lines_of,
    list_orders,
    order_exists,
)
from hallterm.services.orders.rows import LineNow, OrderDone
from hallterm.services.orders.rules import (
    KINDS,
    OUTCOMES,
    PAPERWORK,
    REQUIRED_PAPERWORK,
    STATES,
    Paperwork,
    Retention,
    check_mobile,
    check_retention,
    effective_text,
    kind_label,
    missing_labels,
    plan_starts,
    state_label,
)

TABLES: tuple[str, ...] = ("number_pool", "service_line", "service_order",
                           "retention_attempt", "archive_position")

__all__ = [
    "KINDS",
    "OUTCOMES",
    "PAPERWORK",
    "REQUIRED_PAPERWORK",
    "STATES",
    "TABLES",
    "ArchiveBox",
    "ArchiveDay",
    "Filed",
    "LineNow",
    "LineView",
    "OrderDone",
    "OrderView",
    "Paperwork",
    "PoolAdded",
    "Retention",
    "RetentionView",
    "add_numbers",
    "amount_due",
    "archive",
    "cancel_line",
    "check_mobile",
    "check_new_line",
    "check_retention",
    "day",
    "effective_text",
    "free_numbers",
    "get_line",
    "get_order",
    "kind_label",
    "lines_of",
    "list_orders",
    "missing_labels",
    "new_line",
    "order_exists",
    "pay",
    "plan_change",
    "plan_starts",
    "port_out",
    "review_records",
    "set_paperwork",
    "sim_replace",
    "state_label",
    "withdraw",
]
