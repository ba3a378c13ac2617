"""A stocktake line can be removed or corrected before posting (service and screen)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from hallterm.errors import Refused
from hallterm.seeds.stock import make_imei
from hallterm.services import audit, stock
from hallterm.services.stock import LineIn, stocktake
from tests.pilot import burst, pilot_test
from tests.test_stock_screen import WarehouseApp, ready, settle


def _stocked(hall):
    clerk = ready(hall)
    serials = [make_imei(i) for i in (1, 2)]
    stock.receive(clerk, document_no="DN-1", supplier="GD",
                  lines=[LineIn("HS-HW-M60", s) for s in serials] + [LineIn("ACC-CASE", None, 5)])
    return clerk, serials


def test_remove_and_correct_lines_before_posting(hall):
    clerk, serials = _stocked(hall)
    take = stocktake.start(clerk, place="warehouse")
    first = stocktake.count(clerk, stocktake_id=take.id, code=serials[0])
    twice = stocktake.count(clerk, stocktake_id=take.id, code="ACC-CASE", quantity=5)
    cases = stocktake.count(clerk, stocktake_id=take.id, code="ACC-CASE", quantity=4)
    assert None not in (first.line_id, twice.line_id, cases.line_id)
    assert [c.line_id for c in stocktake.lines(clerk, stocktake_id=take.id)] == [
        cases.line_id, twice.line_id, first.line_id]
    # The cases were counted twice: remove one line, correct the other.
    info = stocktake.remove_line(clerk, stocktake_id=take.id, line_id=twice.line_id)
    assert (info.lines, info.counted) == (2, 5)
    fixed = stocktake.correct_line(clerk, stocktake_id=take.id, line_id=cases.line_id,
                                   quantity=5)
    assert (fixed.quantity, fixed.item_total) == (5, 5)
    with pytest.raises(Exception, match="remove it and scan"):
        stocktake.correct_line(clerk, stocktake_id=take.id, line_id=first.line_id, quantity=2)
    stocktake.count(clerk, stocktake_id=take.id, code=serials[1])
    res = stocktake.finish(clerk, stocktake_id=take.id)
    assert res.agrees
    with pytest.raises(Refused, match="reopen"):
        stocktake.remove_line(clerk, stocktake_id=take.id, line_id=first.line_id)
    actions = [r.action for r in audit.recent(hall.manager, limit=20)]
    assert "stock.stocktake.line_remove" in actions and "stock.stocktake.line_correct" in actions
    assert stocktake.post(clerk, stocktake_id=take.id) is None  # agrees: nothing to adjust


@pilot_test
async def test_a_wrong_line_is_removed_and_a_quantity_corrected_on_screen(hall):
    clerk, serials = _stocked(hall)
    stranger = make_imei(9)  # not in the ledger: counted under the current item
    app = WarehouseApp(clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        keys = [k for code in ("HS-HW-M60", serials[0], stranger, serials[1], "ACC-CASE", "4")
                for k in (*code, "enter")]
        await burst(pilot, *keys)
        await settle(pilot)
        table = screen.query_one("#wh-lines", DataTable)
        assert table.row_count == 4 and screen.take.lines == 4
        # The stray serial: highlight it (Up twice from the last line) and remove it.
        await pilot.press("up", "up")
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert table.row_count == 3 and screen.take.lines == 3
        assert stranger not in " ".join(str(table.get_row_at(i)) for i in range(3))
        # The cases: 5, not 4.
        await pilot.press("down", "down")
        await pilot.press("ctrl+n")
        await settle(pilot)
        app.screen.query_one("#field-quantity").value = ""
        await pilot.press("5", "enter")
        await settle(pilot)
        assert "× 5" in str(table.get_row_at(2)[2])
        await pilot.press("ctrl+f")
        await settle(pilot)
        summary = str(screen.query_one("#wh-summary", Static).render())
        assert "The count agrees with the ledger." in summary, summary
        assert app.errors == []
