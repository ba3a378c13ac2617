"""The custody stock a counter should hold, and a count compared with it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.parsing import clean_serial
from hallterm.services.handover.views import StockLine
from hallterm.store import execute


def _carried(session: Any, counter: int) -> tuple[dict[str, tuple[str, int]], dict[str, int]]:
    """The stock differences earlier counts of ``counter`` found and the ledger still has.

    A finished handover re-bases the counter's custody: the incoming clerk takes over
    what was counted, so its differences are carried into what the counter should
    hold until the ledger is put right — by a stocktake of the counter posted after
    it (which re-bases the ledger itself), by a write-off of a missing serial (the
    serial has left the counter's ledger), or by writing short goods off to lost.
    Returns ``({serial: (sku, net difference)}, {sku: net difference})``.
    """
    from hallterm.services.stock import LOST, counter_place

    place = counter_place(int(counter))
    since = execute(session, "SELECT MAX(posted_at) FROM stocktake WHERE place = :p AND "
                    "state = 'posted'", {"p": place}).scalar() or ""
    serials: dict[str, tuple[str, int]] = {}
    goods: dict[str, int] = {}
    for r in execute(
            session, "SELECT l.sku, l.serial, SUM(l.difference) AS diff, MIN(h.finished_at) "
            "AS first_at FROM "
            "handover_line l JOIN handover h ON h.id = l.handover_id WHERE h.counter = :c AND "
            "h.state = 'done' AND h.finished_at > :since AND l.difference != 0 GROUP BY "
            "l.serial, l.sku", {"c": int(counter), "since": since}).all():
        if not r.diff:
            continue
        if r.serial is not None:
            serials[r.serial] = (r.sku, int(r.diff))
            continue
        diff = int(r.diff)
        if diff < 0:  # short goods written off to lost since are put right
            gone = execute(session, "SELECT COALESCE(SUM(m.quantity), 0) FROM stock_move m JOIN "
                           "stock_document d ON d.id = m.document_id WHERE d.kind = 'write_off' "
                           "AND m.from_place = :p AND m.to_place = :lost AND m.sku = :s AND "
                           "m.at > :first", {"p": place, "lost": LOST, "s": r.sku,
                                             "first": r.first_at}).scalar() or 0
            diff = min(0, diff + int(gone))
        if diff:
            goods[r.sku] = diff
    return serials, goods


def _evaluate(session: Any, counter: int, serials: Sequence[str], counts: Mapping[str, int]
              ) -> list[StockLine]:
    """Compare a custody count with what the counter should hold (on an open session):
    the ledger's custody, re-based by the differences earlier counts found (``_carried``)."""
    from hallterm.services.catalog import find_item
    from hallterm.services.stock import counter_place

    place = counter_place(int(counter))
    carried_serials, carried_goods = _carried(session, counter)
    held = execute(session, "SELECT b.sku, i.kind, b.quantity, i.price_fen, i.face_value_fen "
                   "FROM stock_balance b JOIN catalog_item i ON i.sku = b.sku WHERE "
                   "b.place = :p AND b.quantity > 0 ORDER BY b.sku", {"p": place}).all()
    unit = {r.sku: (r.face_value_fen if r.kind == "valuable_card" else r.price_fen) or 0
            for r in held}
    at_place = {r.serial: r.sku for r in execute(
        session, "SELECT serial, sku FROM stock_serial WHERE place = :p", {"p": place}).all()}
    scanned: list[str] = []
    for text in serials:
        serial = clean_serial(text)
        if not serial:
            continue
        if len(serial) > 32:
            raise BadInput(_("Not a serial: {serial}").format(serial=text))
        if serial not in scanned:
            scanned.append(serial)
    counted: dict[str, int] = {}
    for code, quantity in counts.items():
        item = find_item(session, code)
        if item is None:
            raise BadInput(_("Unknown item {code}.").format(code=code))
        if item.serialised:
            raise BadInput(_("{sku} is counted by scanning its serials, not by quantity.")
                           .format(sku=item.sku))
        if not item.stocked:
            raise BadInput(_("{sku} is a service and has no stock").format(sku=item.sku))
        if not isinstance(quantity, int) or quantity < 0:
            raise BadInput(_("A counted quantity is a whole number, 0 or more."))
        counted[item.sku] = counted.get(item.sku, 0) + quantity
        if item.sku not in unit:
            unit[item.sku] = (item.face_value_fen if item.kind == "valuable_card"
                              else item.price_fen) or 0

    def value_of(sku: str | None) -> int:
        if not sku:
            return 0
        if sku not in unit:
            item = find_item(session, sku)
            unit[sku] = ((item.face_value_fen if item.kind == "valuable_card"
                          else item.price_fen) or 0) if item else 0
        return unit[sku]

    # Serials the counter should hold: the ledger's, less those found missing before,
    # plus those found there before that the ledger places elsewhere.
    expected_serials = dict(at_place)
    for serial, (sku, diff) in carried_serials.items():
        if min(1, max(0, int(serial in at_place) + diff)):
            expected_serials.setdefault(serial, sku)
        else:
            expected_serials.pop(serial, None)
    lines: list[StockLine] = []
    for serial, sku in sorted(expected_serials.items(), key=lambda kv: (kv[1], kv[0])):
        found = serial in scanned
        lines.append(StockLine(sku, serial, 1, int(found), int(found) - 1, value_of(sku),
                               "ok" if found else "missing"))
    for serial in scanned:
        if serial in expected_serials:
            continue
        where = at_place.get(serial) or execute(
            session, "SELECT sku FROM stock_serial WHERE serial = :s", {"s": serial}).scalar()
        lines.append(StockLine(where or "", serial, 0, 1, 1, value_of(where), "extra"))
    expected = {r.sku: int(r.quantity) for r in held
                if r.kind not in ("serialised", "valuable_card")}
    for sku, diff in carried_goods.items():
        expected[sku] = max(0, expected.get(sku, 0) + diff)
        if not expected[sku]:
            del expected[sku]
        value_of(sku)
    for sku in sorted(set(expected) | set(counted)):
        want, have = expected.get(sku, 0), counted.get(sku, 0)
        status = "ok" if have == want else ("short" if have < want else "over")
        lines.append(StockLine(sku, None, want, have, have - want, unit.get(sku, 0), status))
    return lines
