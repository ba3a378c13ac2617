"""A store that looks like a hall after N days: ``--history-days N`` for every benchmark.

    uv run python -m bench.history --history-days 365 [--day-tickets 2000] [--day-sales 300]

How it is built (seconds to a minute, not the hours the services would take):

1. ``hallterm init`` (the real bootstrap) on the first history day; the day is
   opened, the hall's staff, catalog and stock are set up, and a **template day** is
   worked through the real services: ``--day-tickets`` tickets issued, called and
   finished at the six counters by their keepers, ``--day-sales`` cash sales of
   counted goods (a stock issue to the counters first), a cash movement per
   counter; then the day is closed (forced: the drawers are not counted).
2. Every later history day is a copy of the template day's rows made by bulk SQL
   (``INSERT ... SELECT``): every table with a ``business_day`` column, ids moved past
   the template's, foreign keys moved with them, dates in text (timestamps, receipt
   and document numbers, sequence keys, the report) moved to the new day; the day's
   audit rows appended with new sequence numbers; a ``day_close`` row and the
   ``business_day`` row closed with the next Z number. Stock balances are set to
   their ledger afterwards (the copied days move counted goods only).
3. On the measured day (``TODAY``) the day is opened through the services, the six
   counters opened by their keepers (clerks 8001-8006), and counted goods received
   and issued to every counter for the benchmarks' sales.

With ``--history-days 0`` there is no history: step 3 only, on a new store.

What differs from a real year: the copied days' audit rows keep the template's
payloads with placeholder MACs (the chain of history days does not verify: time
``audit verify`` on stores written by the services, as ``bench.startup`` does), and
their business rows are not sealed. Every hot query, index and row count is as the
services would leave it.

The built store is cached by its parameters and the schema (migrations) under
``$XDG_CACHE_HOME/hallterm-bench`` (or ``--cache DIR``); benchmarks copy it, so the
cached file is never changed. ``--rebuild`` builds it again.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import ROOT
from bench.history_sql import copy_days

BUILDER_VERSION = 4
TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 25)  # the measured day (a Wednesday)
PIN = "246810"
MANAGER_PIN = "123456"
# The demo hall with twelve counters (a big hall: the benchmarks run up to 12 terminals,
# each at its own counter); clerk 80NN keeps counter NN.
COUNTERS = tuple(range(1, 13))
GOODS = ("ACC-CABLE-C", "ACC-CASE", "ACC-CHG-65W")  # counted goods (no serials)


def clerk_of(counter: int) -> str:
    return f"80{counter:02d}"


def hall_file(folder: Path) -> Path:
    """The demo hall's configuration with counters 7-12 added (services of 1-6 again)."""
    text = (ROOT / "data" / "demo-hall.toml").read_text(encoding="utf-8")
    services = {1: '"A", "D"', 2: '"A", "B", "C"', 3: '"B", "C", "E"', 4: '"D", "A"',
                5: '"F", "C"', 6: '"V", "B", "C", "D"'}
    extra = "".join(f"\n[[counters]]\nnumber = {n}\nservices = [{services[n - 6]}]\n"
                    for n in range(7, 13))
    path = folder / "bench-hall.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Built:
    """A built store: the file, its key, and what it holds."""

    path: Path
    key_file: Path
    days: int
    day_tickets: int
    day_sales: int

    def copy_to(self, folder: Path) -> Built:
        """A private copy (benchmarks write to it); the key file goes beside it."""
        folder.mkdir(parents=True, exist_ok=True)
        for item in self.path.parent.iterdir():  # the store, its keys (secret, signing)
            if item.is_file() and not item.name.endswith(("-wal", "-shm")):
                shutil.copyfile(item, folder / item.name)
                if item.suffix == ".key":
                    os.chmod(folder / item.name, 0o600)
        return replace(self, path=folder / self.path.name, key_file=folder / self.key_file.name)


def now_at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def schema_stamp() -> str:
    """A digest of the migrations and the builder: a cached store is of this schema."""
    h = hashlib.sha256(str(BUILDER_VERSION).encode())
    folder = ROOT / "hallterm" / "migrations" / "versions"
    for path in sorted(folder.rglob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def cache_dir(given: str | None = None) -> Path:
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hallterm-bench"


# -- contexts ----------------------------------------------------------------------
def settings_for(path: Path, key_file: Path, terminal: str = "BENCH"):
    from hallterm.settings import load_settings

    settings, _ = load_settings(None, store=path, key_file=key_file, terminal=terminal,
                                receipts_dir=path.parent / "receipts")
    return settings


def ctx_at(path: Path, key_file: Path, clock, terminal: str = "BENCH"):
    from hallterm.bootstrap import open_ctx

    return open_ctx(settings_for(path, key_file, terminal), clock=clock)


def as_staff(ctx, empno: str, pin: str = PIN, counter: int | None = None):
    from hallterm.services.staff import authenticate

    return replace(ctx.as_actor(authenticate(ctx, empno=empno, pin=pin)), counter=counter)


def close_store(ctx) -> None:
    dispose = getattr(ctx.store, "dispose", None) or getattr(ctx.store, "close", None)
    if dispose is not None:
        dispose()


# -- step 1: the store, the staff, the template day ---------------------------------
def init(path: Path, key_file: Path, clock, *, fast_pins: bool = True) -> None:
    from hallterm import security
    from hallterm.bootstrap import init_store

    if fast_pins:  # PIN hashes cheap to check (bench.cold_start keeps the real ones)
        security.use_fast_hashing()
    init_store(settings_for(path, key_file), None, manager_empno="9001",
               manager_name="Bench Manager", pin=MANAGER_PIN, clock=clock, demo=True,
               hall_file=hall_file(path.parent))


def set_up_staff(manager) -> None:
    from hallterm.services.catalog import load_catalog
    from hallterm.services.staff import add_staff

    load_catalog(manager, path=ROOT / "data" / "catalog.toml")
    for n in COUNTERS:
        add_staff(manager, empno=clerk_of(n), name=f"Clerk {n}", roles=["sales"], pin=PIN)
    add_staff(manager, empno="8800", name="Keeper", roles=["warehouse"], pin=PIN)


def open_counters(manager) -> None:
    from hallterm.errors import Refused
    from hallterm.services import queue

    for n in COUNTERS:
        with contextlib.suppress(Refused):  # already open (kept from an earlier day)
            queue.set_counter_state(manager, counter=n, state="open", clerk=clerk_of(n))


def stock_counters(manager, quantity: int) -> None:
    """Receive ``quantity`` of each counted good per counter and issue it to them."""
    from hallterm.services import stock
    from hallterm.services.staff import confirm_person

    keeper = as_staff(manager, "8800")
    day = manager.today().isoformat()
    for n in COUNTERS:
        stock.receive(keeper, document_no=f"DN-{day}-{n}", supplier="Bench Supplies",
                      lines=[stock.LineIn(sku, None, quantity) for sku in GOODS])
        receiver = confirm_person(keeper, empno=clerk_of(n), pin=PIN)
        stock.issue(keeper, counter=n, receiver=receiver,
                    lines=[stock.LineIn(sku, None, quantity) for sku in GOODS])


def template_day(manager, clock, tickets: int, sales_count: int) -> None:
    """A day of the hall worked through the services (the rows later days copy)."""
    from hallterm.services import cash, catalog, queue, sales

    open_counters(manager)
    stock_counters(manager, max(10, sales_count // len(COUNTERS) + 5))
    clerks = {n: as_staff(manager, clerk_of(n), counter=n) for n in COUNTERS}
    for n, clerk in clerks.items():
        cash.move_cash(clerk, counter=n, kind="in", reason="change_fund", amount_fen=50_000)
    services = "ABCDEF"
    step = timedelta(seconds=max(1, int(7 * 3600 / max(1, tickets + sales_count))))
    lines = {n: [sales.line_from_item(catalog.lookup(clerks[n], code=GOODS[n % len(GOODS)]))]
             for n in COUNTERS}
    sold = 0
    for i in range(tickets):
        clock.advance(seconds=step.total_seconds())
        queue.issue_ticket(manager.as_actor(None), service=services[i % len(services)])
        n = COUNTERS[i % len(COUNTERS)]
        called = queue.call_next(clerks[n])
        if called is not None:
            queue.finish(clerks[n])
        while sold < sales_count and sold * tickets <= i * sales_count:
            m = COUNTERS[sold % len(COUNTERS)]
            total = sales.cart_total(lines[m])
            sales.complete_sale(clerks[m], counter=m, visit_id=None, lines=lines[m],
                                payments=[sales.PaymentIn("cash", total, total)])
            sold += 1
    # Whoever is still waiting (a counter's services did not match) is served by any.
    for n in COUNTERS:
        while queue.call_next(clerks[n]) is not None:
            queue.finish(clerks[n])


def close(manager, day: date, reports: Path) -> None:
    from hallterm.services.day import close_day

    close_day(manager, business_day=day, force=True, reason="bench: drawers not counted",
              reports_dir=reports)


# -- step 2: the copies --------------------------------------------------------------
def prepare_today(path: Path, key_file: Path, goods_per_counter: int) -> None:
    from hallterm.clock import FixedClock
    from hallterm.services.day import open_day

    clock = FixedClock(now_at(TODAY, 8, 30))
    ctx = ctx_at(path, key_file, clock)
    manager = as_staff(ctx, "9001", MANAGER_PIN)
    open_day(manager)
    open_counters(manager)
    stock_counters(manager, goods_per_counter)
    close_store(ctx)


def build(path: Path, key_file: Path, days: int, day_tickets: int, day_sales: int,
          goods_per_counter: int = 15_000, *, fast_pins: bool = True) -> None:
    from hallterm.clock import FixedClock
    from hallterm.services.day import open_day

    if days == 0:
        clock = FixedClock(now_at(TODAY, 8, 0))
        init(path, key_file, clock, fast_pins=fast_pins)
        ctx = ctx_at(path, key_file, clock)
        set_up_staff(as_staff(ctx, "9001", MANAGER_PIN))
        close_store(ctx)
    else:
        first = TODAY - timedelta(days=days)
        clock = FixedClock(now_at(first, 8, 0))
        init(path, key_file, clock)
        ctx = ctx_at(path, key_file, clock)
        manager = as_staff(ctx, "9001", MANAGER_PIN)
        open_day(manager)
        set_up_staff(manager)
        clock.set(now_at(first, 9, 0))
        template_day(manager, clock, day_tickets, day_sales)
        clock.set(now_at(first, 18, 30))
        close(manager, first, path.parent / "reports")
        close_store(ctx)
        copy_days(path, first, days - 1)
    prepare_today(path, key_file, goods_per_counter)


def history_store(days: int, *, day_tickets: int = 2000, day_sales: int = 300,
                  cache: str | None = None, rebuild: bool = False,
                  quiet: bool = False) -> Built:
    """The cached store of ``days`` closed days (built when missing)."""
    prefix = f"h{days}-t{day_tickets}-s{day_sales}"
    name = f"{prefix}-{schema_stamp()}"
    folder = cache_dir(cache) / name
    built = Built(folder / "hall.db", folder / "hallterm.key", days, day_tickets, day_sales)
    if built.path.exists() and not rebuild:
        return built
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=name + ".", dir=folder.parent))
    started = time.perf_counter()
    if not quiet:
        print(f"building {name} ({days} days of {day_tickets} tickets and {day_sales} sales)",
              file=sys.stderr, flush=True)
    try:
        build(work / "hall.db", work / "hallterm.key", days, day_tickets, day_sales)
        if folder.exists():
            shutil.rmtree(folder)
        work.rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not quiet:
        size = built.path.stat().st_size / 1e6
        print(f"built in {time.perf_counter() - started:.1f} s: {built.path} ({size:,.0f} MB)",
              file=sys.stderr, flush=True)
    return built


def add_history_args(parser: argparse.ArgumentParser, default_days: int = 365) -> None:
    parser.add_argument("--history-days", type=int, default=default_days,
                        help=f"closed days of history in the 'with history' store "
                             f"(default {default_days})")
    parser.add_argument("--day-tickets", type=int, default=2000,
                        help="tickets per history day (default 2000: 730 000 a year)")
    parser.add_argument("--day-sales", type=int, default=300,
                        help="sales per history day (default 300)")
    parser.add_argument("--cache", help="folder of built stores (default "
                                        "$XDG_CACHE_HOME/hallterm-bench)")
    parser.add_argument("--rebuild", action="store_true", help="build the stores again")


def stores_from(args: argparse.Namespace, days: list[int]) -> dict[int, Built]:
    return {d: history_store(d, day_tickets=args.day_tickets, day_sales=args.day_sales,
                             cache=args.cache, rebuild=args.rebuild) for d in days}


def counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
           for t in ("business_day", "ticket", "visit", "sale", "payment", "stock_move",
                     "cash_movement", "audit_log")}
    con.close()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.history",
                                     description=__doc__.splitlines()[0])
    add_history_args(parser)
    args = parser.parse_args(argv)
    built = history_store(args.history_days, day_tickets=args.day_tickets,
                          day_sales=args.day_sales, cache=args.cache, rebuild=args.rebuild)
    size = built.path.stat().st_size / 1e6
    print(f"{built.path} ({size:,.0f} MB)")
    for table, n in counts(built.path).items():
        print(f"  {table}: {n:,}")


if __name__ == "__main__":
    main()
