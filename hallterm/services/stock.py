"""The stock ledger (库存台账): receive, issue, return, write off, sell, verify, history.

Places: ``warehouse`` (the hall's store room), ``counter:N`` (a counter's custody),
and the terminal places ``sold``, ``damaged``, ``lost``, ``returned_to_supplier``.
Goods enter from ``supplier`` (a receipt) or ``found`` (a stocktake gain); those
two are sources, not places, and have no balance.

Every movement is one numbered document (gapless, ``stockdoc:<year>``) whose lines
are ledger rows, written in one transaction with the balances and serial places
it changes; all of a document's lines are checked before anything is written, and
a bad line refuses the document with every bad line listed. Screens check each
scanned line as it is entered (``check_line``) and keep the document as entered
while a refused line is shown with its reason; nothing is written until it is
posted. Valuable cards (有价卡) move only with a second person's PIN (双人复核).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from hallterm.catalog import check_serial
from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import ApprovalRequired, BadInput, Forbidden, NotFound, Refused
from hallterm.i18n import N_, _
from hallterm.models.types import utc_text
from hallterm.permissions import APPROVERS, COUNTER_ROLES, MANAGERS, require
from hallterm.services.catalog import Item, find_item
from hallterm.store import execute

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

KINDS: dict[str, str] = {
    "receive": N_("Receipt"),
    "issue": N_("Issue to counter"),
    "return": N_("Return from counter"),
    "write_off": N_("Write-off"),
    "sale": N_("Sale"),
    "sale_reversal": N_("Sale void/refund"),
    "adjust": N_("Stocktake adjustment"),
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
    if place.startswith("counter:"):
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
    return f"counter:{int(counter)}"


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


def is_holding(place: str) -> bool:
    """A place where stock is held (and counted): the warehouse or a counter."""
    return place == WAREHOUSE or place.startswith("counter:")


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


@dataclass(frozen=True)
class Document:
    """A posted stock document."""

    id: int
    number: str
    kind: str
    business_day: date
    at: datetime
    actor: str
    confirmer: str | None
    approver: str | None
    from_place: str | None
    to_place: str | None
    reference: str | None
    supplier: str | None
    reason: str | None
    lines: int
    quantity: int
    value_fen: int


@dataclass(frozen=True)
class Move:
    """One ledger row about to be written."""

    sku: str
    serial: str | None
    quantity: int
    from_place: str
    to_place: str
    unit_value_fen: int
    kind: str = ""


# -- checks ------------------------------------------------------------------------------
class _Items:
    """Catalog items of one session, cached by code."""

    def __init__(self, session) -> None:
        self.session = session
        self.cache: dict[str, Item | None] = {}

    def get(self, code: str) -> Item | None:
        if code not in self.cache:
            self.cache[code] = find_item(self.session, code)
        return self.cache[code]


def _serial_places(session, serials: Sequence[str]) -> dict[str, tuple[str, str]]:
    """serial -> (sku, place) for those of ``serials`` the ledger knows."""
    out: dict[str, tuple[str, str]] = {}
    serials = list(dict.fromkeys(s for s in serials if s))
    for start in range(0, len(serials), 500):
        chunk = serials[start:start + 500]
        marks = ", ".join(f":s{i}" for i in range(len(chunk)))
        rows = execute(session, f"SELECT serial, sku, place FROM stock_serial WHERE serial IN "
                       f"({marks})", {f"s{i}": s for i, s in enumerate(chunk)}).all()
        out.update({r[0]: (r[1], r[2]) for r in rows})
    return out


def _balance(session, sku: str, place: str) -> int:
    value = execute(session, "SELECT quantity FROM stock_balance WHERE sku = :s AND place = :p",
                    {"s": sku, "p": place}).scalar()
    return int(value or 0)


def _clean_serial(text: str | None) -> str:
    return (text or "").strip().replace(" ", "").replace("-", "").upper()


def _validate(session, from_place: str, lines: Sequence[LineIn], *,
              pending: Sequence[LineIn] = ()) -> tuple[list[CheckedLine], list[tuple[int, str]]]:
    """Check lines moving out of ``from_place``; returns (checked, [(index, reason)]).

    ``pending`` are lines already on the document (checked before): a serial on
    them is a duplicate, their quantities count against the balance.
    """
    items = _Items(session)
    receiving = from_place in SOURCES
    known = _serial_places(session, [_clean_serial(x.serial) for x in (*pending, *lines)])
    seen = {_clean_serial(p.serial) for p in pending if p.serial}
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
    serial_raw = _clean_serial(line.serial)
    item = items.get(line.sku.strip()) if line.sku and line.sku.strip() else None
    if line.sku and line.sku.strip() and item is None:
        raise BadInput(_("unknown SKU or barcode {code}").format(code=line.sku.strip()))
    if item is None:
        if not serial_raw:
            raise BadInput(_("give an item (SKU or barcode) or a serial"))
        if serial_raw not in known:
            raise BadInput(_("serial {serial} is not in the ledger; choose its item first"
                             ).format(serial=serial_raw))
        item = items.get(known[serial_raw][0])
        if item is None:
            raise BadInput(_("unknown SKU {code}").format(code=known[serial_raw][0]))
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
            if where is not None and where[1] != RETURNED:
                raise BadInput(_("serial {serial} is already in the ledger ({place})").format(
                    serial=serial, place=place_label(where[1])))
        else:
            if where is None:
                raise BadInput(_("serial {serial} is not in stock").format(serial=serial))
            if where[0] != item.sku:
                raise BadInput(_("serial {serial} belongs to {sku}").format(
                    serial=serial, sku=where[0]))
            if where[1] != from_place:
                raise BadInput(_("serial {serial} is at {place}, not at {source}").format(
                    serial=serial, place=place_label(where[1]), source=place_label(from_place)))
        seen.add(serial)
        return CheckedLine(item.sku, item.name(), item.kind, serial, 1, item.unit_value_fen)
    if serial_raw:
        raise BadInput(_("{sku} has no serial numbers; enter a quantity").format(sku=item.sku))
    if line.quantity < 1 or line.quantity > 100_000:
        raise BadInput(_("a quantity is 1-100000").format())
    if not receiving:
        have = _balance(session, item.sku, from_place)
        if wanted[item.sku] + line.quantity > have:
            raise BadInput(_("only {have} of {sku} at {place}").format(
                have=have - wanted[item.sku], sku=item.sku, place=place_label(from_place)))
    wanted[item.sku] += line.quantity
    return CheckedLine(item.sku, item.name(), item.kind, None, line.quantity,
                       item.unit_value_fen)


def _line_name(index: int, line: LineIn) -> str:
    ref = line.ref or str(index + 1)
    what = line.serial or line.sku
    return _("line {ref} ({what})").format(ref=ref, what=what) if what else _(
        "line {ref}").format(ref=ref)


def _refuse_bad_lines(lines: Sequence[LineIn], errors: list[tuple[int, str]]) -> None:
    if errors:
        detail = "\n  ".join(f"{_line_name(i, lines[i])}: {reason}" for i, reason in errors)
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
        checked, errors = _validate(session, from_place, [line], pending=pending)
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
            if from_place in SOURCES:
                if current is None:
                    raise BadInput(_("Scan the item's barcode first, then its serials."))
                line = LineIn(current.sku, text)
            else:
                line = LineIn("", text)
        checked, errors = _validate(session, from_place, [line], pending=pending)
    if errors:
        raise BadInput(errors[0][1])
    return Scanned(line=LineIn(checked[0].sku, checked[0].serial, checked[0].quantity),
                   checked=checked[0])


# -- people ------------------------------------------------------------------------------
def _check_second(actor: Actor | None, other: Actor | None, action: str) -> Actor:
    roles = APPROVERS[action]
    if other is None:
        raise ApprovalRequired(_("This needs a second person's PIN ({action}).").format(
            action=action))
    if actor is not None and other.id == actor.id:
        raise Forbidden(_("You cannot approve your own action; another person must."))
    if not other.roles & roles:
        raise Forbidden(_("{name} ({empno}) may not approve this ({action}).").format(
            name=other.name, empno=other.empno, action=action))
    return other


def _witness(ctx: Ctx, checked: Sequence[CheckedLine], witness: Actor | None,
             approver: Actor | None = None) -> Actor | None:
    """The two-person rule for valuable cards: the second person, or a refusal."""
    if not any(c.kind == "valuable_card" for c in checked):
        return witness
    if witness is None and approver is not None and approver.roles & APPROVERS[
            "stock.valuable_card"]:
        return approver
    if witness is None:
        raise ApprovalRequired(_("Valuable cards move only with a second person's PIN "
                                 "(双人复核)."))
    return _check_second(ctx.actor, witness, "stock.valuable_card")


# -- writing -----------------------------------------------------------------------------
def _frozen_places(uow: ReadUnit, places: set[str], *, except_stocktake: int | None = None
                   ) -> None:
    for place in sorted(p for p in places if is_holding(p)):
        row = uow.sql("SELECT number FROM stocktake WHERE place = :p AND state IN "
                      "('open', 'finished') AND id IS NOT :x",
                      {"p": place, "x": except_stocktake}).first()
        if row is not None:
            raise Refused(_("Stocktake {number} of {place} is in progress; nothing moves in "
                            "or out of it until it is posted or cancelled.").format(
                number=row[0], place=place_label(place)))


def _check_counter(uow: ReadUnit, place: str) -> None:
    if place.startswith("counter:"):
        number = int(place.split(":", 1)[1])
        if uow.sql("SELECT 1 FROM counter WHERE number = :n", {"n": number}).first() is None:
            raise BadInput(_("There is no counter {n}.").format(n=number))


def write_moves(uow: UnitOfWork, *, kind: str, moves: Sequence[Move],
                from_place: str | None, to_place: str | None, reference: str | None = None,
                supplier: str | None = None, reason: str | None = None,
                confirmer: Actor | None = None, approver: Actor | None = None,
                stocktake_id: int | None = None) -> Document:
    """Write one document and its ledger rows, balances and serial places (inside a write)."""
    day = uow.open_day()
    places = {p for m in moves for p in (m.from_place, m.to_place)}
    for place in places:
        _check_counter(uow, place)
    _frozen_places(uow, places, except_stocktake=stocktake_id)
    number = f"SD{day.year}-{uow.next_number(f'stockdoc:{day.year}'):06d}"
    at = utc_text(uow.now)
    actor = uow.actor.empno if uow.actor else "system"
    quantity = sum(m.quantity for m in moves)
    value = sum(m.quantity * m.unit_value_fen for m in moves)
    doc_id = uow.sql(
        "INSERT INTO stock_document (number, kind, business_day, at, actor, confirmer, approver, "
        "from_place, to_place, reference, supplier, reason, lines, quantity, value_fen) VALUES "
        "(:n, :k, :d, :at, :a, :c, :ap, :f, :t, :r, :s, :why, :l, :q, :v) RETURNING id",
        {"n": number, "k": kind, "d": day.isoformat(), "at": at, "a": actor,
         "c": confirmer.empno if confirmer else None,
         "ap": approver.empno if approver else None, "f": from_place, "t": to_place,
         "r": reference, "s": supplier, "why": reason, "l": len(moves), "q": quantity,
         "v": value}).scalar()
    uow.sql(
        "INSERT INTO stock_move (document_id, business_day, at, sku, serial, quantity, "
        "from_place, to_place, unit_value_fen) VALUES (:doc, :d, :at, :sku, :serial, :q, :f, "
        ":t, :v)",
        [{"doc": doc_id, "d": day.isoformat(), "at": at, "sku": m.sku, "serial": m.serial,
          "q": m.quantity, "f": m.from_place, "t": m.to_place, "v": m.unit_value_fen}
         for m in moves])
    if any(m.serial for m in moves):
        ids = dict(uow.sql("SELECT serial, id FROM stock_move WHERE document_id = :doc AND "
                           "serial IS NOT NULL", {"doc": doc_id}).all())
        uow.sql(
            "INSERT INTO stock_serial (serial, sku, place, last_move_id) VALUES (:s, :sku, :p, "
            ":m) ON CONFLICT(serial) DO UPDATE SET sku = excluded.sku, place = excluded.place, "
            "last_move_id = excluded.last_move_id",
            [{"s": m.serial, "sku": m.sku, "p": m.to_place, "m": ids[m.serial]}
             for m in moves if m.serial])
    delta: dict[tuple[str, str], int] = defaultdict(int)
    for m in moves:
        if m.from_place not in SOURCES:
            delta[(m.sku, m.from_place)] -= m.quantity
        delta[(m.sku, m.to_place)] += m.quantity
    for (sku, place), change in sorted(delta.items()):
        if change < 0:
            have = uow.sql("SELECT quantity FROM stock_balance WHERE sku = :s AND place = :p",
                           {"s": sku, "p": place}).scalar() or 0
            if have + change < 0:
                raise Refused(_("Only {have} of {sku} at {place}; a count never goes "
                                "negative.").format(have=have, sku=sku, place=place_label(place)))
            uow.sql("UPDATE stock_balance SET quantity = quantity + :q WHERE sku = :s AND "
                    "place = :p", {"s": sku, "p": place, "q": change})
        elif change:
            # Update, else insert (not an upsert): the store's trigger checks an
            # inserted balance against the ledger, and an upsert's insert half would
            # carry only the change.
            params = {"s": sku, "p": place, "q": change}
            if not uow.sql("UPDATE stock_balance SET quantity = quantity + :q WHERE sku = :s "
                           "AND place = :p", params).rowcount:
                uow.sql("INSERT INTO stock_balance (sku, place, quantity) VALUES (:s, :p, :q)",
                        params)
    doc = Document(doc_id, number, kind, day, uow.now, actor,
                   confirmer.empno if confirmer else None, approver.empno if approver else None,
                   from_place, to_place, reference, supplier, reason, len(moves), quantity, value)
    serials = [m.serial for m in moves if m.serial]
    uow.pin_used(confirmer, for_action=f"stock.{kind}")
    uow.audit(f"stock.{kind}", entity="stock_document", entity_id=number,
              approver=approver or confirmer,
              payload={"from": from_place, "to": to_place, "lines": len(moves),
                       "quantity": quantity, "value_fen": value, "reference": reference,
                       "supplier": supplier, "reason": reason,
                       "confirmer": confirmer.empno if confirmer else None,
                       "serials": serials[:50], "more_serials": max(0, len(serials) - 50)})
    return doc


def _move_lines(uow: UnitOfWork, *, kind: str, from_place: str, to_place: str,
                lines: Sequence[LineIn], witness: Actor | None = None,
                approver: Actor | None = None, confirmer: Actor | None = None,
                reference: str | None = None, supplier: str | None = None,
                reason: str | None = None) -> Document:
    """Check every line inside the write, apply the two-person rule, write the document."""
    if not lines:
        raise BadInput(_("A document needs at least one line."))
    checked, errors = _validate(uow.session, from_place, lines)
    _refuse_bad_lines(lines, errors)
    second = _witness(uow.ctx, checked, witness, approver)
    if approver is None and second is not None:
        approver = second
    moves = [Move(c.sku, c.serial, c.quantity, from_place, to_place, c.unit_value_fen)
             for c in checked]
    return write_moves(uow, kind=kind, moves=moves, from_place=from_place, to_place=to_place,
                       reference=reference, supplier=supplier, reason=reason,
                       confirmer=confirmer, approver=approver)


def _text(value: str | None, name: str, limit: int, *, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise BadInput(_("{name} is required.").format(name=name))
        return None
    if len(value) > limit:
        raise BadInput(_("{name} is at most {limit} characters.").format(name=name, limit=limit))
    return value


# -- movements ---------------------------------------------------------------------------
def _delivery(document_no: str, supplier: str) -> tuple[str, str]:
    try:
        ref = _text(document_no, _("The delivery document number"), 64)
    except BadInput as exc:
        raise BadInput(str(exc), field="document") from None
    try:
        who = _text(supplier, _("The supplier"), 80)
    except BadInput as exc:
        raise BadInput(str(exc), field="supplier") from None
    return ref, who


def _not_received(unit: ReadUnit, ref: str, who: str) -> None:
    dup = unit.sql("SELECT number FROM stock_document WHERE kind = 'receive' AND "
                   "reference = :r AND supplier = :s", {"r": ref, "s": who}).first()
    if dup is not None:
        raise Refused(_("Delivery {ref} of {supplier} was already received ({number})."
                        ).format(ref=ref, supplier=who, number=dup[0]), field="document")


def check_receive(ctx: Ctx, *, document_no: str, supplier: str,
                  lines: Sequence[LineIn] = ()) -> None:
    """Validate a delivery before it is scanned or a witness is asked: not received yet,
    and (when given) every line. Writes nothing."""
    require(ctx.actor, "stock.move")
    ref, who = _delivery(document_no, supplier)

    def check(unit: ReadUnit) -> None:
        _not_received(unit, ref, who)
        if lines:
            _refuse_bad_lines(lines, _validate(unit.session, SUPPLIER, lines)[1])

    run_check(ctx, check)


def receive(ctx: Ctx, *, document_no: str, supplier: str, lines: Sequence[LineIn],
            witness: Actor | None = None, command_id: str | None = None) -> Document:
    """入库: a supplier's delivery into the warehouse (every line checked first)."""
    require(ctx.actor, "stock.move")
    ref, who = _delivery(document_no, supplier)

    def work(uow: UnitOfWork) -> Document:
        _not_received(uow, ref, who)
        return _move_lines(uow, kind="receive", from_place=SUPPLIER, to_place=WAREHOUSE,
                           lines=lines, witness=witness, reference=ref, supplier=who)

    return run_write(ctx, "stock.receive", work, command_id=command_id, result_type=Document)


def _check_receiver(unit: ReadUnit, counter: int, receiver: Actor | str) -> None:
    """The receiving clerk of an issue: another person, at a counter, its keeper if it has one.

    ``receiver`` is the confirmed person, or an employee number still to confirm (a
    screen checks who before it asks for their PIN).
    """
    from hallterm.services.keeper import require_keeper

    if isinstance(receiver, str):
        row = unit.sql("SELECT id, empno, name, roles FROM staff WHERE empno = :e AND active = 1",
                       {"e": receiver.strip()}).first()
        if row is None:
            raise BadInput(_("No staff member with employee number {empno}.").format(
                empno=receiver.strip()))
        receiver = Actor(row[0], row[1], row[2], frozenset(row[3].split()))
    if unit.actor is not None and receiver.id == unit.actor.id:
        raise Forbidden(_("The receiving clerk must be another person."))
    if not receiver.roles & (COUNTER_ROLES | MANAGERS):
        raise Forbidden(_("{name} ({empno}) does not work at a counter.").format(
            name=receiver.name, empno=receiver.empno))
    # Custody is the counter's keeper's: only they sign for it, and not while the
    # counter is being handed over (services.keeper).
    require_keeper(unit, counter, action="stock.issue", person=receiver, during_handover=False)


def _check_document(unit: ReadUnit, *, from_place: str, to_place: str,
                    lines: Sequence[LineIn]) -> list[CheckedLine]:
    """Everything a document's write checks before it writes: day, places, lines."""
    unit.open_day()
    for place in (from_place, to_place):
        _check_counter(unit, place)
        if place.startswith("counter:"):  # its handover's count must still hold
            from hallterm.services.keeper import require_no_handover

            require_no_handover(unit, int(place.split(":", 1)[1]))
    _frozen_places(unit, {from_place, to_place})
    if not lines:
        raise BadInput(_("A document needs at least one line."))
    checked, errors = _validate(unit.session, from_place, lines)
    _refuse_bad_lines(lines, errors)
    return checked


def check_place(ctx: Ctx, *, place: str) -> None:
    """Stock can move in or out of ``place`` now: a counter that exists, no stocktake on it."""
    may_read(ctx)

    def check(unit: ReadUnit) -> None:
        _check_counter(unit, place)
        _frozen_places(unit, {place})

    run_check(ctx, check)


def check_issue(ctx: Ctx, *, counter: int, lines: Sequence[LineIn],
                receiver: str | None = None) -> list[CheckedLine]:
    """Validate an issue before anyone is asked for a PIN; writes nothing.

    Refuses an unknown counter, a counter under stocktake, a bad line and, when
    ``receiver`` (an employee number) is given, anyone but the counter's clerk.
    Returns the checked lines (valuable cards among them need a second person).
    """
    require(ctx.actor, "stock.move")

    def check(unit: ReadUnit) -> list[CheckedLine]:
        checked = _check_document(unit, from_place=WAREHOUSE, to_place=counter_place(counter),
                                  lines=lines)
        if receiver is not None:
            _check_receiver(unit, counter, receiver)
        return checked

    return run_check(ctx, check)


def check_move(ctx: Ctx, *, kind: str, from_place: str, to_place: str,
               lines: Sequence[LineIn], reason: str | None = None) -> list[CheckedLine]:
    """Validate a return or a write-off before a second person is asked; writes nothing."""
    require(ctx.actor, "stock.move")
    if kind == "write_off":
        if to_place not in WRITE_OFF_PLACES:
            raise BadInput(_("A write-off goes to damaged, lost or returned_to_supplier."))
        if not is_holding(from_place):
            raise BadInput(_("Stock is written off from the warehouse or a counter."))
        _text(reason, _("The reason"), 200)
    return run_check(ctx, lambda unit: _check_document(unit, from_place=from_place,
                                                       to_place=to_place, lines=lines))


def issue(ctx: Ctx, *, counter: int, lines: Sequence[LineIn], receiver: Actor,
          witness: Actor | None = None, command_id: str | None = None) -> Document:
    """出库/领用: warehouse to a counter's custody; the receiving clerk confirmed with a PIN.

    ``receiver`` comes from ``staff.confirm_person`` on this terminal, after
    ``check_issue`` accepted the request.
    """
    require(ctx.actor, "stock.move")

    def work(uow: UnitOfWork) -> Document:
        _check_document(uow, from_place=WAREHOUSE, to_place=counter_place(counter), lines=lines)
        if receiver is None:
            raise ApprovalRequired(_("The receiving clerk confirms with their PIN."))
        _check_receiver(uow, counter, receiver)
        return _move_lines(uow, kind="issue", from_place=WAREHOUSE,
                           to_place=counter_place(counter), lines=lines, witness=witness,
                           confirmer=receiver)

    return run_write(ctx, "stock.issue", work, command_id=command_id, result_type=Document)


def return_from_counter(ctx: Ctx, *, counter: int, lines: Sequence[LineIn],
                        witness: Actor | None = None, reason: str | None = None,
                        command_id: str | None = None) -> Document:
    """退库: a counter's custody back into the warehouse."""
    require(ctx.actor, "stock.move")
    why = _text(reason, _("The reason"), 200, required=False)

    def work(uow: UnitOfWork) -> Document:
        from hallterm.services.keeper import require_no_handover

        _check_counter(uow, counter_place(counter))
        require_no_handover(uow, counter)
        return _move_lines(uow, kind="return", from_place=counter_place(counter),
                           to_place=WAREHOUSE, lines=lines, witness=witness, reason=why)

    return run_write(ctx, "stock.return", work, command_id=command_id, result_type=Document)


def write_off(ctx: Ctx, *, place: str, to: str, lines: Sequence[LineIn], reason: str,
              approver: Actor, witness: Actor | None = None,
              command_id: str | None = None) -> Document:
    """Damaged (报损), lost (丢失) or returned to supplier (退供应商): the hall manager approves."""
    require(ctx.actor, "stock.move")
    if to not in WRITE_OFF_PLACES:
        raise BadInput(_("A write-off goes to damaged, lost or returned_to_supplier."))
    if not is_holding(place):
        raise BadInput(_("Stock is written off from the warehouse or a counter."))
    why = _text(reason, _("The reason"), 200)

    def work(uow: UnitOfWork) -> Document:
        if place.startswith("counter:"):
            from hallterm.services.keeper import require_no_handover

            _check_counter(uow, place)
            require_no_handover(uow, int(place.split(":", 1)[1]))
        _check_document(uow, from_place=place, to_place=to, lines=lines)
        second = _check_second(ctx.actor, approver, "stock.write_off")
        return _move_lines(uow, kind="write_off", from_place=place, to_place=to, lines=lines,
                           witness=witness, approver=second, reason=why)

    return run_write(ctx, "stock.write_off", work, command_id=command_id, result_type=Document)


def record_sale_movements(uow: UnitOfWork, *, counter: int, lines: Sequence[LineIn],
                          sale_ref: str, witness: Actor | None = None) -> Document | None:
    """Inside the caller's sale transaction: sold goods leave the counter's custody.

    Service lines (no stock) are skipped; ``None`` when nothing was stocked. A
    serialised item must name its serial (a handset cannot be sold twice).
    Valuable cards need ``witness`` (staff.approve with ``stock.valuable_card``).
    """
    stocked = []
    for line in lines:
        item = find_item(uow.session, line.sku) if line.sku else None
        if item is not None and not item.stocked:
            continue
        stocked.append(line)
    if not stocked:
        return None
    return _move_lines(uow, kind="sale", from_place=counter_place(counter), to_place=SOLD,
                       lines=stocked, witness=witness, reference=sale_ref)


def reverse_sale_movements(uow: UnitOfWork, *, sale_ref: str,
                           lines: Sequence[LineIn] | None = None,
                           witness: Actor | None = None,
                           to_counter: int | None = None) -> Document | None:
    """Inside the caller's void/refund transaction: sold goods go back to a counter.

    With ``lines`` only those (a partial refund); else everything of the sale not
    yet reversed. The goods go into the custody of ``to_counter`` (where they were
    handed back), else of the counter that sold them. ``None`` when the sale moved
    no stock.
    """
    rows = uow.sql(
        "SELECT d.kind, d.from_place, m.sku, m.serial, m.quantity FROM stock_document d "
        "JOIN stock_move m ON m.document_id = d.id WHERE d.reference = :r AND "
        "d.kind IN ('sale', 'sale_reversal') ORDER BY m.id", {"r": sale_ref}).all()
    sold = [r for r in rows if r[0] == "sale"]
    if not sold:
        return None
    counter_from = counter_place(to_counter) if to_counter is not None else sold[0][1]
    remaining_serials = {r[3]: r[2] for r in sold if r[3]}
    remaining_qty: dict[str, int] = defaultdict(int)
    for r in sold:
        if not r[3]:
            remaining_qty[r[2]] += r[4]
    for r in rows:
        if r[0] == "sale_reversal":
            if r[3]:
                remaining_serials.pop(r[3], None)
            else:
                remaining_qty[r[2]] -= r[4]
    if lines is None:
        lines = [LineIn(sku, serial) for serial, sku in remaining_serials.items()] + [
            LineIn(sku, None, qty) for sku, qty in remaining_qty.items() if qty > 0]
        if not lines:
            raise Refused(_("Sale {ref} was already reversed.").format(ref=sale_ref))
    else:
        for line in lines:
            serial = _clean_serial(line.serial)
            if serial and serial not in remaining_serials:
                raise Refused(_("Serial {serial} was not sold in {ref} (or was already "
                                "returned).").format(serial=serial, ref=sale_ref))
            if not serial:
                item = find_item(uow.session, line.sku)
                if item is None or remaining_qty.get(item.sku, 0) < line.quantity:
                    raise Refused(_("Sale {ref} has not {qty} of {sku} left to return.").format(
                        ref=sale_ref, qty=line.quantity, sku=line.sku))
    return _move_lines(uow, kind="sale_reversal", from_place=SOLD, to_place=counter_from,
                       lines=lines, witness=witness, reference=sale_ref)


def sell(ctx: Ctx, *, counter: int, lines: Sequence[LineIn], sale_ref: str,
         witness: Actor | None = None) -> Document | None:
    """The stock side of a sale on its own (tests, tools); sales call ``record_sale_movements``."""
    require(ctx.actor, "sale.sell")
    ref = _text(sale_ref, _("The sale reference"), 64)

    def work(uow: UnitOfWork) -> Document | None:
        from hallterm.services.keeper import require_keeper

        require_keeper(uow, counter, action="stock.sale", during_handover=False)
        return record_sale_movements(uow, counter=counter, lines=lines, sale_ref=ref,
                                     witness=witness) or _no_stock(uow, ref)

    return run_write(ctx, "stock.sale", work)


def reverse_sale(ctx: Ctx, *, sale_ref: str, lines: Sequence[LineIn] | None = None,
                 witness: Actor | None = None) -> Document | None:
    """The stock side of a sale void/refund on its own; sales call ``reverse_sale_movements``."""
    require(ctx.actor, "sale.sell")
    return run_write(ctx, "stock.sale_reversal", lambda uow: reverse_sale_movements(
        uow, sale_ref=sale_ref, lines=lines, witness=witness) or _no_stock(uow, sale_ref))


def _no_stock(uow: UnitOfWork, ref: str) -> None:
    uow.audit("stock.no_stock", entity="sale", entity_id=ref)
    return None


# -- the delivery file -------------------------------------------------------------------
def check_delivery_csv(ctx: Ctx, text: str) -> list[LineIn]:
    """Read a delivery file and check every line against the catalog and the ledger.

    Refuses with every bad line in one list (unreadable lines and lines the ledger
    refuses alike, in file order), so a supplier's file is fixed in one round.
    """
    lines, errors = _read_delivery(text)
    numbered = [(int(line.ref or 0), line) for line in lines]
    with ctx.store.read() as session:
        _checked, bad = _validate(session, SUPPLIER, lines)
    errors += [(numbered[i][0], f"{_line_name(i, lines[i])}: {reason}") for i, reason in bad]
    if errors:
        errors.sort(key=lambda e: e[0])
        raise BadInput(_("{count} bad line(s); nothing was written:").format(
            count=len(errors)) + "\n  " + "\n  ".join(text for _n, text in errors))
    if not lines:
        raise BadInput(_("The delivery file has no lines."))
    return lines


def parse_delivery_csv(text: str) -> list[LineIn]:
    """A supplier's delivery list (header ``sku,serial,quantity``) as lines.

    Raises ``BadInput`` listing every line that cannot even be read; the lines'
    ``ref`` is their line number in the file.
    """
    lines, errors = _read_delivery(text)
    if errors:
        raise BadInput(_("{count} bad line(s); nothing was written:").format(
            count=len(errors)) + "\n  " + "\n  ".join(e for _n, e in errors))
    if not lines:
        raise BadInput(_("The delivery file has no lines."))
    return lines


def _read_delivery(text: str) -> tuple[list[LineIn], list[tuple[int, str]]]:
    """The readable lines of a delivery file, and (line number, message) for the others."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    if not rows or [h.strip().lower() for h in rows[0]] != ["sku", "serial", "quantity"]:
        raise BadInput(_("The delivery file must start with the header: sku,serial,quantity"))
    lines: list[LineIn] = []
    errors: list[tuple[int, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != 3:
            errors.append((number, _("line {n}: expected 3 fields, found {k}").format(
                n=number, k=len(row))))
            continue
        sku, serial, qty = (c.strip() for c in row)
        if serial and qty not in ("", "1"):
            errors.append((number, _("line {n} ({what}): a serial line has quantity 1 or none"
                                     ).format(n=number, what=serial)))
            continue
        if not serial and not (qty.isdigit() and int(qty) > 0):
            errors.append((number, _("line {n} ({what}): give a serial or a quantity of 1 or "
                                     "more").format(n=number, what=sku)))
            continue
        lines.append(LineIn(sku, serial or None, int(qty) if qty else 1, ref=str(number)))
    return lines, errors


# -- reads -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BalanceRow:
    """How many of an item are at a place, and what they are worth."""

    sku: str
    name: str
    kind: str
    place: str
    quantity: int
    unit_value_fen: int
    value_fen: int


@dataclass(frozen=True)
class PlaceTotal:
    """One place's totals (valuable cards also in face value)."""

    place: str
    quantity: int
    value_fen: int
    cards: int
    cards_face_fen: int


@dataclass(frozen=True)
class StockReport:
    """Stock by item and place, with totals per place and overall."""

    rows: list[BalanceRow]
    places: list[PlaceTotal]
    quantity: int
    value_fen: int
    cards: int
    cards_face_fen: int


def _place_order(place: str) -> tuple[int, int, str]:
    if place == WAREHOUSE:
        return (0, 0, place)
    if place.startswith("counter:"):
        return (1, int(place.split(":")[1]), place)
    return (2, 0, place)


def balances(ctx: Ctx, *, place: str | None = None, include_terminal: bool = False
             ) -> StockReport:
    """Stock by item and place (holding places unless ``place`` or ``include_terminal``)."""
    may_read(ctx)
    where, params = "b.quantity > 0", {}
    if place is not None:
        where += " AND b.place = :p"
        params["p"] = parse_place(place)
    elif not include_terminal:
        where += " AND (b.place = 'warehouse' OR b.place LIKE 'counter:%')"
    with ctx.store.read() as session:
        if place is not None and params["p"].startswith("counter:"):
            from hallterm.services.queue import require_counter

            require_counter(session, int(params["p"].split(":", 1)[1]))
        raw = execute(session, "SELECT b.sku, i.name_zh, i.name_en, i.kind, b.place, b.quantity, "
                      "i.price_fen, i.face_value_fen FROM stock_balance b JOIN catalog_item i "
                      f"ON i.sku = b.sku WHERE {where}", params).all()
    from hallterm.i18n import get_language

    zh = get_language().startswith("zh")
    rows = []
    for sku, name_zh, name_en, kind, plc, qty, price, face in raw:
        unit = face if kind == "valuable_card" else price
        rows.append(BalanceRow(sku, name_zh if zh else name_en, kind, plc, qty, unit, qty * unit))
    rows.sort(key=lambda r: (_place_order(r.place), r.sku))
    totals: dict[str, list[int]] = {}
    for r in rows:
        t = totals.setdefault(r.place, [0, 0, 0, 0])
        t[0] += r.quantity
        t[1] += r.value_fen
        if r.kind == "valuable_card":
            t[2] += r.quantity
            t[3] += r.value_fen
    places = [PlaceTotal(p, *t) for p, t in sorted(totals.items(),
                                                   key=lambda kv: _place_order(kv[0]))]
    return StockReport(rows, places, sum(p.quantity for p in places),
                       sum(p.value_fen for p in places), sum(p.cards for p in places),
                       sum(p.cards_face_fen for p in places))


@dataclass(frozen=True)
class CustodyLine:
    """An item in a counter's custody, with its serials."""

    sku: str
    name: str
    kind: str
    quantity: int
    value_fen: int
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class Custody:
    """What stock a counter holds (领用在手)."""

    counter: int
    lines: list[CustodyLine]
    quantity: int
    value_fen: int
    cards: int
    cards_face_fen: int


def custody(ctx: Ctx, *, counter: int) -> Custody:
    """The stock in ``counter``'s custody (any signed-in member of staff may look)."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    place = counter_place(counter)
    from hallterm.i18n import get_language

    zh = get_language().startswith("zh")
    with ctx.store.read() as session:
        raw = execute(session, "SELECT b.sku, i.name_zh, i.name_en, i.kind, b.quantity, "
                      "i.price_fen, i.face_value_fen FROM stock_balance b JOIN catalog_item i "
                      "ON i.sku = b.sku WHERE b.place = :p AND b.quantity > 0 ORDER BY b.sku",
                      {"p": place}).all()
        serials: dict[str, list[str]] = defaultdict(list)
        for sku, serial in execute(session, "SELECT sku, serial FROM stock_serial WHERE "
                                   "place = :p ORDER BY serial", {"p": place}).all():
            serials[sku].append(serial)
    lines = []
    for sku, name_zh, name_en, kind, qty, price, face in raw:
        unit = face if kind == "valuable_card" else price
        lines.append(CustodyLine(sku, name_zh if zh else name_en, kind, qty, qty * unit,
                                 tuple(serials.get(sku, ()))))
    cards = [x for x in lines if x.kind == "valuable_card"]
    return Custody(counter, lines, sum(x.quantity for x in lines),
                   sum(x.value_fen for x in lines), sum(x.quantity for x in cards),
                   sum(x.value_fen for x in cards))


@dataclass(frozen=True)
class HistoryRow:
    """One move of a serial."""

    at: datetime
    number: str
    kind: str
    from_place: str
    to_place: str
    actor: str
    confirmer: str | None
    approver: str | None
    reference: str | None


@dataclass(frozen=True)
class SerialHistory:
    """Where a serial has been ("where has IMEI 35… been"), and where it is now."""

    serial: str
    sku: str
    place: str
    moves: list[HistoryRow] = field(default_factory=list)


def history(ctx: Ctx, *, serial: str) -> SerialHistory:
    """Every move of one serial, oldest first."""
    may_read(ctx)
    text = _clean_serial(serial)
    with ctx.store.read() as session:
        now = execute(session, "SELECT sku, place FROM stock_serial WHERE serial = :s",
                      {"s": text}).first()
        rows = execute(session, "SELECT d.at, d.number, d.kind, m.from_place, m.to_place, "
                       "d.actor, d.confirmer, d.approver, d.reference FROM stock_move m JOIN "
                       "stock_document d ON d.id = m.document_id WHERE m.serial = :s "
                       "ORDER BY m.id", {"s": text}).all()
    if now is None:
        raise NotFound(_("Serial {serial} has never been in this hall's stock.").format(
            serial=text))
    tz = ctx.clock.tz
    moves = [HistoryRow(datetime.fromisoformat(r[0]).astimezone(tz), *r[1:]) for r in rows]
    return SerialHistory(text, now[0], now[1], moves)


def serials_at(ctx: Ctx, *, place: str, sku: str | None = None, offset: int = 0,
               limit: int = 200) -> list[tuple[str, str]]:
    """(serial, sku) at a place, a page at a time."""
    may_read(ctx)
    sql = "SELECT serial, sku FROM stock_serial WHERE place = :p"
    params: dict = {"p": parse_place(place), "n": limit, "o": offset}
    if sku:
        sql += " AND sku = :s"
        params["s"] = sku
    with ctx.store.read() as session:
        return [tuple(r) for r in execute(session, sql + " ORDER BY sku, serial LIMIT :n "
                                          "OFFSET :o", params).all()]


def documents(ctx: Ctx, *, business_day: date | None = None, limit: int = 100
              ) -> list[Document]:
    """Stock documents of a day (default today), newest first."""
    may_read(ctx)
    day = business_day or ctx.today()
    with ctx.store.read() as session:
        rows = execute(session, "SELECT id, number, kind, business_day, at, actor, confirmer, "
                       "approver, from_place, to_place, reference, supplier, reason, lines, "
                       "quantity, value_fen FROM stock_document WHERE business_day = :d "
                       "ORDER BY id DESC LIMIT :n", {"d": day.isoformat(), "n": limit}).all()
    tz = ctx.clock.tz
    return [Document(r[0], r[1], r[2], date.fromisoformat(r[3]),
                     datetime.fromisoformat(r[4]).astimezone(tz), *r[5:]) for r in rows]


@dataclass(frozen=True)
class VerifyReport:
    """Whether the kept balances and serial places agree with the ledger."""

    ok: bool
    moves: int
    balances: int
    serials: int
    problems: list[str]


def verify(ctx: Ctx) -> VerifyReport:
    """Recompute balances and serial places from the ledger and compare (read-only);
    every stock row must also match the fingerprint its audited write sealed."""
    with ctx.store.read() as session:
        moves = execute(session, "SELECT COUNT(*) FROM stock_move").scalar() or 0
        computed: dict[tuple[str, str], int] = defaultdict(int)
        for sku, place, qty in execute(session, "SELECT sku, to_place, SUM(quantity) FROM "
                                       "stock_move GROUP BY sku, to_place").all():
            computed[(sku, place)] += qty
        for sku, place, qty in execute(session, "SELECT sku, from_place, SUM(quantity) FROM "
                                       "stock_move GROUP BY sku, from_place").all():
            if place not in SOURCES:
                computed[(sku, place)] -= qty
        kept = {(r[0], r[1]): r[2] for r in execute(
            session, "SELECT sku, place, quantity FROM stock_balance").all()}
        last = execute(session, "SELECT m.serial, m.sku, m.to_place, m.id FROM stock_move m "
                       "JOIN (SELECT serial, MAX(id) AS id FROM stock_move WHERE serial IS NOT "
                       "NULL GROUP BY serial) x ON x.id = m.id").all()
        places = {r[0]: (r[1], r[2], r[3]) for r in execute(
            session, "SELECT serial, sku, place, last_move_id FROM stock_serial").all()}
        serial_counts = {(r[0], r[1]): r[2] for r in execute(
            session, "SELECT sku, place, COUNT(*) FROM stock_serial GROUP BY sku, place").all()}
        serialised = {r[0] for r in execute(session, "SELECT sku FROM catalog_item WHERE kind "
                                            "IN ('serialised', 'valuable_card')").all()}
    problems: list[str] = []
    for key in sorted(set(computed) | set(kept)):
        want, have = computed.get(key, 0), kept.get(key, 0)
        if want != have:
            problems.append(_("{sku} at {place}: balance {have}, ledger {want}").format(
                sku=key[0], place=key[1], have=have, want=want))
        if want < 0:
            problems.append(_("{sku} at {place}: the ledger goes negative ({want})").format(
                sku=key[0], place=key[1], want=want))
        if key[0] in serialised and serial_counts.get(key, 0) != have:
            problems.append(_("{sku} at {place}: {n} serials there, balance {have}").format(
                sku=key[0], place=key[1], n=serial_counts.get(key, 0), have=have))
    for serial, sku, place, move_id in last:
        kept_place = places.pop(serial, None)
        if kept_place != (sku, place, move_id):
            problems.append(_("serial {serial}: kept at {kept}, ledger says {place}").format(
                serial=serial, kept=kept_place[1] if kept_place else "-", place=place))
    for serial in sorted(places):
        problems.append(_("serial {serial} has no ledger row").format(serial=serial))
    # A ledger row changed consistently with its balance still differs from its seal.
    from hallterm.services import audit_rows

    problems.extend(p.describe() for p in audit_rows.check(
        ctx, audit_rows.gather(ctx), tables=audit_rows.STOCK_TABLES))
    return VerifyReport(not problems, int(moves), len(kept), len(last), problems)


@dataclass(frozen=True)
class StocktakeBlocker:
    """A stocktake still in progress (the day cannot close while one is)."""

    id: int
    number: str
    place: str
    state: str
    started_by: str


def blockers(ctx: Ctx, business_day: date | None = None) -> list[StocktakeBlocker]:
    """Stocktakes in progress (of ``business_day``, or of any day when ``None``)."""
    sql = ("SELECT id, number, place, state, started_by FROM stocktake WHERE state IN "
           "('open', 'finished')")
    params = {}
    if business_day is not None:
        sql += " AND business_day <= :d"
        params["d"] = business_day.isoformat()
    with ctx.store.read() as session:
        return [StocktakeBlocker(*r) for r in execute(session, sql + " ORDER BY id",
                                                      params).all()]
