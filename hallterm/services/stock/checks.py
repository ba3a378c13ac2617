"""Checking stock lines before anything is written (库存校验).

All of a document's lines are checked before anything is written, and a bad line
refuses the document with every bad line listed. Screens check each scanned line
as it is entered (``check_line``, ``scan``) and keep the document as entered while
a refused line is shown with its reason; nothing is written until it is posted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from hallterm.catalog import check_serial
from hallterm.context import Ctx
from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.parsing import clean_serial
from hallterm.permissions import require
from hallterm.services.catalog import Item, find_item, item_in
from hallterm.services.stock.places import RETURNED, SOURCES, place_label
from hallterm.store import execute


# -- what goes in, what comes out --------------------------------------------------------
@dataclass(frozen=True)
class LineIn:
    """One line of a movement as entered: an item (SKU or barcode) and a serial or quantity.

    ``sku`` may be empty when a serial already in the ledger is moved (the ledger knows
    its item). ``ref`` names the line in messages (e.g. the CSV line number).
    """

    sku: str = ""
    serial: str | None = None
    quantity: int = 1
    ref: str | None = None


@dataclass(frozen=True)
class CheckedLine:
    """A line that passed its checks: the item, the normalised serial, the quantity."""

    sku: str
    name: str
    kind: str
    serial: str | None
    quantity: int
    unit_value_fen: int



# -- checks ------------------------------------------------------------------------------
class _Items:
    """Catalog items of one session, cached by code (by the write's transaction when
    ``unit`` is given: a sale has read them already)."""

    def __init__(self, session, unit=None) -> None:
        self.session = session
        self.unit = unit
        self.cache: dict[str, Item | None] = {}

    def get(self, code: str) -> Item | None:
        if code not in self.cache:
            self.cache[code] = (find_item(self.session, code) if self.unit is None
                                else item_in(self.unit, code))
        return self.cache[code]


class SerialPlace(NamedTuple):
    """Where the ledger has a serial: its item and its place."""

    sku: str
    place: str


def _serial_places(session, serials: Sequence[str]) -> dict[str, SerialPlace]:
    """serial -> (sku, place) for those of ``serials`` the ledger knows."""
    out: dict[str, SerialPlace] = {}
    serials = list(dict.fromkeys(s for s in serials if s))
    for start in range(0, len(serials), 500):
        chunk = serials[start:start + 500]
        marks = ", ".join(f":s{i}" for i in range(len(chunk)))
        rows = execute(session, f"SELECT serial, sku, place FROM stock_serial WHERE serial IN "
                       f"({marks})", {f"s{i}": s for i, s in enumerate(chunk)}).all()
        out.update({r.serial: SerialPlace(r.sku, r.place) for r in rows})
    return out


def quantity_at(session, *, sku: str, place: str) -> int:
    """How many of ``sku`` the ledger keeps at ``place`` (0 when none)."""
    value = execute(session, "SELECT quantity FROM stock_balance WHERE sku = :s AND place = :p",
                    {"s": sku, "p": place}).scalar()
    return int(value or 0)


def validate(session, from_place: str, lines: Sequence[LineIn], *,
              pending: Sequence[LineIn] = (), unit=None
              ) -> tuple[list[CheckedLine], list[tuple[int, str]]]:
    """Check lines moving out of ``from_place``; returns (checked, [(index, reason)]).

    ``pending`` are lines already on the document (checked before): a serial on
    them is a duplicate, their quantities count against the balance. ``unit``: the
    write (or check) it runs in, whose catalog reads it shares.
    """
    items = _Items(session, unit)
    receiving = from_place in SOURCES
    known = _serial_places(session, [clean_serial(x.serial) for x in (*pending, *lines)])
    seen = {clean_serial(p.serial) for p in pending if p.serial}
    wanted: dict[str, int] = defaultdict(int)
    for p in pending:
        if not p.serial and p.sku:
            item = items.get(p.sku)
            if item is not None:
                wanted[item.sku] += p.quantity
    checked: list[CheckedLine] = []
    errors: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        try:
            checked.append(_check_one(line, items, known, seen, wanted, session, from_place,
                                      receiving))
        except BadInput as exc:
            errors.append((index, str(exc)))
    return checked, errors


def _check_one(line: LineIn, items: _Items, known, seen, wanted, session, from_place,
               receiving) -> CheckedLine:
    serial_raw = clean_serial(line.serial)
    item = items.get(line.sku.strip()) if line.sku and line.sku.strip() else None
    if line.sku and line.sku.strip() and item is None:
        raise BadInput(_("unknown SKU or barcode {code}").format(code=line.sku.strip()))
    if item is None:
        if not serial_raw:
            raise BadInput(_("give an item (SKU or barcode) or a serial"))
        if serial_raw not in known:
            raise BadInput(_("serial {serial} is not in the ledger; choose its item first"
                             ).format(serial=serial_raw))
        item = items.get(known[serial_raw].sku)
        if item is None:
            raise BadInput(_("unknown SKU {code}").format(code=known[serial_raw].sku))
    if not item.stocked:
        raise BadInput(_("{sku} is a service and has no stock").format(sku=item.sku))
    if receiving and not item.active:
        raise BadInput(_("{sku} is no longer in the catalog").format(sku=item.sku))
    if item.serialised:
        if line.quantity != 1:
            raise BadInput(_("{sku} is counted by serial: one serial per line").format(
                sku=item.sku))
        serial = check_serial(serial_raw, kind=item.kind, serial_type=item.serial_type)
        if serial in seen:
            raise BadInput(_("serial {serial} is already on this document").format(
                serial=serial))
        where = known.get(serial)
        if receiving:
            if where is not None and where.place != RETURNED:
                raise BadInput(_("serial {serial} is already in the ledger ({place})").format(
                    serial=serial, place=place_label(where.place)))
        else:
            if where is None:
                raise BadInput(_("serial {serial} is not in stock").format(serial=serial))
            if where.sku != item.sku:
                raise BadInput(_("serial {serial} belongs to {sku}").format(
                    serial=serial, sku=where.sku))
            if where.place != from_place:
                raise BadInput(_("serial {serial} is at {place}, not at {source}").format(
                    serial=serial, place=place_label(where.place), source=place_label(from_place)))
        seen.add(serial)
        return CheckedLine(item.sku, item.name(), item.kind, serial, 1, item.unit_value_fen)
    if serial_raw:
        raise BadInput(_("{sku} has no serial numbers; enter a quantity").format(sku=item.sku))
    if line.quantity < 1 or line.quantity > 100_000:
        raise BadInput(_("a quantity is 1-100000").format())
    if not receiving:
        have = quantity_at(session, sku=item.sku, place=from_place)
        if wanted[item.sku] + line.quantity > have:
            raise BadInput(_("only {have} of {sku} at {place}").format(
                have=have - wanted[item.sku], sku=item.sku, place=place_label(from_place)))
    wanted[item.sku] += line.quantity
    return CheckedLine(item.sku, item.name(), item.kind, None, line.quantity,
                       item.unit_value_fen)


def line_name(index: int, line: LineIn) -> str:
    ref = line.ref or str(index + 1)
    what = line.serial or line.sku
    return _("line {ref} ({what})").format(ref=ref, what=what) if what else _(
        "line {ref}").format(ref=ref)


def refuse_bad_lines(lines: Sequence[LineIn], errors: list[tuple[int, str]]) -> None:
    if errors:
        detail = "\n  ".join(f"{line_name(i, lines[i])}: {reason}" for i, reason in errors)
        raise BadInput(_("{count} bad line(s); nothing was written:").format(
            count=len(errors)) + "\n  " + detail)


def check_line(ctx: Ctx, *, from_place: str, line: LineIn,
               pending: Sequence[LineIn] = ()) -> CheckedLine:
    """Check one scanned line before it joins a document (raises ``BadInput`` with why).

    ``from_place`` is ``supplier`` for a receipt; ``pending`` are the lines already
    on the document.
    """
    may_read(ctx)
    with ctx.store.read() as session:
        checked, errors = validate(session, from_place, [line], pending=pending)
    if errors:
        raise BadInput(errors[0][1])
    return checked[0]


def may_read(ctx: Ctx) -> None:
    """Reads need ``stock.read`` when someone is signed in (screens).

    The CLI's read commands run without sign-in, like ``audit list``: whoever holds
    the store file can read it anyway.
    """
    if ctx.actor is not None:
        require(ctx.actor, "stock.read")


@dataclass(frozen=True)
class Scanned:
    """What one scan on a document form was: an item chosen, or a checked line."""

    item: Item | None = None  # an item code was scanned: it is now the current item
    line: LineIn | None = None  # the line to add to the document (as entered)
    checked: CheckedLine | None = None


def scan(ctx: Ctx, *, from_place: str, text: str, current_sku: str | None = None,
         pending: Sequence[LineIn] = ()) -> Scanned:
    """Interpret one scan (a barcode scanner types and presses Enter) on a document form.

    An item's SKU or barcode chooses the current item; a number adds that quantity
    of the current counted item; anything else is a serial (of the current item on a
    receipt; of whatever the ledger says elsewhere). Raises ``BadInput`` with the
    reason a line is refused.
    """
    may_read(ctx)
    text = (text or "").strip()
    if not text:
        raise BadInput(_("Nothing was scanned."))
    with ctx.store.read() as session:
        current = find_item(session, current_sku) if current_sku else None
        if (current is not None and current.kind == "counted" and text.isdigit()
                and len(text) <= 6):
            line = LineIn(current.sku, None, int(text))
        else:
            item = find_item(session, text)
            if item is not None:
                if not item.stocked:
                    raise BadInput(_("{sku} is a service and has no stock").format(sku=item.sku))
                return Scanned(item=item)
            if current is not None and current.kind == "counted" and text.isdigit():
                # A long number that is no barcode, typed for a counted item: a quantity.
                raise BadInput(_("a quantity is 1-100000").format())
            if from_place in SOURCES:
                if current is None:
                    raise BadInput(_("Scan the item's barcode first, then its serials."))
                line = LineIn(current.sku, text)
            else:
                line = LineIn("", text)
        checked, errors = validate(session, from_place, [line], pending=pending)
    if errors:
        raise BadInput(errors[0][1])
    return Scanned(line=LineIn(checked[0].sku, checked[0].serial, checked[0].quantity),
                   checked=checked[0])
