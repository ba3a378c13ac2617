"""A barcode scanner types a code and Enter, often several in one burst: every Enter
ends one scan, on every input that takes scans (screens/widgets/scanner.py)."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from tests.pilot import burst, pilot_test, settle
from tests.sales_fixtures import HANDSETS, stock_hall
from tests.test_sales_screen import SalesHost


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


@pilot_test
async def test_sales_two_scans_in_one_burst_make_quantity_two(hall, tmp_path):
    stock_hall(hall)
    ctx = replace(hall.sales, counter=1)
    settings = hall.settings.model_copy(update={"receipts_dir": tmp_path / "receipts"})
    app = SalesHost(ctx, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, *"ACC-CABLE-C", "enter", *"ACC-CABLE-C", "enter")
        await settle(pilot)
        cart = app.screen.query_one("#sales-cart")
        assert [(x.sku, x.quantity) for x in cart.lines] == [("ACC-CABLE-C", 2)]
        assert "No item matches" not in _text(app, "#sales-message")
        assert app.errors == []


@pilot_test
async def test_sales_burst_item_serial_item(hall, tmp_path):
    """A handset, its IMEI and a cable in one burst: the IMEI goes to the handset, the
    cable is scanned as an item (not taken for a serial)."""
    stock_hall(hall)
    ctx = replace(hall.sales, counter=1)
    settings = hall.settings.model_copy(update={"receipts_dir": tmp_path / "receipts"})
    app = SalesHost(ctx, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await burst(pilot, *"HS-HW-M60", "enter", *HANDSETS[0], "enter",
                          *"ACC-CABLE-C", "enter", *"ACC-CABLE-C", "enter")
        await settle(pilot)
        cart = app.screen.query_one("#sales-cart")
        assert [(x.sku, x.serial, x.quantity) for x in cart.lines] == [
            ("HS-HW-M60", HANDSETS[0], 1), ("ACC-CABLE-C", None, 2)]
        assert app.errors == []


# -- the warehouse: receive / issue documents, stocktake, serial history --------------------
def _warehouse(ctx):
    from screens.posts.warehouse import WarehouseScreen
    from tests.pilot import PostHost

    return PostHost(ctx, WarehouseScreen)


def _rows(app) -> list[str]:
    from textual.widgets import DataTable

    table = app.screen.query_one("#wh-lines", DataTable)
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def _warehouse_clerk(hall):
    from hallterm.services import catalog
    from tests.sales_fixtures import ROOT

    catalog.load_catalog(hall.manager, path=ROOT / "data" / "catalog.toml")
    hall.add("8004", "sales")
    return hall.add("8008", "warehouse")


@pilot_test
async def test_warehouse_receive_burst_item_quantity_item_serials(hall):
    from hallterm.seeds.stock import make_imei

    clerk = _warehouse_clerk(hall)
    imeis = [make_imei(i, "35209900") for i in (1, 2)]
    app = _warehouse(clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"DN7", "enter", *"GD", "enter")
        await settle(pilot)
        assert app.screen.mode == "document"
        await burst(pilot, *"ACC-CABLE-C", "enter", "5", "enter",
                    *"HS-HW-M60", "enter", *imeis[0], "enter", *imeis[1], "enter")
        await settle(pilot, waiting_groups=("warehouse-post",))
        rows = _rows(app)
        assert len(rows) == 3, rows
        assert all("✓" in r for r in rows), rows
        assert "× 5" in rows[0] and imeis[0] in rows[1] and imeis[1] in rows[2]
        assert len(app.screen.draft.lines) == 3
        assert app.errors == []


@pilot_test
async def test_warehouse_stocktake_burst_of_serials(hall):
    from hallterm.seeds.stock import make_imei
    from hallterm.services import stock
    from hallterm.services.stock import LineIn

    clerk = _warehouse_clerk(hall)
    serials = [make_imei(i) for i in (1, 2, 3)]
    stock.receive(clerk, document_no="DN-1", supplier="GD",
                  lines=[LineIn("HS-HW-M60", s) for s in serials])
    app = _warehouse(clerk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, waiting_groups=("warehouse-post",))
        assert app.screen.mode == "stocktake"
        keys = [k for s in serials for k in (*s, "enter")]
        await burst(pilot, *keys)
        await settle(pilot, waiting_groups=("warehouse-post",))
        rows = _rows(app)
        assert len(rows) == 3 and all("✓" in r for r in rows), rows
        assert app.screen.take.lines == 3
