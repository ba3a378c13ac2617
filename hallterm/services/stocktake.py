"""Stocktake (盘点): count a place, compare with the ledger, post adjustments.

A stocktake of a place is started, counted by scanning serials and entering
quantities (each line saved as entered, so a stocktake survives a crash or a
lunch break and is resumed), finished (no more counting; the result lists missing
and unexpected serials, count differences and the value of the difference), and
posted: the adjustments become ledger rows, approved by the hall manager with a
reason. While a stocktake of a place is in progress nothing moves in or out of
that place, so "expected" is the ledger at any moment of the count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from hallterm.catalog import check_serial
from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, NotFound, Refused
from hallterm.i18n import _, get_language
from hallterm.models.types import utc_text
from hallterm.permissions import require
from hallterm.services.catalog import find_item
from hallterm.services.stock import (
    FOUND,
    LOST,
    Document,
    Move,
    _check_second,
    _clean_serial,
    _text,
    is_holding,
    may_read,
    parse_place,
    place_label,
    write_moves,
)
from hallterm.store import execute


@dataclass(frozen=True)
class StocktakeInfo:
    """A stocktake and how far it has got."""

    id: int
    number: str
    place: str
    business_day: date
    state: str  # open | finished | posted | cancelled
    started_at: datetime
    started_by: str
    lines: int
    counted: int


@dataclass(frozen=True)
class Counted:
    """One counted line as saved, with the running count of its item."""

    stocktake_id: int
    sku: str
    name: str
    serial: str | None
    quantity: int
    item_total: int
    line_id: int | None = None  # the saved line (to remove or correct it before posting)


@dataclass(frozen=True)
class Difference:
    """Expected against counted for one item."""

    sku: str
    name: str
    expected: int
    counted: int
    difference: int
    value_fen: int


@dataclass(frozen=True)
class StocktakeResult:
    """What a stocktake found (盘盈盘亏)."""

    stocktake: StocktakeInfo
    missing: list[tuple[str, str]]  # (sku, serial) expected here, not counted
    unexpected: list[tuple[str, str, str]]  # (sku, serial, where the ledger has it)
    differences: list[Difference]  # items whose count differs
    value_difference_fen: int

    @property
    def agrees(self) -> bool:
        return not (self.missing or self.unexpected or self.differences)


_INFO = ("SELECT t.id, t.number, t.place, t.business_day, t.state, t.started_at, t.started_by, "
         "(SELECT COUNT(*) FROM stocktake_line l WHERE l.stocktake_id = t.id), "
         "(SELECT COALESCE(SUM(quantity), 0) FROM stocktake_line l WHERE l.stocktake_id = t.id) "
         "FROM stocktake t ")


def _info(row, tz) -> StocktakeInfo:
    return StocktakeInfo(row[0], row[1], row[2], date.fromisoformat(row[3]), row[4],
                         datetime.fromisoformat(row[5]).astimezone(tz), row[6], row[7], row[8])


def _get(session, stocktake_id: int, tz) -> StocktakeInfo:
    row = execute(session, _INFO + "WHERE t.id = :i", {"i": stocktake_id}).first()
    if row is None:
        raise NotFound(_("No stocktake {id}.").format(id=stocktake_id))
    return _info(row, tz)


def start(ctx: Ctx, *, place: str) -> StocktakeInfo:
    """Start a stocktake of the warehouse or a counter (one at a time per place)."""
    require(ctx.actor, "stock.stocktake")
    where = parse_place(place)
    if not is_holding(where):
        raise BadInput(_("A stocktake counts the warehouse or a counter."))

    def work(uow: UnitOfWork) -> StocktakeInfo:
        day = uow.open_day()
        busy = uow.sql("SELECT number FROM stocktake WHERE place = :p AND state IN "
                       "('open', 'finished')", {"p": where}).first()
        if busy is not None:
            raise Refused(_("Stocktake {number} of {place} is already in progress; resume it."
                            ).format(number=busy[0], place=place_label(where)))
        if where.startswith("counter:") and uow.sql(
                "SELECT 1 FROM counter WHERE number = :n",
                {"n": int(where.split(":")[1])}).first() is None:
            raise BadInput(_("There is no counter {n}.").format(n=where.split(":")[1]))
        number = f"PD{day.year}-{uow.next_number(f'stocktake:{day.year}'):05d}"
        new_id = uow.sql("INSERT INTO stocktake (number, place, business_day, state, started_at, "
                         "started_by) VALUES (:n, :p, :d, 'open', :at, :by) RETURNING id",
                         {"n": number, "p": where, "d": day.isoformat(),
                          "at": utc_text(uow.now), "by": uow.actor.empno}).scalar()
        uow.audit("stock.stocktake.start", entity="stocktake", entity_id=number,
                  payload={"place": where})
        return StocktakeInfo(new_id, number, where, day, "open", uow.now, uow.actor.empno, 0, 0)

    return run_write(ctx, "stock.stocktake.start", work)


def in_progress(ctx: Ctx, *, place: str) -> StocktakeInfo | None:
    """The stocktake of ``place`` still open or finished (to resume it), if any."""
    may_read(ctx)
    with ctx.store.read() as session:
        row = execute(session, _INFO + "WHERE t.place = :p AND t.state IN ('open', 'finished')",
                      {"p": parse_place(place)}).first()
    return _info(row, ctx.clock.tz) if row else None


def lines(ctx: Ctx, *, stocktake_id: int, offset: int = 0, limit: int = 500) -> list[Counted]:
    """Counted lines as entered, newest first, a page at a time."""
    may_read(ctx)
    zh = get_language().startswith("zh")
    with ctx.store.read() as session:
        rows = execute(session, "SELECT l.sku, i.name_zh, i.name_en, l.serial, l.quantity, l.id "
                       "FROM stocktake_line l JOIN catalog_item i ON i.sku = l.sku WHERE "
                       "l.stocktake_id = :i ORDER BY l.id DESC LIMIT :n OFFSET :o",
                       {"i": stocktake_id, "n": limit, "o": offset}).all()
    return [Counted(stocktake_id, r[0], r[1] if zh else r[2], r[3], r[4], 0, r[5])
            for r in rows]


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
    serial = _clean_serial(code)
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
    sku = current.sku if current is not None and current.serialised else None
    return StocktakeScan(counted=count(ctx, stocktake_id=stocktake_id, code=text, sku=sku))


def count_many(ctx: Ctx, *, stocktake_id: int, entries: Sequence[Entry]
               ) -> tuple[list[Counted], list[tuple[int, str]]]:
    """Save many counted lines in one write: the good ones saved, the others refused."""
    require(ctx.actor, "stock.stocktake")

    def work(uow: UnitOfWork):
        info = _get(uow.session, stocktake_id, ctx.clock.tz)
        if info.state != "open":
            raise Refused(_("Stocktake {number} is {state}; counting is over.").format(
                number=info.number, state=info.state))
        day = uow.open_day()
        codes = [_clean_serial(e.code) for e in entries]
        known: dict[str, str] = {}
        for start_at in range(0, len(codes), 500):
            chunk = codes[start_at:start_at + 500]
            marks = ", ".join(f":s{i}" for i in range(len(chunk)))
            known.update(dict(uow.sql(f"SELECT serial, sku FROM stock_serial WHERE serial IN "
                                      f"({marks})", {f"s{i}": s for i, s in enumerate(chunk)}
                                      ).all()))
        counted = {r[0] for r in uow.sql("SELECT serial FROM stocktake_line WHERE "
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
                         "a": uow.actor.empno, "s": sku, "n": serial, "q": qty})
            saved.append(Counted(stocktake_id, sku, name, serial, qty, 0))
        if rows:
            uow.sql("INSERT INTO stocktake_line (stocktake_id, business_day, at, actor, sku, "
                    "serial, quantity) VALUES (:t, :d, :at, :a, :s, :n, :q)", rows)
        totals = dict(uow.sql("SELECT sku, SUM(quantity) FROM stocktake_line WHERE "
                              "stocktake_id = :i GROUP BY sku", {"i": stocktake_id}).all())
        ids = [r[0] for r in uow.sql("SELECT id FROM stocktake_line WHERE stocktake_id = :i "
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
    info = _get(uow.session, stocktake_id, tz)
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
                  payload={"line": line_id, "sku": row[0], "serial": row[1],
                           "quantity": row[2]})
        return _get(uow.session, stocktake_id, ctx.clock.tz)

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
        if row[1] is not None:
            raise BadInput(_("Line {line} is serial {serial}: remove it and scan the right "
                             "serial.").format(line=line_id, serial=row[1]))
        uow.sql("UPDATE stocktake_line SET quantity = :q WHERE id = :l",
                {"q": quantity, "l": line_id})
        uow.audit("stock.stocktake.line_correct", entity="stocktake", entity_id=info.number,
                  payload={"line": line_id, "sku": row[0], "quantity_before": row[2],
                           "quantity": quantity})
        total = uow.sql("SELECT COALESCE(SUM(quantity), 0) FROM stocktake_line WHERE "
                        "stocktake_id = :i AND sku = :s", {"i": stocktake_id, "s": row[0]}
                        ).scalar()
        item = find_item(uow.session, row[0])
        zh = get_language().startswith("zh")
        name = (item.name_zh if zh else item.name_en) if item else row[0]
        return Counted(stocktake_id, row[0], name, None, quantity, int(total), line_id)

    return run_write(ctx, "stock.stocktake.line_correct", work)


def _result(session, info: StocktakeInfo) -> StocktakeResult:
    zh = get_language().startswith("zh")
    place = info.place
    expected_serials = {r[0]: r[1] for r in execute(
        session, "SELECT serial, sku FROM stock_serial WHERE place = :p", {"p": place}).all()}
    counted_serials = {r[0]: r[1] for r in execute(
        session, "SELECT serial, sku FROM stocktake_line WHERE stocktake_id = :i AND serial IS "
        "NOT NULL", {"i": info.id}).all()}
    ledger_place = {}
    extra = [s for s in counted_serials if s not in expected_serials]
    for start_at in range(0, len(extra), 500):
        chunk = extra[start_at:start_at + 500]
        marks = ", ".join(f":s{i}" for i in range(len(chunk)))
        ledger_place.update(dict(execute(session, f"SELECT serial, place FROM stock_serial "
                                         f"WHERE serial IN ({marks})",
                                         {f"s{i}": s for i, s in enumerate(chunk)}).all()))
    missing = sorted((sku, s) for s, sku in expected_serials.items() if s not in counted_serials)
    unexpected = sorted((sku, s, ledger_place.get(s, FOUND)) for s in extra
                        for sku in [counted_serials[s]])
    expected = {r[0]: r[1] for r in execute(
        session, "SELECT sku, quantity FROM stock_balance WHERE place = :p AND quantity > 0",
        {"p": place}).all()}
    counted = {r[0]: r[1] for r in execute(
        session, "SELECT sku, SUM(quantity) FROM stocktake_line WHERE stocktake_id = :i "
        "GROUP BY sku", {"i": info.id}).all()}
    differences: list[Difference] = []
    total = 0
    for sku in sorted(set(expected) | set(counted)):
        want, got = int(expected.get(sku, 0)), int(counted.get(sku, 0))
        if want == got:
            continue
        item = find_item(session, sku)
        unit = item.unit_value_fen if item else 0
        name = (item.name_zh if zh else item.name_en) if item else sku
        differences.append(Difference(sku, name, want, got, got - want, (got - want) * unit))
        total += (got - want) * unit
    return StocktakeResult(info, missing, unexpected, differences, total)


def result(ctx: Ctx, *, stocktake_id: int) -> StocktakeResult:
    """Expected against counted so far (read-only; any time during the count)."""
    may_read(ctx)
    with ctx.store.read() as session:
        return _result(session, _get(session, stocktake_id, ctx.clock.tz))


def finish(ctx: Ctx, *, stocktake_id: int) -> StocktakeResult:
    """Stop counting and show the result (posting is a separate, approved step)."""
    require(ctx.actor, "stock.stocktake")

    def work(uow: UnitOfWork) -> StocktakeResult:
        info = _get(uow.session, stocktake_id, ctx.clock.tz)
        if info.state != "open":
            raise Refused(_("Stocktake {number} is {state}.").format(number=info.number,
                                                                    state=info.state))
        uow.sql("UPDATE stocktake SET state = 'finished', finished_at = :at WHERE id = :i",
                {"at": utc_text(uow.now), "i": stocktake_id})
        res = _result(uow.session, _get(uow.session, stocktake_id, ctx.clock.tz))
        uow.audit("stock.stocktake.finish", entity="stocktake", entity_id=info.number,
                  payload={"missing": len(res.missing), "unexpected": len(res.unexpected),
                           "differences": len(res.differences),
                           "value_difference_fen": res.value_difference_fen})
        return res

    return run_write(ctx, "stock.stocktake.finish", work)


def reopen(ctx: Ctx, *, stocktake_id: int) -> StocktakeInfo:
    """Go back to counting a finished stocktake (a recount before posting)."""
    require(ctx.actor, "stock.stocktake")

    def work(uow: UnitOfWork) -> StocktakeInfo:
        info = _get(uow.session, stocktake_id, ctx.clock.tz)
        if info.state != "finished":
            raise Refused(_("Only a finished stocktake can be counted again."))
        uow.sql("UPDATE stocktake SET state = 'open', finished_at = NULL WHERE id = :i",
                {"i": stocktake_id})
        uow.audit("stock.stocktake.reopen", entity="stocktake", entity_id=info.number)
        return _get(uow.session, stocktake_id, ctx.clock.tz)

    return run_write(ctx, "stock.stocktake.reopen", work)


def post(ctx: Ctx, *, stocktake_id: int, reason: str | None = None,
         approver: Actor | None = None) -> Document | None:
    """Post a finished stocktake: its differences become ledger rows (manager-approved).

    A stocktake that agrees with the ledger posts without approval and writes no rows.
    """
    require(ctx.actor, "stock.stocktake")

    def work(uow: UnitOfWork) -> Document | None:
        info = _get(uow.session, stocktake_id, ctx.clock.tz)
        if info.state != "finished":
            raise Refused(_("Finish stocktake {number} before posting it.").format(
                number=info.number))
        res = _result(uow.session, info)
        doc = None
        who = None
        why = None
        if not res.agrees:
            why = _text(reason, _("The reason"), 200)
            who = _check_second(ctx.actor, approver, "stock.adjust")
            moves = _adjustments(uow, info, res)
            doc = write_moves(uow, kind="adjust", moves=moves, from_place=None,
                              to_place=info.place, reference=info.number, reason=why,
                              approver=who, stocktake_id=info.id)
        uow.sql("UPDATE stocktake SET state = 'posted', posted_at = :at, approver = :ap, "
                "reason = :r, document_id = :doc WHERE id = :i",
                {"at": utc_text(uow.now), "ap": who.empno if who else None, "r": why,
                 "doc": doc.id if doc else None, "i": stocktake_id})
        uow.audit("stock.stocktake.post", entity="stocktake", entity_id=info.number,
                  approver=who, payload={"document": doc.number if doc else None,
                                         "value_difference_fen": res.value_difference_fen})
        return doc

    return run_write(ctx, "stock.stocktake.post", work)


def _adjustments(uow: UnitOfWork, info: StocktakeInfo, res: StocktakeResult) -> list[Move]:
    moves: list[Move] = []
    values: dict[str, int] = {}

    def unit(sku: str) -> int:
        if sku not in values:
            item = find_item(uow.session, sku)
            values[sku] = item.unit_value_fen if item else 0
        return values[sku]

    for sku, serial in res.missing:
        moves.append(Move(sku, serial, 1, info.place, LOST, unit(sku)))
    for sku, serial, where in res.unexpected:
        moves.append(Move(sku, serial, 1, where, info.place, unit(sku)))
    serial_skus = {m.sku for m in moves}
    delta: dict[str, int] = defaultdict(int)
    for d in res.differences:
        item = find_item(uow.session, d.sku)
        if item is not None and item.serialised:
            serial_skus.add(d.sku)
            continue
        delta[d.sku] += d.difference
    for sku, diff in sorted(delta.items()):
        if diff < 0:
            moves.append(Move(sku, None, -diff, info.place, LOST, unit(sku)))
        elif diff > 0:
            moves.append(Move(sku, None, diff, FOUND, info.place, unit(sku)))
    return moves


def cancel(ctx: Ctx, *, stocktake_id: int, reason: str) -> StocktakeInfo:
    """Abandon a stocktake (its lines stay on record; nothing is adjusted)."""
    require(ctx.actor, "stock.stocktake")
    why = _text(reason, _("The reason"), 200)

    def work(uow: UnitOfWork) -> StocktakeInfo:
        info = _get(uow.session, stocktake_id, ctx.clock.tz)
        if info.state not in ("open", "finished"):
            raise Refused(_("Stocktake {number} is {state}.").format(number=info.number,
                                                                    state=info.state))
        uow.sql("UPDATE stocktake SET state = 'cancelled', reason = :r WHERE id = :i",
                {"r": why, "i": stocktake_id})
        uow.audit("stock.stocktake.cancel", entity="stocktake", entity_id=info.number,
                  payload={"reason": why})
        return _get(uow.session, stocktake_id, ctx.clock.tz)

    return run_write(ctx, "stock.stocktake.cancel", work)
