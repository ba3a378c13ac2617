"""Pilot tests of the Sales screen: scan → serial → cash tendered → receipt, and refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Static

from hallterm.services import sales, stock
from tests.pilot import PostHost, pilot_test, settle
from tests.sales_fixtures import HANDSETS, stock_hall


def SalesHost(ctx, settings):
    from screens.posts.sales import SalesScreen

    return PostHost(ctx, SalesScreen, settings)


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def scan(pilot, code: str) -> None:
    await pilot.press(*code, "enter")
    await settle(pilot)


def host(hall, tmp_path):
    stock_hall(hall)
    ctx = replace(hall.sales, counter=1)
    settings = hall.settings.model_copy(update={"receipts_dir": tmp_path / "receipts"})
    return SalesHost(ctx, settings), ctx


@pilot_test
async def test_scan_serial_cash_receipt(hall, tmp_path):
    app, ctx = host(hall, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await scan(pilot, "6941487200028")  # a cable
        await scan(pilot, "6941487200028")  # another: the same line, quantity 2
        await scan(pilot, "6901443512345")  # a handset: asks for its IMEI
        assert "serial" in str(app.screen.query_one("#sales-prompt").render()).lower()
        await scan(pilot, HANDSETS[0])
        cart = app.screen.query_one("#sales-cart")
        assert [(x.sku, x.quantity) for x in cart.lines] == [("ACC-CABLE-C", 2),
                                                              ("HS-HW-M60", 1)]
        assert "¥5,577.00" in text(app, "#cart-total")
        await pilot.press("ctrl+t")
        await settle(pilot)
        await scan(pilot, "5600")
        assert "Received ¥5,600.00, change ¥23.00" in text(app, "#banner-text")
        assert app.errors == []
    files = list((tmp_path / "receipts").glob("R*.txt"))
    assert [f.name for f in files] == ["R20261125-0001.txt"]
    receipt = files[0].read_text(encoding="utf-8")
    # The clerk's screen is English; the customer's receipt is in the hall's language.
    assert "收您 ¥5,600.00，找您 ¥23.00" in receipt and HANDSETS[0] in receipt
    sale = sales.get_sale(ctx, receipt_no="R20261125-0001")
    assert sale.tendered_fen == 560_000 and sale.change_fen == 2300
    assert HANDSETS[0] not in next(x for x in stock.custody(ctx, counter=1).lines
                                   if x.sku == "HS-HW-M60").serials


@pilot_test
async def test_refusals_serial_not_in_custody_and_too_little_cash(hall, tmp_path):
    app, ctx = host(hall, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await scan(pilot, "HS-HW-M60")
        await scan(pilot, HANDSETS[3])  # in the warehouse, not at counter 1
        assert "not in this counter's custody" in text(app, "#sales-message")
        assert app.screen.query_one("#sales-cart").lines == []
        await pilot.press("escape")
        await scan(pilot, "ACC-CASE")
        await pilot.press("ctrl+t")
        await settle(pilot)
        await scan(pilot, "")  # Enter on the empty field: asked for the amount
        assert "Type the amount tendered: ¥49.00 is due." in text(app, "#sales-message")
        await scan(pilot, "40")
        assert "less than" in text(app, "#sales-message")
        assert sales.list_sales(ctx) == []
        await scan(pilot, "50")
        assert "change ¥1.00" in text(app, "#banner-text")


@pilot_test
async def test_not_offered_proposes_alternatives_one_key_adds(hall, tmp_path):
    app, _ctx = host(hall, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await scan(pilot, "SVC-FTTR")  # not offered: alternative SVC-DATA-10G
        assert "not offered" in text(app, "#sales-message")
        await pilot.press("1")
        await settle(pilot)
        assert [x.sku for x in app.screen.query_one("#sales-cart").lines] == ["SVC-DATA-10G"]


@pilot_test
@pytest.mark.slow
async def test_void_from_the_screen_with_the_duty_managers_pin(hall, tmp_path):
    from hallterm.services import cash

    app, ctx = host(hall, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await scan(pilot, "ACC-CASE")
        await scan(pilot, "HS-HW-M60")
        await scan(pilot, "1")  # the first serial listed from custody
        assert [x.sku for x in app.screen.query_one("#sales-cart").lines] == [
            "ACC-CASE", "HS-HW-M60"]
        await pilot.press("ctrl+t")
        await settle(pilot)
        await scan(pilot, "5600")
        receipt = app.screen.last_receipt
        assert receipt == "R20261125-0001"
        await pilot.press("ctrl+g")  # the dialogs wait in a worker: pause, do not settle
        await pilot.pause(0.1)
        for _ in range(3):  # receipt (filled in), void, all
            await pilot.press("enter")
        await pilot.press(*"wrong item", "enter")
        await pilot.pause(0.1)
        await pilot.press(*"8002", "enter", *"246810", "enter")
        for _ in range(20):
            await pilot.pause(0.05)
            if "V20261125" in text(app, "#banner-text"):
                break
        await settle(pilot)
        assert "V20261125-0001" in text(app, "#banner-text")
    assert sales.get_sale(ctx, receipt_no=receipt).state == "void"
    assert cash.expected_cash(ctx, counter=1).expected_fen == 0
    cases = next(x for x in stock.custody(ctx, counter=1).lines if x.sku == "ACC-CASE")
    assert cases.quantity == 5



@pilot_test
async def test_ctrl_e_reaches_the_counter_panel_and_esc_comes_back(hall, tmp_path):
    """From the scan field the clerk reaches the docked panel without the mouse."""
    from screens.widgets.counter_panel import CounterPanel

    app, _ctx = host(hall, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen.focused, CounterPanel)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.focused.id == "sales-scan"


@pilot_test
async def test_a_mistyped_serial_keeps_the_custody_list_and_a_digit_still_picks(hall, tmp_path):
    app, _ctx = host(hall, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await scan(pilot, "6901443512345")  # a handset: its serials in custody are listed
        assert app.screen.serial_choices
        await scan(pilot, "1234")  # a wrong scan: refused, the list stays
        assert app.screen.serial_choices
        await scan(pilot, "1")
        cart = app.screen.query_one("#sales-cart")
        assert [x.sku for x in cart.lines] == ["HS-HW-M60"]
        assert not app.screen.serial_choices


@pilot_test
async def test_the_customer_asks_for_an_english_receipt(hall, tmp_path):
    """Ctrl+K: this receipt prints in the other language, then the hall's again."""
    app, _ctx = host(hall, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        label = app.screen.query_one("#sales-receipt-language", Static)
        assert not label.display
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert label.display and "English" in str(label.render())
        for _sale in (1, 2):
            await scan(pilot, "6941487200028")
            await pilot.press("ctrl+t")
            await settle(pilot)
            await scan(pilot, "50")
        assert not label.display  # the next customer gets the hall's language again
        assert app.errors == []
    first = (tmp_path / "receipts" / "R20261125-0001.txt").read_text(encoding="utf-8")
    second = (tmp_path / "receipts" / "R20261125-0002.txt").read_text(encoding="utf-8")
    assert "SALES RECEIPT" in first and "Received ¥50.00, change ¥11.00" in first
    assert "销售小票" in second
