"""Closing and export benchmark: one busy day on top of 1 and of 365 days of history.

Run by hand:  uv run python bench/closing_bench.py [--history 365] [--quick]

Each store holds ``history`` closed days plus the measured day, every day with
5 000 sales (a line and a payment each), 2 000 visits and tickets, 1 000 stock
documents with 20 000 stock movements, and 10 000 audit rows — generated with bulk
SQL straight into the tables (the services would take hours). Then, in a fresh
process: ``close_day`` (forced, so that the areas' blockers are computed but do
not stop it) and ``export_days`` of that day, timed, with the process's peak
memory. Where the queue or stock area registers no report section or export
table yet, the bench registers a stand-in (tickets by state, stock movements by
kind and value; an export table each), so that their rows are read as the real
ones will be. Goals: close ≤ 1 s, export ≤ 2 s, 365/1 ratio
≤ 1.2, peak ≤ 150 MB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = date(2026, 11, 25)
SALES, TICKETS, DOCS, MOVES_PER_DOC, AUDIT = 5000, 2000, 1000, 20, 10000

GEN = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "


def make_store(folder: Path) -> tuple[Path, Path]:
    from hallterm import security
    from hallterm.bootstrap import init_store
    from hallterm.clock import FixedClock
    from hallterm.settings import load_settings

    security.use_fast_hashing()
    store, key = folder / "bench.db", folder / "bench.key"
    settings, _ = load_settings(None, store=store, key_file=key, terminal="bench",
                                hall=ROOT / "data" / "demo-hall.toml")
    start = datetime(2025, 1, 1, 9, tzinfo=settings.tz)
    init_store(settings, None, manager_empno="9001", manager_name="Bench", pin="123456",
               clock=FixedClock(start))
    return store, key


def fill_day(con: sqlite3.Connection, day: date, n: int, *, real_hashes: bool,
             chain: bytes = b"") -> None:
    """One day's rows by bulk SQL; ``n`` is the day's index (for id ranges); ``chain``
    is the audit chain key the real rows are sealed with."""
    from hallterm.services.audit import row_mac

    d = day.isoformat()
    at = f"{d}T04:00:00.000000+00:00"
    service = con.execute("SELECT code FROM service ORDER BY code LIMIT 1").fetchone()[0]
    counter = con.execute("SELECT min(number) FROM counter").fetchone()[0]
    staff = con.execute("SELECT id FROM staff WHERE empno = '9001'").fetchone()[0]
    con.execute("INSERT INTO business_day (day, state, opened_at, opened_by) "
                "VALUES (?, 'open', ?, ?)", (d, f"{d}T01:00:00.000000+00:00", staff))
    vb, tb, sb, db, mb = n * TICKETS, n * TICKETS, n * SALES, n * DOCS, n * DOCS * MOVES_PER_DOC
    p = {"d": d, "at": at, "s": service, "c": counter}
    con.execute(GEN.format(count=TICKETS) + "INSERT INTO visit (id, business_day, opened_at, "
                f"terminal) SELECT {vb} + i, :d, :at, 'T1' FROM n", p)
    con.execute(GEN.format(count=TICKETS) + "INSERT INTO ticket (id, business_day, number, seq, "
                "hop, service, priority, visit_id, state, issued_at, issued_by, queue_key, "
                "counter, recalls, parked_s, finished_at, misses, auto_reinserted) "
                f"SELECT {tb} + i, :d, 'A' || i, i, 0, :s, 'normal', {vb} + i, 'done', :at, "
                "'9001', i, :c, 0, 0, :at, 0, 0 FROM n", p)
    con.execute(GEN.format(count=DOCS) + "INSERT INTO stock_document (id, number, kind, "
                "business_day, at, actor, from_place, to_place, lines, quantity, value_fen) "
                f"SELECT {db} + i, 'SD' || :d || '-' || i, 'issue', :d, :at, '9001', "
                f"'warehouse', 'counter:1', {MOVES_PER_DOC}, {MOVES_PER_DOC}, 20000 FROM n", p)
    con.execute(GEN.format(count=DOCS * MOVES_PER_DOC) + "INSERT INTO stock_move (id, "
                "document_id, business_day, at, sku, quantity, from_place, to_place, "
                f"unit_value_fen) SELECT {mb} + i, {db} + (i - 1) / {MOVES_PER_DOC} + 1, :d, "
                ":at, 'SKU' || (i % 50), 1, 'warehouse', 'counter:1', 1000 FROM n", p)
    con.execute(GEN.format(count=SALES) + "INSERT INTO sale (id, receipt_no, business_day, at, "
                "counter, terminal, clerk, walk_up, list_total_fen, total_fen, state, reprints) "
                f"SELECT {sb} + i, 'R' || replace(:d, '-', '') || '-' || printf('%05d', i), :d, "
                ":at, :c, 'T1', '8004', 1, 9900, 9900, 'completed', 0 FROM n", p)
    con.execute(GEN.format(count=SALES) + "INSERT INTO sale_line (id, sale_id, business_day, "
                "line_no, sku, name_zh, name_en, kind, quantity, list_price_fen, unit_price_fen, "
                f"discount_fen, total_fen) SELECT {sb} + i, {sb} + i, :d, 1, 'SKU' || (i % 50), "
                "'商品', 'Goods', 'goods', 1, 9900, 9900, 0, 9900 FROM n", p)
    con.execute(GEN.format(count=SALES) + "INSERT INTO payment (id, sale_id, business_day, "
                f"method, amount_fen) SELECT {sb} + i, {sb} + i, :d, CASE i % 3 WHEN 0 THEN "
                "'cash' WHEN 1 THEN 'wechat' ELSE 'card' END, 9900 FROM n", p)
    last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq0, prev = last
    if real_hashes:
        rows = []
        for i in range(1, AUDIT + 1):
            fields = dict(seq=seq0 + i, at=at, business_day=d, actor="8004", approver=None,
                          terminal="T1", action=("sale.complete", "queue.issue",
                                                 "stock.issue")[i % 3],
                          entity="sale", entity_id=str(i), payload="{}", prev_hash=prev)
            prev = row_mac(chain, **fields)
            rows.append((*fields.values(), prev))
        con.executemany("INSERT INTO audit_log (seq, at, business_day, actor, approver, "
                        "terminal, action, entity, entity_id, payload, prev_hash, hash) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    else:  # history: a well-formed chain of placeholder hashes (only their shape matters)
        con.execute(GEN.format(count=AUDIT) + "INSERT INTO audit_log (seq, at, business_day, "
                    "actor, terminal, action, entity, entity_id, payload, prev_hash, hash) "
                    f"SELECT {seq0} + i, :at, :d, '8004', 'T1', CASE i % 3 WHEN 0 THEN "
                    "'sale.complete' WHEN 1 THEN 'queue.issue' ELSE 'stock.issue' END, 'sale', "
                    f"i, '{{}}', CASE i WHEN 1 THEN '{prev}' ELSE printf('%064x', {seq0} + i - 1) "
                    f"END, printf('%064x', {seq0} + i) FROM n", p)


def close_history_day(con: sqlite3.Connection, day: date, z: int) -> None:
    d = day.isoformat()
    prev = con.execute("SELECT audit_head_seq, audit_head_hash FROM day_close "
                       "ORDER BY z_number DESC LIMIT 1").fetchone() or (0, "0" * 64)
    head = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    totals = json.dumps({"sales.sales_fen": SALES * 9900, "closing.days": 1})
    grand = json.dumps({"sales.sales_fen": SALES * 9900 * z, "closing.days": z})
    at = f"{d}T11:00:00.000000+00:00"
    con.execute("INSERT INTO day_close (business_day, z_number, closed_at, closed_by, "
                "closed_by_empno, forced, blockers_json, totals_json, grand_totals_json, "
                "audit_first_seq, audit_head_seq, audit_head_hash, prev_audit_head_hash, "
                "generator, report_json) VALUES (?, ?, ?, 1, '9001', 0, '[]', ?, ?, ?, ?, ?, ?, "
                "'bench', '{}')", (d, z, at, totals, grand, prev[0] + 1, head[0], head[1], prev[1]))
    con.execute("UPDATE business_day SET state = 'closed', closed_at = ?, closed_by = 1, "
                "z_number = ? WHERE day = ?", (at, z, d))
    con.execute("INSERT INTO sequence (key, value) VALUES ('z', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = ?", (z, z))


def build(folder: Path, history: int) -> tuple[Path, Path, float]:
    t0 = time.perf_counter()
    store, key = make_store(folder)
    con = sqlite3.connect(store)
    con.execute("PRAGMA synchronous=OFF")
    for k in range(history):
        day = TARGET - timedelta(days=history - k)
        fill_day(con, day, k + 1, real_hashes=False)
        close_history_day(con, day, k + 1)
        con.commit()
    from hallterm.security import read_key_file
    from hallterm.services.audit import chain_key

    fill_day(con, TARGET, history + 1, real_hashes=True, chain=chain_key(read_key_file(key)))
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("ANALYZE")
    con.commit()
    con.close()
    return store, key, time.perf_counter() - t0


# -- the measured process --------------------------------------------------------------
def _stand_ins() -> None:
    """Sections and export tables for tickets and stock moves, until those areas register."""
    from hallterm.services import day, export
    from hallterm.store import execute

    day.load_areas()
    keys = {s.key for s in day.registered_sections()}
    names = {t.name for t in day.registered_exports()}
    if "queue" not in keys:
        day.register_section(day.Section(
            key="queue", title="Queue", order=20, render=lambda f: [str(f)],
            compute=lambda uow, day: {"by_state": dict(execute(
                uow.session, "SELECT state, count(*) FROM ticket WHERE business_day = :d "
                "GROUP BY state", {"d": day.isoformat()}).all())}))
    if "stock" not in keys:
        day.register_section(day.Section(
            key="stock", title="Stock", order=40, render=lambda f: [str(f)],
            compute=lambda uow, day: {"by_kind": [list(r) for r in execute(
                uow.session, "SELECT d.kind, count(*), sum(m.quantity * m.unit_value_fen) "
                "FROM stock_move m JOIN stock_document d ON d.id = m.document_id "
                "WHERE m.business_day = :d GROUP BY d.kind", {"d": day.isoformat()}).all()]}))
    if "tickets" not in names:
        day.register_export(export.ExportTable(
            name="tickets", key_column="id", primary_key=("id",),
            source="FROM ticket WHERE business_day = :day",
            fields=(("id", "integer", ""), ("number", "string", ""), ("service", "string", ""),
                    ("priority", "string", ""), ("state", "string", ""),
                    ("issued_at", "datetime", ""), ("finished_at", "datetime", ""),
                    ("counter", "integer", ""))))
    if "stock_movements" not in names:
        day.register_export(export.ExportTable(
            name="stock_movements", key_column="id", primary_key=("id",),
            source="FROM stock_move WHERE business_day = :day",
            fields=(("id", "integer", ""), ("document_id", "integer", ""),
                    ("at", "datetime", ""), ("sku", "string", ""), ("serial", "string", ""),
                    ("quantity", "integer", ""), ("from_place", "string", ""),
                    ("to_place", "string", ""), ("unit_value_fen", "integer", ""))))


def measure(store: Path, key: Path, out: Path) -> None:
    import resource
    from zoneinfo import ZoneInfo

    from hallterm import security
    from hallterm.bootstrap import open_ctx
    from hallterm.clock import FixedClock
    from hallterm.services import day, export
    from hallterm.services.staff import authenticate
    from hallterm.settings import load_settings

    security.use_fast_hashing()
    _stand_ins()
    settings, _ = load_settings(None, store=store, key_file=key, terminal="bench")
    clock = FixedClock(datetime(2026, 11, 25, 19, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    ctx = open_ctx(settings, clock=clock)
    manager = ctx.as_actor(authenticate(ctx, empno="9001", pin="123456"))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    result = day.close_day(manager, business_day=TARGET, force=True, reason="bench",
                               reports_dir=out / "reports")
    t1 = time.perf_counter()
    done = export.export_days(ctx, to=out / "hq", business_day=TARGET)
    t2 = time.perf_counter()
    rows = done.days[0].rows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t3 = time.perf_counter()
    ok = export.verify(out / "hq").ok
    t4 = time.perf_counter()
    verify_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"z": result.z_number, "close_s": t1 - t0, "export_s": t2 - t1,
                      "rows": rows, "verify_s": t4 - t3, "verify_ok": ok, "peak_mb": peak,
                      "base_mb": base, "verify_peak_mb": verify_peak}))


def run_measure(store: Path, key: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--measure", str(store), str(key), str(out)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=365, help="days of history (long run)")
    parser.add_argument("--quick", action="store_true", help="30 days of history")
    parser.add_argument("--repeat", type=int, default=3, help="runs per store (median)")
    parser.add_argument("--measure", nargs=3, metavar=("STORE", "KEY", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*(Path(a) for a in args.measure))
        return
    history = 30 if args.quick else args.history
    results = {}
    for n in (1, history):
        folder = Path(tempfile.mkdtemp(prefix=f"closing-bench-{n}-"))
        try:
            store, key, built = build(folder, n)
            size = store.stat().st_size / 1e6
            runs = []
            for rep in range(args.repeat):  # closing changes the store: each run on a copy
                work = folder / f"run{rep}"
                work.mkdir()
                shutil.copy(store, work / "bench.db")
                runs.append(run_measure(work / "bench.db", key, work))
                shutil.rmtree(work)
            r = {k: statistics.median(x[k] for x in runs) for k in runs[0]}
            results[n] = r
            print(f"history {n:>3} days, median of {args.repeat} (store {size:,.0f} MB, "
                  f"built in {built:.0f} s): "
                  f"close {r['close_s']:.3f} s, export {r['export_s']:.3f} s "
                  f"({r['rows']:,} rows), verify {r['verify_s']:.3f} s, "
                  f"peak {r['peak_mb']:.0f} MB (after imports and sign-in {r['base_mb']:.0f} MB; "
                  f"verify {r['verify_peak_mb']:.0f} MB), Z {r['z']}, verify ok {r['verify_ok']}",
                  flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    one, many = results[1], results[history]
    print(f"ratio {history}/1 days: close {many['close_s'] / one['close_s']:.2f}, "
          f"export {many['export_s'] / one['export_s']:.2f} (goal <= 1.2); "
          f"goals: close <= 1 s, export <= 2 s, peak <= 150 MB")


if __name__ == "__main__":
    main()
