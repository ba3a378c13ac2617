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

BUILDER_VERSION = 4
TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 25)  # the measured day (a Wednesday)
PIN = "246810"
MANAGER_PIN = "123456"
# The demo hall with twelve counters (a big hall: the benchmarks run up to 12 terminals,
# each at its own counter); clerk 80NN keeps counter NN.
COUNTERS = tuple(range(1, 13))
GOODS = ("ACC-CABLE-C", "ACC-CASE", "ACC-CHG-65W")  # counted goods (no serials)
SOURCES = ("supplier", "found")
# Tables whose numbers run per year (prefix, digits, sequence key): copies take new ones.
YEAR_NUMBERED = {"stock_document": ("SD", 6, "stockdoc"), "stocktake": ("PD", 5, "stocktake")}


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
@dataclass
class Table:
    name: str
    columns: list[tuple[str, str]]  # (name, declared type)
    pk: str | None  # a single INTEGER primary key, moved per copy
    refs: dict[str, str]  # column -> the per-day table its ids point into
    span: int = 0  # ids of the template day's rows are in (0, span]


def _day_tables(con: sqlite3.Connection, template: str, source: str = "main") -> list[Table]:
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    tables: dict[str, Table] = {}
    for name in names:
        if name in ("business_day", "audit_log", "day_close"):
            continue
        info = con.execute(f"PRAGMA table_info({name})").fetchall()
        cols = [(r[1], (r[2] or "").upper()) for r in info]
        if "business_day" not in {c for c, _t in cols}:
            continue
        pks = [r for r in info if r[5]]
        pk = pks[0][1] if len(pks) == 1 and "INT" in (pks[0][2] or "").upper() else None
        tables[name] = Table(name, cols, pk, {})
    for t in tables.values():
        for fk in con.execute(f"PRAGMA foreign_key_list({t.name})").fetchall():
            if fk[2] in tables and tables[fk[2]].pk:
                t.refs[fk[3]] = fk[2]
        for col, _type in t.columns:  # ids kept without a declared foreign key
            if col.endswith("_id") and col not in t.refs:
                target = col[:-3]
                if target in tables and tables[target].pk:
                    t.refs[col] = target
        if t.pk:
            t.span = con.execute(f"SELECT coalesce(max({t.pk}), 0) FROM {t.name}").fetchone()[0]
    # Parents before children (foreign keys are on in the services, not here; still tidy).
    ordered: list[Table] = []
    pending = dict(tables)
    while pending:
        for name, t in list(pending.items()):
            if all(r not in pending or r == name for r in t.refs.values()):
                ordered.append(t)
                del pending[name]
                break
        else:
            ordered.extend(pending.values())
            break
    return [t for t in ordered if con.execute(
        f"SELECT 1 FROM {source}.{t.name} WHERE business_day = ? LIMIT 1", (template,)
    ).fetchone()]


def _moved(col: str, ctype: str, t: Table, k: int, spans: dict[str, int]) -> str:
    if col == t.pk:
        return f"{col} + {k * t.span}"
    if col in t.refs:
        return f"{col} + {k * spans[t.refs[col]]}"
    if col == "business_day":
        return ":d"
    if col == "number" and t.name in YEAR_NUMBERED:  # numbered per year, not per day
        return (f"'{YEAR_NUMBERED[t.name][0]}' || substr(:d, 1, 4) || '-' || "
                f"printf('%0{YEAR_NUMBERED[t.name][1]}d', {t.pk} + {k * t.span})")
    if any(word in ctype for word in ("INT", "BOOL", "NUM", "REAL", "FLOAT", "BLOB")) \
            and "DATE" not in ctype:
        return col
    return f"replace(replace({col}, :t, :d), :tc, :dc)"


def copy_days(path: Path, template: date, count: int, *, progress: bool = True) -> None:
    """Copy the template day's rows onto the ``count`` days after it, each closed."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-200000")
    t = template.isoformat()
    tables = _day_tables(con, t)
    spans = {x.name: x.span for x in tables}
    audit_cols = [r[1] for r in con.execute("PRAGMA table_info(audit_log)")]
    close_cols = [r[1] for r in con.execute("PRAGMA table_info(day_close)")]
    day_cols = [r[1] for r in con.execute("PRAGMA table_info(business_day)")]
    first, last = con.execute("SELECT min(seq), max(seq) FROM audit_log WHERE business_day = ?",
                              (t,)).fetchone()
    base_z = con.execute("SELECT z_number FROM day_close WHERE business_day = ?",
                         (t,)).fetchone()[0]
    seq_keys = [r[0] for r in con.execute("SELECT key FROM sequence WHERE key LIKE ?",
                                          (f"%{t}",))]
    started = time.perf_counter()
    for k in range(1, count + 1):
        d = template + timedelta(days=k)
        p = {"t": t, "d": d.isoformat(), "tc": t.replace("-", ""),
             "dc": d.isoformat().replace("-", "")}
        con.execute("BEGIN")
        fresh = {"day": ":d", "state": "'open'", "closed_at": "NULL", "closed_by": "NULL",
                 "z_number": "NULL", "opened_at": "replace(opened_at, :t, :d)"}
        sel = ", ".join(fresh.get(c, c) for c in day_cols)
        con.execute(f"INSERT INTO business_day ({', '.join(day_cols)}) SELECT {sel} "
                    "FROM business_day WHERE day = :t", p)
        for x in tables:
            cols = [c for c, _ in x.columns]
            moved = [_moved(c, ty, x, k, spans) for c, ty in x.columns]
            sql = (f"INSERT INTO {x.name} ({', '.join(cols)}) SELECT {', '.join(moved)} "
                   f"FROM {x.name} WHERE business_day = :t")
            try:
                con.execute(sql, p)
            except sqlite3.Error as exc:
                raise RuntimeError(f"copying {x.name}: {exc}\n{sql}") from exc
        for key in seq_keys:
            con.execute("INSERT INTO sequence (key, value) SELECT replace(key, :t, :d), value "
                        "FROM sequence WHERE key = :k", {**p, "k": key})
        base = con.execute("SELECT max(seq) FROM audit_log").fetchone()[0] + 1
        shift = base - first
        asel = []
        for c in audit_cols:
            if c == "seq":
                asel.append(f"seq + {shift}")
            elif c == "hash":
                asel.append(f"printf('%064x', seq + {shift})")
            elif c == "prev_hash":
                asel.append(f"printf('%064x', seq + {shift} - 1)")
            elif c == "business_day":
                asel.append(":d")
            elif c in ("at", "payload", "entity_id"):
                asel.append(f"replace(replace({c}, :t, :d), :tc, :dc)")
            else:
                asel.append(c)
        con.execute(f"INSERT INTO audit_log ({', '.join(audit_cols)}) SELECT {', '.join(asel)} "
                    "FROM audit_log WHERE business_day = :t ORDER BY seq", p)
        head = last + shift
        prev_head = con.execute("SELECT audit_head_seq, audit_head_hash FROM day_close "
                                "ORDER BY z_number DESC LIMIT 1").fetchone()
        csel = []
        for c in close_cols:
            if c == "business_day":
                csel.append(":d")
            elif c == "z_number":
                csel.append(str(base_z + k))
            elif c == "audit_first_seq":
                csel.append(str(prev_head[0] + 1))
            elif c == "audit_head_seq":
                csel.append(str(head))
            elif c == "audit_head_hash":
                csel.append(f"printf('%064x', {head})")
            elif c == "prev_audit_head_hash":
                csel.append(f"'{prev_head[1]}'")
            elif c in ("closed_at", "report_json", "totals_json", "first_receipt",
                       "last_receipt", "blockers_json", "reason"):
                csel.append(f"replace(replace({c}, :t, :d), :tc, :dc)")
            else:
                csel.append(c)
        con.execute(f"INSERT INTO day_close ({', '.join(close_cols)}) SELECT {', '.join(csel)} "
                    "FROM day_close WHERE business_day = :t", p)
        con.execute("UPDATE business_day SET state = 'closed', z_number = :z, closed_by = "
                    "(SELECT closed_by FROM business_day WHERE day = :t), closed_at = "
                    "replace((SELECT closed_at FROM business_day WHERE day = :t), :t, :d) "
                    "WHERE day = :d", {**p, "z": base_z + k})
        con.execute("COMMIT")
        if progress and (k % 30 == 0 or k == count):
            print(f"  copied {k}/{count} days ({time.perf_counter() - started:.0f} s)",
                  file=sys.stderr, flush=True)
    con.execute("INSERT INTO sequence (key, value) VALUES ('z', :z) "
                "ON CONFLICT(key) DO UPDATE SET value = :z", {"z": base_z + count})
    _settle(con)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _settle(con: sqlite3.Connection) -> None:
    """After bulk copies: the per-year number series past the numbers used, and every
    stock balance equal to its ledger again (the copies moved counted goods only)."""
    for table, (prefix, _digits, key) in YEAR_NUMBERED.items():
        for year, top in con.execute(
                f"SELECT substr(number, 3, 4), max(CAST(substr(number, 8) AS INTEGER)) "
                f"FROM {table} WHERE number LIKE '{prefix}%' GROUP BY 1").fetchall():
            con.execute("INSERT INTO sequence (key, value) VALUES (:k, :v) ON CONFLICT(key) "
                        "DO UPDATE SET value = max(value, :v)", {"k": f"{key}:{year}", "v": top})
    # Balances equal to the ledger again (the copies moved counted goods only).
    ledger = ("coalesce((SELECT sum(quantity) FROM stock_move m WHERE m.sku = b.sku AND "
              "m.to_place = b.place), 0) - coalesce((SELECT sum(quantity) FROM stock_move m "
              "WHERE m.sku = b.sku AND m.from_place = b.place), 0)")
    sources = ", ".join(f"'{s}'" for s in SOURCES)
    con.execute(f"UPDATE stock_balance AS b SET quantity = {ledger} "
                f"WHERE place NOT IN ({sources})")


def graft_day(path: Path, source: Path, day: date) -> None:
    """Copy ``day``'s rows of the store ``source`` into the store ``path`` (the same day,
    open in both; ids, foreign keys and per-year numbers moved past ``path``'s own, audit
    rows appended): ``bench.closing``'s busy day, written once by the services on a short
    history, laid on a long one."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("ATTACH DATABASE ? AS src", (str(source),))
    d = day.isoformat()
    tables = _day_tables(con, d, "src")
    spans = {x.name: x.span for x in tables}
    p = {"t": d, "d": d, "tc": d.replace("-", ""), "dc": d.replace("-", "")}
    con.execute("BEGIN")
    for x in tables:
        cols = [c for c, _ in x.columns]
        moved = [_moved(c, ty, x, 1, spans) for c, ty in x.columns]
        con.execute(f"INSERT INTO main.{x.name} ({', '.join(cols)}) SELECT {', '.join(moved)} "
                    f"FROM src.{x.name} WHERE business_day = :t", p)
    con.execute("INSERT INTO main.sequence (key, value) SELECT key, value FROM src.sequence "
                "WHERE key LIKE :like ON CONFLICT(key) DO UPDATE SET value = max(value, "
                "excluded.value)", {"like": f"%{d}"})
    audit_cols = [r[1] for r in con.execute("PRAGMA main.table_info(audit_log)")]
    shift = con.execute("SELECT max(seq) FROM main.audit_log").fetchone()[0] - con.execute(
        "SELECT min(seq) FROM src.audit_log WHERE business_day = :t", p).fetchone()[0] + 1
    sel = [f"seq + {shift}" if c == "seq" else f"printf('%064x', seq + {shift})" if c == "hash"
           else f"printf('%064x', seq + {shift} - 1)" if c == "prev_hash" else c
           for c in audit_cols]
    con.execute(f"INSERT INTO main.audit_log ({', '.join(audit_cols)}) SELECT {', '.join(sel)} "
                "FROM src.audit_log WHERE business_day = :t ORDER BY seq", p)
    con.execute("COMMIT")
    _settle(con)
    con.execute("DETACH DATABASE src")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


# -- step 3 and the whole -----------------------------------------------------------
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
