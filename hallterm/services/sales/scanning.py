"""Scanning at the sales counter: what a code is here, and whether the counter holds it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hallterm.clock import utc_text
from hallterm.context import Ctx
from hallterm.errors import BadInput, Refused
from hallterm.i18n import _, get_language
from hallterm.permissions import require
from hallterm.services import stock
from hallterm.services.queue import check_early
from hallterm.services.sales.cart import CartLine, line_from_item
from hallterm.store import execute


# -- scanning ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    """An item offered instead (an alternative or a search hit), with what the counter holds."""

    line: CartLine
    available: int | None  # units in this counter's custody (None: a service)
    serialised: bool


@dataclass(frozen=True)
class Scanned:
    """What a scanned or typed code is at this counter.

    ``line`` is set when the item can go on the cart (a serialised item still
    needs its serial); otherwise ``problem`` says why not (not offered, out of
    stock, unknown) and ``options`` lists the alternatives or, for text that is
    no code, the items whose name matches (主动介绍替代性业务).
    """

    code: str
    line: CartLine | None
    serialised: bool = False
    available: int | None = None
    problem: str | None = None
    options: tuple[Option, ...] = ()
    serials: tuple[str, ...] = ()  # a serialised item's serials in this counter's custody


def _available(session, sku: str, counter: int) -> int:
    """Units of ``sku`` in ``counter``'s custody (the stock ledger's count)."""
    return stock.quantity_at(session, sku=sku, place=stock.counter_place(counter))


def _option(session, item, counter: int) -> Option:
    avail = _available(session, item.sku, counter) if item.stocked else None
    return Option(line_from_item(item), avail, item.serialised)


def scan(ctx: Ctx, *, counter: int, code: str, in_cart: dict[str, int] | None = None
         ) -> Scanned:
    """Look a scanned barcode / SKU (or a name) up for this counter's cart (one short read).

    ``in_cart`` is how many of each SKU the cart already holds (the stock check).
    """
    require(ctx.actor, "sale.sell")
    from hallterm.services.catalog import find_item, offered_matching

    text = (code or "").strip()
    if not text:
        raise BadInput(_("Scan a barcode or type a SKU or a name."))
    with ctx.store.read() as session:
        check_early(session, counter, ctx.actor)  # not this clerk's counter: say so now
        item = find_item(session, text)
        if item is None or not item.active:
            hits = tuple(_option(session, found, counter)
                         for found in offered_matching(session, text, limit=9))
            problem: str | None = (
                _("No item matches {text}.").format(text=text) if not hits
                else _("Choose one of the items matching {text}.").format(text=text))
            return Scanned(text, None, problem=problem, options=hits)
        line = line_from_item(item)
        available = _available(session, item.sku, counter) if item.stocked else None
        problem = None
        if not item.offered:
            problem = _("{name} is not offered in this hall.").format(name=item.name())
        elif item.kind == "plan":  # its first payment is a service order's (services.orders)
            problem = _("{name} is a plan: take it with a service order (new line or plan "
                        "change).").format(name=item.name())
        elif available is not None and available - (in_cart or {}).get(item.sku, 0) < 1:
            problem = _("{name} is out of stock at this counter.").format(name=item.name())
        options: tuple[Option, ...] = ()
        if problem:
            alts = [find_item(session, alt) for alt in item.alternatives]
            options = tuple(_option(session, a, counter) for a in alts
                            if a is not None and a.active and a.offered)
            if not options:
                problem += " " + _("The catalog lists no alternative.")
        serials: tuple[str, ...] = ()
        if item.serialised and not problem:
            # Serials held for a cart on another terminal are not offered.
            held = {r.serial for r in execute(
                session, "SELECT serial FROM cart_hold WHERE expires_at > :now AND "
                "terminal != :t", {"now": utc_text(ctx.now()), "t": ctx.terminal}).all()}
            serials = tuple(stock.serials_in(session, place=stock.counter_place(counter),
                                             sku=item.sku, skip=held, limit=9))
        return Scanned(text, None if problem else line, item.serialised, available, problem,
                       options, serials)


def check_cart(ctx: Ctx, *, counter: int, lines: Sequence[CartLine]) -> None:
    """Check a cart as a line is added or its quantity changed: every stocked item's
    quantity against this counter's custody, so the clerk hears it now, not at payment.

    Refuses (``Refused``) naming the first item the counter does not hold enough of.
    """
    require(ctx.actor, "sale.sell")
    from hallterm.services.catalog import find_item

    wanted: dict[str, int] = {}
    names: dict[str, CartLine] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
        names.setdefault(line.sku, line)
    with ctx.store.read() as session:
        for sku, quantity in wanted.items():
            item = find_item(session, sku)
            if item is None or not item.stocked:
                continue
            have = _available(session, sku, counter)
            if quantity > have:
                raise Refused(_("Counter {n} holds only {have} of {name}; the cart would have "
                                "{want}.").format(n=counter, have=have, want=quantity,
                                                  name=names[sku].name(get_language())))
