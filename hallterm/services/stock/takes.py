"""A stocktake's records: what it is, the lines counted so far, and its result against
the ledger (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hallterm.context import Ctx
from hallterm.errors import NotFound
from hallterm.i18n import _, get_language
from hallterm.services.catalog import find_item
from hallterm.services.stock.checks import may_read
from hallterm.services.stock.places import FOUND, parse_place
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
         "(SELECT COUNT(*) FROM stocktake_line l WHERE l.stocktake_id = t.id) AS lines, "
         "(SELECT COALESCE(SUM(quantity), 0) FROM stocktake_line l WHERE l.stocktake_id = t.id) "
         "AS counted FROM stocktake t ")


def info_of(row, tz) -> StocktakeInfo:
    return StocktakeInfo(row.id, row.number, row.place, date.fromisoformat(row.business_day),
                         row.state, datetime.fromisoformat(row.started_at).astimezone(tz),
                         row.started_by, row.lines, row.counted)


def get_take(session, stocktake_id: int, tz) -> StocktakeInfo:
    row = execute(session, _INFO + "WHERE t.id = :i", {"i": stocktake_id}).first()
    if row is None:
        raise NotFound(_("No stocktake {id}.").format(id=stocktake_id))
    return info_of(row, tz)


def in_progress(ctx: Ctx, *, place: str) -> StocktakeInfo | None:
    """The stocktake of ``place`` still open or finished (to resume it), if any."""
    may_read(ctx)
    with ctx.store.read() as session:
        row = execute(session, _INFO + "WHERE t.place = :p AND t.state IN ('open', 'finished')",
                      {"p": parse_place(place)}).first()
    return info_of(row, ctx.clock.tz) if row else None


def lines(ctx: Ctx, *, stocktake_id: int, offset: int = 0, limit: int = 500) -> list[Counted]:
    """Counted lines as entered, newest first, a page at a time."""
    may_read(ctx)
    zh = get_language().startswith("zh")
    with ctx.store.read() as session:
        rows = execute(session, "SELECT l.sku, i.name_zh, i.name_en, l.serial, l.quantity, l.id "
                       "FROM stocktake_line l JOIN catalog_item i ON i.sku = l.sku WHERE "
                       "l.stocktake_id = :i ORDER BY l.id DESC LIMIT :n OFFSET :o",
                       {"i": stocktake_id, "n": limit, "o": offset}).all()
    return [Counted(stocktake_id, r.sku, r.name_zh if zh else r.name_en, r.serial, r.quantity,
                    0, r.id)
            for r in rows]


def result_of(session, info: StocktakeInfo) -> StocktakeResult:
    zh = get_language().startswith("zh")
    place = info.place
    expected_serials = {r.serial: r.sku for r in execute(
        session, "SELECT serial, sku FROM stock_serial WHERE place = :p", {"p": place}).all()}
    counted_serials = {r.serial: r.sku for r in execute(
        session, "SELECT serial, sku FROM stocktake_line WHERE stocktake_id = :i AND serial IS "
        "NOT NULL", {"i": info.id}).all()}
    ledger_place: dict[str, str] = {}
    extra = [s for s in counted_serials if s not in expected_serials]
    for start_at in range(0, len(extra), 500):
        chunk = extra[start_at:start_at + 500]
        marks = ", ".join(f":s{i}" for i in range(len(chunk)))
        ledger_place.update({r.serial: r.place for r in execute(
            session, f"SELECT serial, place FROM stock_serial WHERE serial IN ({marks})",
            {f"s{i}": s for i, s in enumerate(chunk)}).all()})
    missing = sorted((sku, s) for s, sku in expected_serials.items() if s not in counted_serials)
    unexpected = sorted((sku, s, ledger_place.get(s, FOUND)) for s in extra
                        for sku in [counted_serials[s]])
    expected = {r.sku: r.quantity for r in execute(
        session, "SELECT sku, quantity FROM stock_balance WHERE place = :p AND quantity > 0",
        {"p": place}).all()}
    counted = {r.sku: r.quantity for r in execute(
        session, "SELECT sku, SUM(quantity) AS quantity FROM stocktake_line WHERE stocktake_id = :i "
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
        return result_of(session, get_take(session, stocktake_id, ctx.clock.tz))
