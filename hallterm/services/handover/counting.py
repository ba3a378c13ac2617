"""Step 2: the outgoing clerk's blind count of the drawer and the custody stock."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

from hallterm.clock import utc_text
from hallterm.context import Ctx, UnitOfWork, run_check, run_write
from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.money import format_fen
from hallterm.permissions import require
from hallterm.services.handover.custody import _evaluate
from hallterm.services.handover.inputs import _threshold, add_denomination
from hallterm.services.handover.reads import _expect_state, _result, _row
from hallterm.services.handover.views import ACTIVE, HandoverView


def _counted_cash(cash_fen: int | None, denominations: Mapping[int, int] | None
                  ) -> tuple[int, dict[int, int]]:
    """The counted total and the notes by face, or why they cannot be used."""
    notes: dict[int, int] = {}
    for face, count in (denominations or {}).items():
        add_denomination(notes, int(face), int(count))
    if denominations:
        total = sum(face * n for face, n in notes.items())
        if cash_fen is not None and cash_fen != total:
            raise BadInput(_("The denominations add up to {total}, not {cash}.").format(
                total=format_fen(total), cash=format_fen(cash_fen)))
        cash_fen = total
    if cash_fen is None:
        raise BadInput(_("Count the cash: a total or by denomination."))
    if not isinstance(cash_fen, int) or isinstance(cash_fen, bool) or cash_fen < 0:
        raise BadInput(_("Counted cash cannot be negative."))
    return cash_fen, notes


def check_count(ctx: Ctx, *, counter: int, cash_fen: int | None = None,
                denominations: Mapping[int, int] | None = None,
                serials: Sequence[str] = (), counts: Mapping[str, int] | None = None) -> None:
    """Validate a blind count (cash, denominations, serials, items) without writing it.

    The cash is checked when given (a count without it is asked for later).
    """
    if cash_fen is not None or denominations:
        _counted_cash(cash_fen, denominations)
    run_check(ctx, lambda unit: _evaluate(unit.session, counter, serials, counts or {}))


def submit_count(ctx: Ctx, *, handover_id: int, cash_fen: int | None = None,
                 denominations: Mapping[int, int] | None = None,
                 serials: Sequence[str] = (), counts: Mapping[str, int] | None = None
                 ) -> HandoverView:
    """Record the outgoing clerk's blind count; the view then shows expected vs counted.

    The cash is a total (``cash_fen``) or by denomination ({face in fen: count}); given
    both, they must agree. Every serial in custody must be scanned and every counted
    item's quantity entered (an item not entered counts as none). Counting again
    before the handover is finished replaces the previous count.
    """
    require(ctx.actor, "handover.run")
    cash_fen, notes = _counted_cash(cash_fen, denominations)
    threshold = _threshold(ctx)

    def work(uow: UnitOfWork) -> HandoverView:
        from hallterm.services.cash import drawer_in

        row = _row(uow, handover_id)
        _expect_state(row, *ACTIVE)
        day = uow.open_day(date.fromisoformat(row.business_day))
        lines = _evaluate(uow.session, row.counter, serials, counts or {})
        expected = drawer_in(uow.session, counter=row.counter, business_day=day).expected_fen
        # Counted minus expected, in value: a shortage is negative (as the cash).
        stock_value = sum(x.difference * x.unit_value_fen for x in lines)
        uow.sql("DELETE FROM handover_line WHERE handover_id = :h", {"h": row.id})
        if lines:
            uow.sql("INSERT INTO handover_line (handover_id, business_day, sku, serial, "
                    "expected_quantity, counted_quantity, difference, unit_value_fen, status) "
                    "VALUES (:h, :d, :sku, :serial, :e, :c, :x, :v, :s)",
                    [{"h": row.id, "d": day.isoformat(), "sku": x.sku, "serial": x.serial,
                      "e": x.expected_quantity, "c": x.counted_quantity, "x": x.difference,
                      "v": x.unit_value_fen, "s": x.status} for x in lines])
        uow.sql("UPDATE handover SET state = 'counted', counted_at = :at, counted_fen = :n, "
                "denominations = :dn, expected_fen = :e, difference_fen = :x, "
                "stock_difference_fen = :sv, cash_reason = NULL, stock_reason = NULL, "
                "witness = NULL, reviewed_at = NULL WHERE id = :i",
                {"at": utc_text(uow.now), "n": cash_fen,
                 "dn": json.dumps({str(k): v for k, v in sorted(notes.items(), reverse=True)})
                 if notes else None, "e": expected, "x": cash_fen - expected,
                 "sv": stock_value, "i": row.id})
        differences = [x for x in lines if x.difference]
        uow.audit("handover.count", entity="handover", entity_id=row.number, business_day=day,
                  payload={"counter": row.counter, "counted_fen": cash_fen, "expected_fen": expected,
                           "difference_fen": cash_fen - expected,
                           "denominations": {str(k): v for k, v in notes.items()},
                           "stock_lines": len(lines), "stock_difference_fen": stock_value,
                           "stock_differences": [
                               {"sku": x.sku, "serial": x.serial, "difference": x.difference}
                               for x in differences[:50]],
                           "recount": row.state != "started"})
        return _result(ctx, uow, row.id, threshold)

    return run_write(ctx, "handover.count", work)
