"""Counting during a stocktake: each scan or typed quantity saved as entered, corrected
or removed before posting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hallterm.catalog import check_serial
from hallterm.clock import utc_text
from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, NotFound, Refused
from hallterm.i18n import _, get_language
from hallterm.permissions import require
from hallterm.services.catalog import find_item
from hallterm.services.stock.checks import clean_serial, may_read
from hallterm.services.stock.takes import (
    Counted,
    StocktakeInfo,
    get_take,
)


@dataclass(frozen=True)
class Entry:
    """What the counter typed or scanned: a serial or item code, and a quantity."""

    code: str
    quantity: int | None = None
    sku: str | None = None  # the item of an unknown serial (chosen on screen)


def _resolve(session, entry: Entry, place: str, known: dict) -> tuple[str, str, str | None, int]:
    """(sku, name, serial, quantity) of an entry, or ``BadInput`` saying why."""
    zh = get_language().startswith("zh")
    code = (entry.code or "").strip()
    if not code:
        raise BadInput(_("Nothing was scanned."))
    serial = clean_serial(code)
    if entry.quantity is None and serial in known:
        sku = known[serial]
        item = find_item(session, sku)
        return sku, (item.name_zh if zh else item.name_en) if item else sku, serial, 1
    item = find_item(session, code)
    if item is not None:
        if not item.stocked:
            raise BadInput(_("{sku} is a service and has no stock").format(sku=item.sku))
        if item.serialised:
            raise BadInput(_("{sku} is counted by serial: scan each serial").format(
                sku=item.sku))
        qty = 1 if entry.quantity is None else entry.quantity
        if qty < 0 or qty > 100_000:
            raise BadInput(_("a quantity is 0-100000"))
        return item.sku, item.name_zh if zh else item.name_en, None, qty
    if entry.sku:
        item = find_item(session, entry.sku)
        if item is None or not item.serialised:
            raise BadInput(_("{code} is neither a known serial nor an item").format(code=code))
        serial = check_serial(code, kind=item.kind, serial_type=item.serial_type)
        return item.sku, item.name_zh if zh else item.name_en, serial, 1
    raise BadInput(_("{code} is not in the ledger and is no item; choose its item first"
                     ).format(code=code))


def count(ctx: Ctx, *, stocktake_id: int, code: str, quantity: int | None = None,
          sku: str | None = None) -> Counted:
    """Save one counted line as entered (a serial, or an item code with a quantity)."""
    saved, refused = count_many(ctx, stocktake_id=stocktake_id,
                                entries=[Entry(code, quantity, sku)])
    if refused:
        raise BadInput(refused[0][1])
    return saved[0]


@dataclass(frozen=True)
class StocktakeScan:
    """One scan during a count: an item chosen (``item_sku``), or a line saved."""

    item_sku: str | None = None
    item_name: str | None = None
    item_kind: str | None = None
    counted: Counted | None = None


def scan(ctx: Ctx, *, stocktake_id: int, text: str, current_sku: str | None = None
         ) -> StocktakeScan:
    """Interpret one scan while counting, and save the line it makes.

    An item code chooses the current item (a counted item is then counted by typing
    its quantity; a serialised one names the item of serials the ledger does not
    know); a number is a quantity of the current counted item; anything else is a
    serial.
    """
    may_read(ctx)
    text = (text or "").strip()
    if not text:
        raise BadInput(_("Nothing was scanned."))
    zh = get_language().startswith("zh")
    with ctx.store.read() as session:
        current = find_item(session, current_sku) if current_sku else None
        item = None if (text.isdigit() and len(text) <= 6) else find_item(session, text)
    if current is not None and current.kind == "counted" and text.isdigit() and len(text) <= 6:
        return StocktakeScan(counted=count(ctx, stocktake_id=stocktake_id, code=current.sku,
                                           quantity=int(text)))
    if item is not None:
        if not item.stocked:
            raise BadInput(_("{sku} is a service and has no stock").format(sku=item.sku))
        return StocktakeScan(item.sku, item.name_zh if zh else item.name_en, item.kind)
    if current is not None and current.kind == "counted" and text.isdigit():
        raise BadInput(_("a quantity is 1-100000").format())  # a long number, no barcode
    sku = current.sku if current is not None and current.serialised else None
    return StocktakeScan(counted=count(ctx, stocktake_id=stocktake_id, code=text, sku=sku))


def count_many(ctx: Ctx, *, stocktake_id: int, entries: Sequence[Entry]
               ) -> tuple[list[Counted], list[tuple[int, str]]]:
    """Save many counted lines in one write: the good ones saved, the others refused."""
    require(ctx.actor, "stock.stocktake")

    def work(uow: UnitOfWork):
        info = get_take(uow.session, stocktake_id, ctx.clock.tz)
        if info.state != "open":
            raise Refused(_("Stocktake {number} is {state}; counting is over.").format(
                number=info.number, state=info.state))
        day = uow.open_day()
        codes = [clean_serial(e.code) for e in entries]
        known: dict[str, str] = {}
        for start_at in range(0, len(codes), 500):
            chunk = codes[start_at:start_at + 500]
            marks = ", ".join(f":s{i}" for i in range(len(chunk)))
            known.update({r.serial: r.sku for r in uow.sql(
                f"SELECT serial, sku FROM stock_serial WHERE serial IN ({marks})",
                {f"s{i}": s for i, s in enumerate(chunk)}).all()})
        counted = {r.serial for r in uow.sql("SELECT serial FROM stocktake_line WHERE "
                                         "stocktake_id = :i AND serial IS NOT NULL",
                                         {"i": stocktake_id}).all()}
        saved: list[Counted] = []
        refused: list[tuple[int, str]] = []
        rows = []
        at = utc_text(uow.now)
        for index, entry in enumerate(entries):
            try:
                sku, name, serial, qty = _resolve(uow.session, entry, info.place, known)
                if serial is not None and serial in counted:
                    raise BadInput(_("serial {serial} was already counted").format(
                        serial=serial))
            except BadInput as exc:
                refused.append((index, str(exc)))
                continue
            if serial is not None:
                counted.add(serial)
            rows.append({"t": stocktake_id, "d": day.isoformat(), "at": at,
                         "a": uow.actor.empno if uow.actor else "system", "s": sku, "n": serial, "q": qty})
            saved.append(Counted(stocktake_id, sku, name, serial, qty, 0))
        if rows:
            uow.sql("INSERT INTO stocktake_line (stocktake_id, business_day, at, actor, sku, "
                    "serial, quantity) VALUES (:t, :d, :at, :a, :s, :n, :q)", rows)
        totals = {r.sku: r.total for r in uow.sql(
            "SELECT sku, SUM(quantity) AS total FROM stocktake_line WHERE stocktake_id = :i "
            "GROUP BY sku", {"i": stocktake_id}).all()}
        ids = [r.id for r in uow.sql("SELECT id FROM stocktake_line WHERE stocktake_id = :i "
                                     "ORDER BY id DESC LIMIT :n",
                                     {"i": stocktake_id, "n": len(saved)}).all()][::-1]
        saved = [Counted(c.stocktake_id, c.sku, c.name, c.serial, c.quantity,
                         int(totals.get(c.sku, 0)), ids[k] if k < len(ids) else None)
                 for k, c in enumerate(saved)]
        uow.audit("stock.stocktake.count", entity="stocktake", entity_id=info.number,
                  payload={"saved": len(saved), "refused": len(refused),
                           "serials": [c.serial for c in saved if c.serial][:20]})
        return saved, refused

    return run_write(ctx, "stock.stocktake.count", work)


def _open_line(uow: UnitOfWork, stocktake_id: int, line_id: int, tz):
    info = get_take(uow.session, stocktake_id, tz)
    if info.state != "open":
        raise Refused(_("Stocktake {number} is {state}; count again (reopen it) to change its "
                        "lines.").format(number=info.number, state=info.state))
    row = uow.sql("SELECT sku, serial, quantity FROM stocktake_line WHERE id = :l AND "
                  "stocktake_id = :i", {"l": line_id, "i": stocktake_id}).first()
    if row is None:
        raise NotFound(_("Stocktake {number} has no line {line}.").format(number=info.number,
                                                                          line=line_id))
    return info, row


def remove_line(ctx: Ctx, *, stocktake_id: int, line_id: int) -> StocktakeInfo:
    """Remove a counted line before posting (a wrong scan, a line counted twice).

    Only while the stocktake is open; the audit row keeps what the line said.
    """
    require(ctx.actor, "stock.stocktake")

    def work(uow: UnitOfWork) -> StocktakeInfo:
        info, row = _open_line(uow, stocktake_id, line_id, ctx.clock.tz)
        uow.sql("DELETE FROM stocktake_line WHERE id = :l", {"l": line_id})
        uow.audit("stock.stocktake.line_remove", entity="stocktake", entity_id=info.number,
                  payload={"line": line_id, "sku": row.sku, "serial": row.serial,
                           "quantity": row.quantity})
        return get_take(uow.session, stocktake_id, ctx.clock.tz)

    return run_write(ctx, "stock.stocktake.line_remove", work)


def correct_line(ctx: Ctx, *, stocktake_id: int, line_id: int, quantity: int) -> Counted:
    """Correct the quantity of a line counted by quantity before posting.

    A serial's line is one serial: remove it and scan the right one instead.
    """
    require(ctx.actor, "stock.stocktake")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or \
            not 0 <= quantity <= 100_000:
        raise BadInput(_("a quantity is 0-100000"))

    def work(uow: UnitOfWork) -> Counted:
        info, row = _open_line(uow, stocktake_id, line_id, ctx.clock.tz)
        if row.serial is not None:
            raise BadInput(_("Line {line} is serial {serial}: remove it and scan the right "
                             "serial.").format(line=line_id, serial=row.serial))
        uow.sql("UPDATE stocktake_line SET quantity = :q WHERE id = :l",
                {"q": quantity, "l": line_id})
        uow.audit("stock.stocktake.line_correct", entity="stocktake", entity_id=info.number,
                  payload={"line": line_id, "sku": row.sku, "quantity_before": row.quantity,
                           "quantity": quantity})
        total = uow.sql("SELECT COALESCE(SUM(quantity), 0) FROM stocktake_line WHERE "
                        "stocktake_id = :i AND sku = :s", {"i": stocktake_id, "s": row.sku}
                        ).scalar()
        item = find_item(uow.session, row.sku)
        zh = get_language().startswith("zh")
        name = (item.name_zh if zh else item.name_en) if item else row.sku
        return Counted(stocktake_id, row.sku, name, None, quantity, int(total), line_id)

    return run_write(ctx, "stock.stocktake.line_correct", work)
