"""Sales benchmark: scan-to-line latency on the Sales screen, and completing a 10-line sale.

Run by hand:  uv run python -m bench.sales_bench [--items 5000] [--past 50000] [--scans 200]

A store with a catalog of ``--items`` items (plus the demo catalog) and ``--past``
past sales (bulk-inserted: history, not the thing measured). Scan-to-line is
measured with Pilot: from pressing Enter in the scan field to the line being on
the screen's cart. Targets: p95 ≤ 30 ms per scan; a 10-line sale ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AT = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def build(folder: Path, items: int, past: int):
    """A store with a big catalog, stock at counter 1 and ``past`` sales; returns clerk ctx."""
    from hallterm import security
    from hallterm.bootstrap import init_store, open_ctx
    from hallterm.catalog import CatalogEntry, parse_catalog
    from hallterm.clock import FixedClock
    from hallterm.context import run_write
    from hallterm.services import stock
    from hallterm.services.catalog import write_catalog
    from hallterm.services.day import open_day
    from hallterm.services.staff import add_staff, authenticate, confirm_person
    from hallterm.settings import load_settings

    security.use_fast_hashing()
    store, key = folder / "bench.db", folder / "bench.key"
    settings, _ = load_settings(None, store=store, key_file=key, terminal="bench",
                                receipts_dir=folder / "receipts")
    clock = FixedClock(AT)
    init_store(settings, None, manager_empno="9001", manager_name="Bench", pin="123456",
               clock=clock)
    ctx = open_ctx(settings, clock=clock)
    manager = ctx.as_actor(authenticate(ctx, empno="9001", pin="123456"))
    open_day(manager)
    entries = list(parse_catalog(ROOT / "data" / "catalog.toml"))
    entries += [CatalogEntry(sku=f"BX-{i:05d}", name_zh=f"配件 {i}", name_en=f"Accessory {i}",
                             kind="counted", price_fen=1000 + i, barcodes=(f"69{i:011d}",))
                for i in range(items)]
    run_write(manager, "catalog.load", lambda uow: write_catalog(uow, entries, source="bench"))
    add_staff(manager, empno="8004", name="Clerk", roles=["sales"], pin="246810")
    add_staff(manager, empno="8008", name="Store", roles=["warehouse"], pin="246810")
    keeper = ctx.as_actor(authenticate(ctx, empno="8008", pin="246810"))
    skus = [f"BX-{i:05d}" for i in range(0, items, max(1, items // 50))][:50]
    lines = [stock.LineIn(s, None, 10_000) for s in skus]
    stock.receive(keeper, document_no="BENCH", supplier="bench", lines=lines)
    stock.issue(keeper, counter=1, lines=lines,
                receiver=confirm_person(keeper, empno="8004", pin="246810"))
    clerk = ctx.as_actor(authenticate(ctx, empno="8004", pin="246810"))
    ctx.store.dispose()
    _past_sales(store, past)
    return settings, clerk.__class__(**{**clerk.__dict__, "counter": 1}), skus


def _past_sales(store: Path, count: int) -> None:
    """Bulk history on earlier days (their receipts do not collide with today's)."""
    con = sqlite3.connect(store)
    with con:
        for n in range(count):
            day = f"2026-{1 + n % 10:02d}-{1 + n % 28:02d}"
            cur = con.execute(
                "INSERT INTO sale (receipt_no, business_day, at, counter, terminal, clerk, "
                "visit_id, walk_up, list_total_fen, total_fen, state, reprints) VALUES "
                "(?, ?, ?, 1, 'bench', '8004', NULL, 1, 3900, 3900, 'completed', 0)",
                (f"R{day.replace('-', '')}-{n:06d}", day, f"{day}T02:00:00.000000+00:00"))
            sid = cur.lastrowid
            con.execute("INSERT INTO sale_line (sale_id, business_day, line_no, sku, name_zh, "
                        "name_en, kind, serial, quantity, list_price_fen, unit_price_fen, "
                        "discount_fen, total_fen) VALUES (?, ?, 1, 'ACC-CABLE-C', 'x', 'x', "
                        "'counted', NULL, 1, 3900, 3900, 0, 3900)", (sid, day))
            con.execute("INSERT INTO payment (sale_id, business_day, method, amount_fen, "
                        "tendered_fen, change_fen) VALUES (?, ?, 'cash', 3900, 5000, 1100)",
                        (sid, day))
    con.close()


async def scan_latency(settings, clerk, skus, scans: int) -> list[float]:
    from textual import events
    from textual.app import App
    from textual.widgets import Input

    from screens.posts.sales import SalesScreen

    class Host(App):
        def __init__(self) -> None:
            super().__init__()
            self.hctx, self.settings = clerk, settings

        def on_mount(self) -> None:
            self.push_screen(SalesScreen())

        def report_unexpected(self, exc):
            raise exc

    app = Host()
    out: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        field = screen.query_one("#sales-scan", Input)
        cart = screen.query_one("#sales-cart")
        for n in range(scans):
            if n % 40 == 0:
                cart.show([], [], 0)
            code = skus[n % len(skus)]
            field.value = code
            before = sum(x.quantity for x in cart.lines)
            t0 = time.perf_counter()
            # The key as the terminal driver delivers it (Pilot's press() also waits for
            # the app to go idle, ~100 ms, which is not what a clerk waits for).
            app.post_message(events.Key("enter", "\r"))
            while sum(x.quantity for x in cart.lines) == before:
                await asyncio.sleep(0.0002)
            out.append((time.perf_counter() - t0) * 1000)
            await pilot.pause()
    return out


def sale_latency(clerk, skus, runs: int) -> list[float]:
    from hallterm.services import catalog, sales

    lines = [sales.line_from_item(catalog.lookup(clerk, code=s)) for s in skus[:10]]
    total = sales.cart_total(lines)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        sales.complete_sale(clerk, counter=1, visit_id=None, lines=lines,
                            payments=[sales.PaymentIn("cash", total, total + 1000)])
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--past", type=int, default=50_000)
    parser.add_argument("--scans", type=int, default=200)
    parser.add_argument("--sales", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        settings, clerk, skus = build(Path(tmp), args.items, args.past)
        print(f"store: {args.items} catalog items, {args.past} past sales "
              f"(built in {time.perf_counter() - t0:.1f} s)")
        scans = asyncio.run(scan_latency(settings, clerk, skus, args.scans))
        print(f"scan to line on screen: median {statistics.median(scans):.1f} ms, "
              f"p95 {p95(scans):.1f} ms, max {max(scans):.1f} ms  (target p95 <= 30 ms)")
        done = sale_latency(clerk, skus, args.sales)
        print(f"complete a 10-line sale: median {statistics.median(done):.1f} ms, "
              f"p95 {p95(done):.1f} ms  (target <= 50 ms)")
        clerk.store.dispose()


if __name__ == "__main__":
    main()
