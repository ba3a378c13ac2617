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

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, Refused
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services import approvals
from hallterm.services.catalog import find_item
from hallterm.services.stock.counting import (
    Entry,
    StocktakeScan,
    correct_line,
    count,
    count_many,
    remove_line,
    scan,
)
from hallterm.services.stock.ledger import Document, Move, text_field, write_moves
from hallterm.services.stock.places import (
    FOUND,
    LOST,
    counter_of,
    is_holding,
    parse_place,
    place_label,
)
from hallterm.services.stock.takes import (
    Counted,
    Difference,
    StocktakeInfo,
    StocktakeResult,
    get_take,
    in_progress,
    lines,
    result,
    result_of,
)

__all__ = ["Counted", "Difference", "Entry", "StocktakeInfo", "StocktakeResult", "StocktakeScan",
           "cancel", "correct_line", "count", "count_many", "finish", "in_progress", "lines",
           "post", "remove_line", "reopen", "result", "scan", "start"]


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
                            ).format(number=busy.number, place=place_label(where)))
        counter_no = counter_of(where)
        if counter_no is not None and uow.sql("SELECT 1 FROM counter WHERE number = :n",
                                              {"n": counter_no}).first() is None:
            raise BadInput(_("There is no counter {n}.").format(n=counter_no))
        empno = uow.actor.empno if uow.actor else "system"
        number = f"PD{day.year}-{uow.next_number(f'stocktake:{day.year}'):05d}"
        new_id = uow.sql("INSERT INTO stocktake (number, place, business_day, state, started_at, "
                         "started_by) VALUES (:n, :p, :d, 'open', :at, :by) RETURNING id",
                         {"n": number, "p": where, "d": day.isoformat(),
                          "at": utc_text(uow.now), "by": empno}).scalar()
        uow.audit("stock.stocktake.start", entity="stocktake", entity_id=number,
                  payload={"place": where})
        return StocktakeInfo(new_id, number, where, day, "open", uow.now, empno, 0, 0)

    return run_write(ctx, "stock.stocktake.start", work)


def finish(ctx: Ctx, *, stocktake_id: int) -> StocktakeResult:
    """Stop counting and show the result (posting is a separate, approved step)."""
    require(ctx.actor, "stock.stocktake")

    def work(uow: UnitOfWork) -> StocktakeResult:
        info = get_take(uow.session, stocktake_id, ctx.clock.tz)
        if info.state != "open":
            raise Refused(_("Stocktake {number} is {state}.").format(number=info.number,
                                                                    state=info.state))
        uow.sql("UPDATE stocktake SET state = 'finished', finished_at = :at WHERE id = :i",
                {"at": utc_text(uow.now), "i": stocktake_id})
        res = result_of(uow.session, get_take(uow.session, stocktake_id, ctx.clock.tz))
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
        info = get_take(uow.session, stocktake_id, ctx.clock.tz)
        if info.state != "finished":
            raise Refused(_("Only a finished stocktake can be counted again."))
        uow.sql("UPDATE stocktake SET state = 'open', finished_at = NULL WHERE id = :i",
                {"i": stocktake_id})
        uow.audit("stock.stocktake.reopen", entity="stocktake", entity_id=info.number)
        return get_take(uow.session, stocktake_id, ctx.clock.tz)

    return run_write(ctx, "stock.stocktake.reopen", work)


def post(ctx: Ctx, *, stocktake_id: int, reason: str | None = None,
         approver: Actor | None = None) -> Document | None:
    """Post a finished stocktake: its differences become ledger rows (manager-approved).

    A stocktake that agrees with the ledger posts without approval and writes no rows.
    """
    require(ctx.actor, "stock.stocktake")

    def work(uow: UnitOfWork) -> Document | None:
        info = get_take(uow.session, stocktake_id, ctx.clock.tz)
        if info.state != "finished":
            raise Refused(_("Finish stocktake {number} before posting it.").format(
                number=info.number))
        res = result_of(uow.session, info)
        doc = None
        who = None
        why = None
        if not res.agrees:
            why = text_field(reason, _("The reason"), 200)
            who = approvals.check_second(ctx, approver, "stock.adjust")
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
    why = text_field(reason, _("The reason"), 200)

    def work(uow: UnitOfWork) -> StocktakeInfo:
        info = get_take(uow.session, stocktake_id, ctx.clock.tz)
        if info.state not in ("open", "finished"):
            raise Refused(_("Stocktake {number} is {state}.").format(number=info.number,
                                                                    state=info.state))
        uow.sql("UPDATE stocktake SET state = 'cancelled', reason = :r WHERE id = :i",
                {"r": why, "i": stocktake_id})
        uow.audit("stock.stocktake.cancel", entity="stocktake", entity_id=info.number,
                  payload={"reason": why})
        return get_take(uow.session, stocktake_id, ctx.clock.tz)

    return run_write(ctx, "stock.stocktake.cancel", work)
