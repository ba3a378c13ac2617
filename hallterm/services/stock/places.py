"""Where stock is: the places of the ledger, their names, and how a clerk types them.

Places: ``warehouse`` (the hall's store room), ``counter:N`` (a counter's custody),
and the terminal places ``sold``, ``damaged``, ``lost``, ``returned_to_supplier``.
Goods enter from ``supplier`` (a receipt) or ``found`` (a stocktake gain); those
two are sources, not places, and have no balance. Only this module spells a place:
other areas ask for one (``counter_place(2)``, ``SOLD``, ``counter_of(place)``).
"""

from __future__ import annotations

from hallterm.errors import BadInput
from hallterm.i18n import N_, _

WAREHOUSE = "warehouse"
SOLD = "sold"
DAMAGED = "damaged"
LOST = "lost"
RETURNED = "returned_to_supplier"
SUPPLIER = "supplier"
FOUND = "found"
TERMINAL = (SOLD, DAMAGED, LOST, RETURNED)
WRITE_OFF_PLACES = (DAMAGED, LOST, RETURNED)
SOURCES = (SUPPLIER, FOUND)
_COUNTER = "counter:"

KINDS: dict[str, str] = {
    "receive": N_("Receipt"),
    "issue": N_("Issue to counter"),
    "return": N_("Return from counter"),
    "write_off": N_("Write-off"),
    "sale": N_("Sale"),
    "sale_reversal": N_("Sale void/refund"),
    "adjust": N_("Stocktake adjustment"),
    "retire": N_("SIM retired (replaced)"),
}
PLACE_LABELS: dict[str, str] = {
    WAREHOUSE: N_("Warehouse"),
    SOLD: N_("Sold"),
    DAMAGED: N_("Damaged"),
    LOST: N_("Lost"),
    RETURNED: N_("Returned to supplier"),
    SUPPLIER: N_("Supplier"),
    FOUND: N_("Found in stocktake"),
}


def place_label(place: str) -> str:
    """A place in the current language (``Counter 2`` for ``counter:2``)."""
    if is_counter(place):
        return _("Counter {n}").format(n=place.split(":", 1)[1])
    return _(PLACE_LABELS.get(place, place))


WHERE_NOW: dict[str, str] = {
    SOLD: N_("{serial} ({sku}) was sold."),
    DAMAGED: N_("{serial} ({sku}) was written off as damaged."),
    LOST: N_("{serial} ({sku}) was written off as lost."),
    RETURNED: N_("{serial} ({sku}) was returned to the supplier."),
}


def where_now(serial: str, sku: str, place: str) -> str:
    """Where a serial is, as a sentence ("is now at Counter 2", "was sold")."""
    text = WHERE_NOW.get(place)
    if text is not None:
        return _(text).format(serial=serial, sku=sku)
    return _("{serial} ({sku}) is now at {place}.").format(serial=serial, sku=sku,
                                                            place=place_label(place))


def kind_label(kind: str) -> str:
    """A document kind in the current language."""
    return _(KINDS.get(kind, kind))


def counter_place(counter: int) -> str:
    """The place of ``counter``'s custody (``counter:2``)."""
    return f"{_COUNTER}{int(counter)}"


def is_counter(place: str) -> bool:
    """Whether ``place`` is a counter's custody."""
    return place.startswith(_COUNTER)


def counter_of(place: str) -> int | None:
    """The counter number of a counter's place (``2`` for ``counter:2``), else ``None``."""
    return int(place.split(":", 1)[1]) if is_counter(place) else None


def is_sold(place: str) -> bool:
    """Whether ``place`` is where sold goods are (they left the hall with a customer)."""
    return place == SOLD


def parse_place(text: str) -> str:
    """``warehouse``, ``counter:2`` (or ``counter 2``, ``c2``) or a terminal place."""
    raw = (text or "").strip().lower().replace(" ", ":")
    if raw in (WAREHOUSE, *TERMINAL):
        return raw
    number = raw.removeprefix("counter").removeprefix("c").lstrip(":")
    if number.isdigit() and 1 <= int(number) <= 999:
        return counter_place(int(number))
    raise BadInput(_("Unknown place {place}: warehouse, counter:N, sold, damaged, lost or "
                     "returned_to_supplier.").format(place=text))


def place_order(place: str) -> tuple[int, int, str]:
    """Sort key: the warehouse, then counters by number, then the other places."""
    if place == WAREHOUSE:
        return (0, 0, place)
    number = counter_of(place)
    if number is not None:
        return (1, number, place)
    return (2, 0, place)


def is_holding(place: str) -> bool:
    """A place where stock is held (and counted): the warehouse or a counter."""
    return place == WAREHOUSE or is_counter(place)
