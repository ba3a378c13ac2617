"""Serial holds (reservations): a scanned serial is held for its cart so no other
terminal sells it meanwhile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hallterm.clock import utc_text
from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, NotFound, Refused
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services import stock
from hallterm.services.queue import check_early
from hallterm.services.sales.cart import HOLD_MINUTES, CartLine, line_from_item
from hallterm.store import execute


# -- serial holds (reservations) ---------------------------------------------------------
@dataclass(frozen=True)
class Held:
    """A serial checked and held for a cart, with its catalog item."""

    serial: str
    line: CartLine


def serial_problem(session, *, counter: int, sku: str, serial: str, cart_id: str | None,
                    now: datetime, terminal: str) -> str | None:
    """Why ``serial`` cannot go on this cart, or ``None`` when it can."""
    where = stock.serial_place(session, serial)
    if where is None:
        return _("Serial {serial} is not in this hall's stock.").format(serial=serial)
    if where.sku != sku:
        return _("Serial {serial} belongs to {sku}, not {want}.").format(
            serial=serial, sku=where.sku, want=sku)
    if stock.is_sold(where.place):
        return _("Serial {serial} is already sold.").format(serial=serial)
    if where.place != stock.counter_place(counter):
        return _("Serial {serial} is not in this counter's custody (it is at {place}).").format(
            serial=serial, place=stock.place_label(where.place))
    hold = execute(session, "SELECT cart_id, terminal, counter FROM cart_hold WHERE serial = :s "
                   "AND expires_at > :now", {"s": serial, "now": utc_text(now)}).first()
    # A hold of this very terminal (a cart left behind by a restart) is no conflict.
    if hold is not None and hold.cart_id != cart_id and hold.terminal != terminal:
        return _("Serial {serial} is in an unfinished sale on terminal {terminal}.").format(
            serial=serial, terminal=hold.terminal)
    return None


def hold_serial(ctx: Ctx, *, counter: int, code: str, serial: str, cart_id: str) -> Held:
    """Check a scanned serial (in this counter's custody, not sold, not held elsewhere) and hold it.

    ``code`` is the item's SKU or barcode. The hold expires after ``HOLD_MINUTES``.
    """
    clerk = require(ctx.actor, "sale.sell")
    text = stock.clean_serial(serial)
    if not text:
        raise BadInput(_("Scan the serial number."))

    def work(uow: UnitOfWork) -> Held:
        from hallterm.catalog import check_serial
        from hallterm.services.catalog import find_item

        check_early(uow.session, counter, ctx.actor)
        item = find_item(uow.session, code)
        if item is None:
            raise NotFound(_("No catalog item with SKU or barcode {code}.").format(code=code))
        if not item.serialised:
            raise BadInput(_("{sku} has no serial numbers.").format(sku=item.sku))
        number = check_serial(text, kind=item.kind, serial_type=item.serial_type)
        problem = serial_problem(uow.session, counter=counter, sku=item.sku, serial=number,
                                  cart_id=cart_id, now=uow.now, terminal=ctx.terminal)
        if problem:
            raise Refused(problem)
        expires = uow.now + timedelta(minutes=HOLD_MINUTES)
        uow.sql("INSERT INTO cart_hold (serial, sku, cart_id, counter, terminal, actor, "
                "expires_at) VALUES (:s, :sku, :c, :n, :t, :a, :e) ON CONFLICT(serial) DO "
                "UPDATE SET sku = :sku, cart_id = :c, counter = :n, terminal = :t, actor = :a, "
                "expires_at = :e",
                {"s": number, "sku": item.sku, "c": cart_id, "n": counter,
                 "t": ctx.terminal, "a": clerk.empno, "e": utc_text(expires)})
        uow.audit("sale.hold_serial", entity="serial", entity_id=number,
                  payload={"sku": item.sku, "cart": cart_id, "counter": counter})
        return Held(number, line_from_item(item, serial=number))

    return run_write(ctx, "sale.hold_serial", work)


def release_holds(ctx: Ctx, *, cart_id: str, serials: Sequence[str] | None = None) -> int:
    """Release a cart's holds (all, or ``serials``): a line removed, a cart cleared."""
    require(ctx.actor, "sale.sell")

    def work(uow: UnitOfWork) -> int:
        if serials is None:
            rows = uow.sql("DELETE FROM cart_hold WHERE cart_id = :c RETURNING serial",
                           {"c": cart_id}).all()
        else:
            rows = []
            for s in serials:
                rows += uow.sql("DELETE FROM cart_hold WHERE cart_id = :c AND serial = :s "
                                "RETURNING serial", {"c": cart_id, "s": stock.clean_serial(s)}).all()
        uow.audit("sale.release_serials", entity="cart", entity_id=cart_id,
                  payload={"serials": [r.serial for r in rows]})
        return len(rows)

    return run_write(ctx, "sale.release_serials", work)
