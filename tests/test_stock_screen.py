"""The Warehouse screen with Textual's Pilot: receive by scanning, issue, history, stocktake."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from hallterm.seeds.stock import make_imei
from hallterm.services import catalog, stock
from hallterm.services.stock import LineIn
from tests.pilot import PostHost, pilot_test
from tests.pilot import settle as _settle

ROOT = Path(__file__).parent.parent
SIZE = (120, 40)


run_async = pilot_test


def WarehouseApp(ctx):
    from screens.posts.warehouse import WarehouseScreen

    return PostHost(ctx, WarehouseScreen)


async def settle(pilot) -> None:
    """Let service calls finish (not a worker waiting on a dialog: it waits for us)."""
    await _settle(pilot, waiting_groups=("warehouse-post",))


async def type_enter(pilot, text: str, *, keys: bool = False) -> None:
    """Type into the focused input and press Enter (as a scanner does).

    Long codes are put in at once (``keys=False``): pressing each key costs a
    screen refresh, and one test types a whole serial key by key anyway.
    """
    if keys or len(text) <= 4:
        await pilot.press(*text, "enter")
    else:
        pilot.app.focused.insert_text_at_cursor(text)
        await pilot.press("enter")
    await settle(pilot)


def cells(table: DataTable) -> list[str]:
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def ready(hall, counter: int = 1):
    catalog.load_catalog(hall.manager, path=ROOT / "data" / "catalog.toml")
    hall.add("8004", "sales")
    from hallterm.services import queue

    # The counter open with 8004: its keeper signs for stock issued to it.
    queue.set_counter_state(hall.manager, counter=counter, state="open", clerk="8004")
    return hall.add("8008", "warehouse")


@run_async
@pytest.mark.slow
async def test_receive_by_scanning_issue_with_pin_and_history(hall):
    clerk = ready(hall, counter=2)
    good = [make_imei(i, "35209900") for i in (1, 2, 3)]
    wrong = good[1][:-1] + str((int(good[1][-1]) + 1) % 10)
    app = WarehouseApp(clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_enter(pilot, "DN7")
        await type_enter(pilot, "GD")
        screen = app.screen
        assert screen.mode == "document"
        await type_enter(pilot, "6901443512345")  # the handset's barcode: the current item
        await type_enter(pilot, good[0], keys=True)  # key by key, as a scanner types
        for serial in (wrong, good[1], good[2]):
            await type_enter(pilot, serial)
        rows = cells(screen.query_one("#wh-lines", DataTable))
        assert len(rows) == 4
        assert "check digit" in rows[1] and "✗" in rows[1]
        assert all("✓" in rows[i] for i in (0, 2, 3))
        assert len(screen.draft.lines) == 3
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.mode == "stock"
        totals = str(screen.query_one("#wh-totals", Static).render())
        assert "3 units" in totals
        # Issue two to counter 2; 8004 confirms with their PIN on this terminal.
        await pilot.press("i")
        await settle(pilot)
        await type_enter(pilot, "2")
        await type_enter(pilot, good[0])
        await type_enter(pilot, good[1])
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_enter(pilot, "8004")
        await type_enter(pilot, "246810")
        assert screen.mode == "stock"
        # Where has the first IMEI been?
        await pilot.press("h")
        await settle(pilot)
        await type_enter(pilot, good[0])
        moves = cells(screen.query_one("#wh-moves", DataTable))
        assert len(moves) == 2 and "Receipt" in moves[0] and "Issue to counter" in moves[1]
        assert "8008 → 8004" in moves[1]
        assert "Counter 2" in str(screen.query_one("#wh-where", Static).render())
    assert not app.bugs
    assert stock.custody(clerk, counter=2).quantity == 2


@run_async
@pytest.mark.slow
async def test_valuable_cards_ask_for_a_second_person(hall):
    clerk = ready(hall)
    hall.add("8002", "duty_manager")
    app = WarehouseApp(clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_enter(pilot, "DN8")
        await type_enter(pilot, "GD")
        await type_enter(pilot, "VC-50")
        await type_enter(pilot, "VC50Z0001")
        await pilot.press("ctrl+s")
        await settle(pilot)
        from screens.widgets.approval import ApprovalDialog

        assert isinstance(app.screen, ApprovalDialog)
        await type_enter(pilot, "8004")  # a sales clerk may not witness
        await type_enter(pilot, "246810")
        assert isinstance(app.screen, ApprovalDialog)
        assert "may not approve" in str(app.screen.query_one("#dialog-message").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.mode == "document"  # nothing written, the document as entered
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_enter(pilot, "8002")
        await type_enter(pilot, "246810")
        assert app.screen.mode == "stock"
    assert stock.balances(clerk).cards == 1


@run_async
@pytest.mark.slow
async def test_stocktake_is_resumable_and_posts_with_the_manager(hall):
    clerk = ready(hall)
    serials = [make_imei(i) for i in (1, 2, 3)]
    stock.receive(clerk, document_no="DN-1", supplier="GD",
                  lines=[LineIn("HS-HW-M60", s) for s in serials] + [LineIn("ACC-CASE", None, 5)])
    app = WarehouseApp(clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("enter")  # the warehouse (the default)
        await settle(pilot)
        screen = app.screen
        assert screen.mode == "stocktake"
        await type_enter(pilot, serials[0])
        await pilot.press("escape")  # leave; the stocktake stays open
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.take.lines == 1
        await type_enter(pilot, serials[1])
        await type_enter(pilot, serials[1])  # twice: refused on its line
        await type_enter(pilot, "6941487200035")  # the case's barcode, then its quantity
        await type_enter(pilot, "4")
        rows = cells(screen.query_one("#wh-lines", DataTable))
        assert "already counted" in rows[-2] and "4 in all" in rows[-1]
        await pilot.press("ctrl+f")
        await settle(pilot)
        summary = str(screen.query_one("#wh-summary", Static).render())
        assert f"Missing: HS-HW-M60 {serials[2]}" in summary
        assert "expected 5, counted 4" in summary
        assert "value of the difference -¥5,548.00" in summary  # a handset and a case
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_enter(pilot, "annual")
        await type_enter(pilot, "9001")
        await type_enter(pilot, "123456")
        assert screen.mode == "stock"
    assert stock.history(clerk, serial=serials[2]).place == "lost"
    assert stock.verify(clerk).ok


@run_async
async def test_manager_reads_but_cannot_move(hall):
    ready(hall)
    app = WarehouseApp(hall.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.mode == "stock"
        assert "Read only" in str(app.screen.query_one("#wh-hint", Static).render())


@run_async
@pytest.mark.slow
async def test_return_and_write_off_from_the_keyboard(hall):
    clerk = ready(hall)
    serials = [make_imei(i) for i in (1, 2)]
    stock.receive(clerk, document_no="DN-1", supplier="GD",
                  lines=[LineIn("HS-HW-M60", s) for s in serials])
    from hallterm.services.staff import confirm_person

    stock.issue(clerk, counter=1, lines=[LineIn("", serials[0])],
                receiver=confirm_person(clerk, empno="8004", pin="246810"))
    app = WarehouseApp(clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await type_enter(pilot, "1")
        await pilot.press("enter")  # no reason
        await settle(pilot)
        await type_enter(pilot, serials[0])
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.mode == "stock"
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter", "enter")  # from the warehouse, to damaged
        await type_enter(pilot, "cracked")
        await type_enter(pilot, serials[1])
        await type_enter(pilot, serials[0])
        await pilot.press("ctrl+d")  # the last line goes again
        await settle(pilot)
        assert len(app.screen.draft.lines) == 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_enter(pilot, "9001")
        await type_enter(pilot, "123456")
        assert app.screen.mode == "stock"
    assert stock.history(clerk, serial=serials[0]).place == "warehouse"
    hist = stock.history(clerk, serial=serials[1])
    assert hist.place == "damaged" and hist.moves[-1].approver == "9001"
