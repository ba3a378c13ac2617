"""Whether the kept balances and serial places agree with the ledger; stocktakes in progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from hallterm.context import Ctx
from hallterm.i18n import _
from hallterm.services.stock.places import SOURCES
from hallterm.store import execute


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
        for r in execute(session, "SELECT sku, to_place AS place, SUM(quantity) AS quantity "
                         "FROM stock_move GROUP BY sku, to_place").all():
            computed[(r.sku, r.place)] += r.quantity
        for r in execute(session, "SELECT sku, from_place AS place, SUM(quantity) AS quantity "
                         "FROM stock_move GROUP BY sku, from_place").all():
            if r.place not in SOURCES:
                computed[(r.sku, r.place)] -= r.quantity
        kept = {(r.sku, r.place): r.quantity for r in execute(
            session, "SELECT sku, place, quantity FROM stock_balance").all()}
        last = execute(session, "SELECT m.serial, m.sku, m.to_place, m.id FROM stock_move m "
                       "JOIN (SELECT serial, MAX(id) AS id FROM stock_move WHERE serial IS NOT "
                       "NULL GROUP BY serial) x ON x.id = m.id").all()
        places = {r.serial: (r.sku, r.place, r.last_move_id) for r in execute(
            session, "SELECT serial, sku, place, last_move_id FROM stock_serial").all()}
        serial_counts = {(r.sku, r.place): r.serials for r in execute(
            session, "SELECT sku, place, COUNT(*) AS serials FROM stock_serial GROUP BY sku, "
            "place").all()}
        serialised = {r.sku for r in execute(session, "SELECT sku FROM catalog_item WHERE kind "
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
    for r in last:
        kept_place = places.pop(r.serial, None)
        if kept_place != (r.sku, r.to_place, r.id):
            problems.append(_("serial {serial}: kept at {kept}, ledger says {place}").format(
                serial=r.serial, kept=kept_place[1] if kept_place else "-", place=r.to_place))
    for serial in sorted(places):
        problems.append(_("serial {serial} has no ledger row").format(serial=serial))
    # A ledger row changed consistently with its balance still differs from its seal.
    from hallterm.services import audit

    problems.extend(p.describe() for p in audit.rows.check(
        ctx, audit.rows.gather(ctx), tables=audit.rows.STOCK_TABLES))
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
    params: dict[str, str] = {}
    if business_day is not None:
        sql += " AND business_day <= :d"
        params["d"] = business_day.isoformat()
    with ctx.store.read() as session:
        return [StocktakeBlocker(r.id, r.number, r.place, r.state, r.started_by)
                for r in execute(session, sql + " ORDER BY id", params).all()]
