"""Reading stock: balances by place, a counter's custody, a serial's history, documents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from hallterm.context import Ctx
from hallterm.errors import Forbidden, NotFound
from hallterm.i18n import _
from hallterm.services.stock.checks import SerialPlace, clean_serial, may_read
from hallterm.services.stock.ledger import Document
from hallterm.services.stock.places import counter_of, counter_place, parse_place, place_order
from hallterm.store import execute


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


def balances(ctx: Ctx, *, place: str | None = None, include_terminal: bool = False
             ) -> StockReport:
    """Stock by item and place (holding places unless ``place`` or ``include_terminal``)."""
    may_read(ctx)
    where, params = "b.quantity > 0", {}  # type: tuple[str, dict[str, str]]
    if place is not None:
        where += " AND b.place = :p"
        params["p"] = parse_place(place)
    elif not include_terminal:
        where += " AND (b.place = 'warehouse' OR b.place LIKE 'counter:%')"
    with ctx.store.read() as session:
        number = counter_of(params["p"]) if place is not None else None
        if number is not None:
            from hallterm.services.queue import require_counter

            require_counter(session, number)
        raw = execute(session, "SELECT b.sku, i.name_zh, i.name_en, i.kind, b.place, b.quantity, "
                      "i.price_fen, i.face_value_fen FROM stock_balance b JOIN catalog_item i "
                      f"ON i.sku = b.sku WHERE {where}", params).all()
    from hallterm.i18n import get_language

    zh = get_language().startswith("zh")
    rows = []
    for r in raw:
        unit = r.face_value_fen if r.kind == "valuable_card" else r.price_fen
        rows.append(BalanceRow(r.sku, r.name_zh if zh else r.name_en, r.kind, r.place,
                               r.quantity, unit, r.quantity * unit))
    rows.sort(key=lambda r: (place_order(r.place), r.sku))
    totals: dict[str, list[int]] = {}
    for r in rows:
        t = totals.setdefault(r.place, [0, 0, 0, 0])
        t[0] += r.quantity
        t[1] += r.value_fen
        if r.kind == "valuable_card":
            t[2] += r.quantity
            t[3] += r.value_fen
    places = [PlaceTotal(p, *t) for p, t in sorted(totals.items(),
                                                   key=lambda kv: place_order(kv[0]))]
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
        for r in execute(session, "SELECT sku, serial FROM stock_serial WHERE place = :p "
                         "ORDER BY serial", {"p": place}).all():
            serials[r.sku].append(r.serial)
    lines = []
    for r in raw:
        unit = r.face_value_fen if r.kind == "valuable_card" else r.price_fen
        lines.append(CustodyLine(r.sku, r.name_zh if zh else r.name_en, r.kind, r.quantity,
                                 r.quantity * unit, tuple(serials.get(r.sku, ()))))
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
    text = clean_serial(serial)
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
    moves = [HistoryRow(datetime.fromisoformat(r.at).astimezone(tz), r.number, r.kind,
                        r.from_place, r.to_place, r.actor, r.confirmer, r.approver, r.reference)
             for r in rows]
    return SerialHistory(text, now.sku, now.place, moves)


def serials_at(ctx: Ctx, *, place: str, sku: str | None = None, offset: int = 0,
               limit: int = 200) -> list[tuple[str, str]]:
    """(serial, sku) at a place, a page at a time."""
    may_read(ctx)
    sql = "SELECT serial, sku FROM stock_serial WHERE place = :p"
    params: dict[str, str | int] = {"p": parse_place(place), "n": limit, "o": offset}
    if sku:
        sql += " AND sku = :s"
        params["s"] = sku
    with ctx.store.read() as session:
        return [(r.serial, r.sku) for r in execute(
            session, sql + " ORDER BY sku, serial LIMIT :n OFFSET :o", params).all()]


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
    return [Document(r.id, r.number, r.kind, date.fromisoformat(r.business_day),
                     datetime.fromisoformat(r.at).astimezone(tz), r.actor, r.confirmer,
                     r.approver, r.from_place, r.to_place, r.reference, r.supplier, r.reason,
                     r.lines, r.quantity, r.value_fen) for r in rows]


# -- reads for other areas, inside their own read or write -------------------------------
def serial_place(session, serial: str) -> SerialPlace | None:
    """Where the ledger has ``serial`` now (its item and place), or ``None``."""
    row = execute(session, "SELECT sku, place FROM stock_serial WHERE serial = :s",
                  {"s": serial}).first()
    return SerialPlace(row.sku, row.place) if row is not None else None


def serials_in(session, *, place: str, sku: str, skip: Collection[str] = (),
               limit: int = 9) -> list[str]:
    """The first ``limit`` serials of ``sku`` at ``place`` in serial order, leaving out ``skip``."""
    rows = execute(session, "SELECT serial FROM stock_serial WHERE place = :p AND sku = :sku "
                   "ORDER BY serial LIMIT :n", {"p": place, "sku": sku,
                                                "n": limit + len(skip)}).all()
    return [r.serial for r in rows if r.serial not in skip][:limit]
