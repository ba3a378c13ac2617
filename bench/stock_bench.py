"""Stock benchmark: a 10 000-serial delivery, a 10 000-serial stocktake, ``stock show``.

Run by hand:  uv run python -m bench.stock_bench [--serials 10000] [--ledger 100000]

- *receive*: a supplier's CSV of ``serials`` handsets (``sku,serial,quantity``)
  parsed and received as one document — every line checked (IMEI check digit,
  not already in stock, no duplicate) and written with its ledger row, serial
  place, balance and audit row in one transaction. Goal ≤ 5 s.
- *stocktake*: start a stocktake of the warehouse, count ``serials`` serials
  (saved in batches of 500 scans, as a resumable count would be: all but five of
  the delivery plus five strangers), finish (missing/unexpected/differences) and
  post the adjustments with the manager's approval. Goal ≤ 5 s.
- *show*: ``hallterm stock show`` (in process, through the CLI) and the service
  behind it, with ``ledger`` ledger rows in the store. Goal ≤ 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AT = "2026-11-25T10:00:00+08:00"


def open_ctx_at(store: Path, key: Path):
    from hallterm.bootstrap import open_ctx
    from hallterm.clock import FixedClock
    from hallterm.settings import load_settings

    settings, _ = load_settings(None, store=store, key_file=key, terminal="bench")
    return open_ctx(settings, clock=FixedClock(datetime.fromisoformat(AT)))


def make_store(folder: Path):
    """A demo-hall store with the catalog, a warehouse clerk, a counter clerk, the day open."""
    from hallterm import security
    from hallterm.bootstrap import init_store
    from hallterm.clock import FixedClock
    from hallterm.services.catalog import load_catalog
    from hallterm.services.day import open_day
    from hallterm.services.staff import add_staff, authenticate
    from hallterm.settings import load_settings

    security.use_fast_hashing()  # staff setup only; nothing timed hashes a PIN
    store, key = folder / "stock.db", folder / "stock.key"
    settings, _ = load_settings(None, store=store, key_file=key, terminal="bench",
                                hall=ROOT / "data" / "demo-hall.toml")
    init_store(settings, manager_empno="9001", manager_name="Bench", pin="123456",
               clock=FixedClock(datetime.fromisoformat(AT)))
    ctx = open_ctx_at(store, key)
    manager = ctx.as_actor(authenticate(ctx, empno="9001", pin="123456"))
    open_day(manager)
    load_catalog(manager, path=ROOT / "data" / "catalog.toml")
    add_staff(manager, empno="8008", name="Clerk", roles=["warehouse"], pin="246810")
    add_staff(manager, empno="8004", name="Sales", roles=["sales"], pin="246810")
    clerk = ctx.as_actor(authenticate(ctx, empno="8008", pin="246810"))
    return store, key, ctx, manager, clerk


def delivery_csv(serials: list[str], sku: str = "HS-XM-14") -> str:
    return "sku,serial,quantity\n" + "".join(f"{sku},{s},\n" for s in serials)


def bench_receive(clerk, count: int) -> tuple[float, list[str]]:
    from hallterm.seeds.stock import make_imei
    from hallterm.services import stock

    serials = [make_imei(i, "86798004") for i in range(1, count + 1)]
    text = delivery_csv(serials)
    t0 = time.perf_counter()
    lines = stock.parse_delivery_csv(text)
    doc = stock.receive(clerk, document_no="DN-BENCH-1", supplier="Bench", lines=lines)
    elapsed = time.perf_counter() - t0
    assert doc.lines == count
    return elapsed, serials


def bench_stocktake(clerk, manager, serials: list[str]) -> float:
    from hallterm.seeds.stock import make_imei
    from hallterm.services.staff import approve
    from hallterm.services.stock import stocktake

    approver = approve(clerk, action="stock.adjust", empno="9001", pin="123456")
    counted = serials[5:] + [make_imei(900_000 + i, "86798004") for i in range(5)]
    entries = [stocktake.Entry(s, sku="HS-XM-14") for s in counted]
    t0 = time.perf_counter()
    take = stocktake.start(clerk, place="warehouse")
    for start in range(0, len(entries), 500):
        _saved, refused = stocktake.count_many(clerk, stocktake_id=take.id,
                                               entries=entries[start:start + 500])
        assert not refused, refused[:3]
    result = stocktake.finish(clerk, stocktake_id=take.id)
    assert len(result.missing) == 5 and len(result.unexpected) == 5
    stocktake.post(clerk, stocktake_id=take.id, reason="bench", approver=approver)
    return time.perf_counter() - t0


def fill_ledger(ctx, clerk, rows: int) -> int:
    """Move the warehouse's handsets to counters and back until the ledger has ``rows``."""
    from hallterm.services import stock
    from hallterm.services.staff import confirm_person
    from hallterm.store import execute

    receiver = confirm_person(clerk, empno="8004", pin="246810")

    def count() -> int:
        with ctx.store.read() as session:
            return execute(session, "SELECT COUNT(*) FROM stock_move").scalar()

    counter = 0
    while count() < rows:
        counter = counter % 3 + 1
        here = [s for s, _sku in stock.serials_at(clerk, place="warehouse", limit=10_000)]
        need = min(len(here), rows - count())
        lines = [stock.LineIn("", s) for s in here[:need]]
        stock.issue(clerk, counter=counter, lines=lines, receiver=receiver)
        need = min(len(lines), rows - count())
        if need > 0:
            stock.return_from_counter(clerk, counter=counter, lines=lines[:need])
    return count()


def bench_show(store: Path, key: Path, ctx, repeat: int = 20) -> tuple[float, float]:
    from typer.testing import CliRunner

    from hallterm.cli.main import app
    from hallterm.services import stock

    runner = CliRunner()
    env = {"HALLTERM_KEY_FILE": str(key), "HALLTERM_NOW": AT}
    cli, service = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = runner.invoke(app, ["stock", "show", "--store", str(store)], env=env)
        cli.append(time.perf_counter() - t0)
        assert result.exit_code == 0, result.output
        t0 = time.perf_counter()
        stock.balances(ctx)
        service.append(time.perf_counter() - t0)
    return sorted(cli)[len(cli) // 2], sorted(service)[len(service) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serials", type=int, default=10_000)
    parser.add_argument("--ledger", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store, key, ctx, manager, clerk = make_store(Path(tmp))
        receive_s, serials = bench_receive(clerk, args.serials)
        stocktake_s = bench_stocktake(clerk, manager, serials)
        rows = fill_ledger(ctx, clerk, args.ledger)
        show_cli_s, show_service_s = bench_show(store, key, ctx)
        from hallterm.services import stock

        assert stock.verify(ctx).ok
        ctx.store.dispose()
    figures = {
        "receive_serials": args.serials, "receive_s": round(receive_s, 3),
        "stocktake_serials": args.serials, "stocktake_s": round(stocktake_s, 3),
        "ledger_rows": rows, "show_cli_median_s": round(show_cli_s, 4),
        "show_service_median_s": round(show_service_s, 4),
        "goals": {"receive_s": 5, "stocktake_s": 5, "show_s": 0.2},
    }
    print(json.dumps(figures))
    ok = receive_s <= 5 and stocktake_s <= 5 and show_cli_s <= 0.2
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
