"""A cart line's quantity is checked against the counter's custody when it is added or
changed, not only at payment."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Static

from hallterm.errors import Refused
from hallterm.services import sales
from tests.pilot import pilot_test, settle
from tests.sales_fixtures import item_line, stock_hall
from tests.test_sales_screen import SalesHost


def test_check_cart_refuses_more_than_the_counter_holds(hall):
    stock_hall(hall)  # counter 1 holds 10 cables and 5 cases
    ctx = replace(hall.sales, counter=1)
    cables = item_line(ctx, "ACC-CABLE-C", quantity=10)
    sales.check_cart(ctx, counter=1, lines=[cables, item_line(ctx, "ACC-CASE", quantity=5)])
    with pytest.raises(Refused, match=r"holds only 10 of USB-C cable.*would have 11"):
        sales.check_cart(ctx, counter=1, lines=[cables, item_line(ctx, "ACC-CABLE-C")])
    with pytest.raises(Refused, match="Counter 2 holds only 0"):
        sales.check_cart(ctx, counter=2, lines=[item_line(ctx, "ACC-CASE")])


@pilot_test
async def test_quantity_over_the_custody_is_refused_on_the_sales_screen(hall, tmp_path):
    stock_hall(hall)
    ctx = replace(hall.sales, counter=1)
    app = SalesHost(ctx, hall.settings.model_copy(update={"receipts_dir": tmp_path}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"ACC-CASE", "enter")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot, waiting_groups=("sales-dialog",))
        app.screen.query_one("#field-qty").value = ""
        await pilot.press("7", "enter")
        await settle(pilot)
        cart = app.screen.query_one("#sales-cart")
        assert [(x.sku, x.quantity) for x in cart.lines] == [("ACC-CASE", 1)]
        message = str(app.screen.query_one("#sales-message", Static).render())
        assert "holds only 5" in message and "would have 7" in message
        await pilot.press("ctrl+n")
        await settle(pilot, waiting_groups=("sales-dialog",))
        app.screen.query_one("#field-qty").value = ""
        await pilot.press("5", "enter")
        await settle(pilot)
        assert [(x.sku, x.quantity) for x in cart.lines] == [("ACC-CASE", 5)]
        # A sixth scanned: refused at the scan, the cart unchanged.
        await pilot.press(*"ACC-CASE", "enter")
        await settle(pilot)
        assert [(x.sku, x.quantity) for x in cart.lines] == [("ACC-CASE", 5)]
        assert "out of stock" in str(app.screen.query_one("#sales-message", Static).render())
        assert app.errors == []
