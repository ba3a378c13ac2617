"""The 一证五号 count: the lines an ID holds with this operator.

Who an order is for (实名制: the holder, an agent 代办, a minor's guardian) is checked and
identified by ``services.customers`` (``identify_parties``) inside the order's write;
only customer ids reach this area's rows and audit payloads.
"""

from __future__ import annotations

from hallterm.context import ReadUnit
from hallterm.errors import Refused
from hallterm.i18n import ngettext


def lines_held(unit: ReadUnit, customer_id: int) -> int:
    """The lines a customer holds with this operator: active lines and new lines still
    open (a number held for them), the 一证五号 count."""
    active = unit.sql("SELECT COUNT(*) FROM service_line WHERE customer_id = :c AND "
                      "state = 'active'", {"c": customer_id}).scalar() or 0
    opening = unit.sql("SELECT COUNT(*) FROM service_order WHERE state = 'open' AND "
                       "kind = 'new_line' AND customer_id = :c", {"c": customer_id}
                       ).scalar() or 0
    return int(active) + int(opening)


def refuse_over_cap(unit: ReadUnit, customer_id: int, cap: int) -> int:
    """Refuse a new line when the ID already holds ``cap`` lines (一证五号); the count."""
    held = lines_held(unit, customer_id)
    if held >= cap:
        raise Refused(ngettext(
            "This ID already holds {held} line with this operator; the limit is {cap} (一证五号).",
            "This ID already holds {held} lines with this operator; the limit is {cap} (一证五号).",
            held).format(held=held, cap=cap), field="id_number")
    return held
