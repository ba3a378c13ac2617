"""Core write-path benchmark: audited writes/s across processes, hall-like load, --help time.

Run by hand:  uv run python bench/core_bench.py [--writes 2000] [--quick]
Prints medians and p99s; the figures go into README.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_store(folder: Path) -> tuple[Path, Path]:
    from hallterm import security
    from hallterm.bootstrap import init_store, open_ctx
    from hallterm.services.day import open_day
    from hallterm.services.staff import authenticate
    from hallterm.settings import load_settings

    security.use_fast_hashing()
    store, key = folder / "bench.db", folder / "bench.key"
    settings, _ = load_settings(None, store=store, key_file=key, terminal="bench",
                                hall=ROOT / "data" / "demo-hall.toml")
    init_store(settings, None, manager_empno="9001", manager_name="Bench", pin="123456")
    ctx = open_ctx(settings)
    open_day(ctx.as_actor(authenticate(ctx, empno="9001", pin="123456")))
    ctx.store.dispose()
    return store, key


def audited_worker(store: str, key: str, n: int, pause_ms: int, start, out) -> None:
    """``n`` audited writes (a numbered row + its audit row), timing each."""
    from hallterm.bootstrap import open_ctx
    from hallterm.context import SYSTEM, run_write
    from hallterm.settings import load_settings

    settings, _ = load_settings(None, store=Path(store), key_file=Path(key), terminal="w")
    ctx = open_ctx(settings).as_actor(SYSTEM)

    def work(uow):
        number = uow.next_number("bench:" + uow.now.date().isoformat())
        uow.audit("bench.write", entity="bench", entity_id=number, payload={"n": number})
        return number

    run_write(ctx, "bench.warm", lambda uow: uow.audit("bench.warm"))
    lat, errors = [], 0
    start.wait()
    t_begin = time.perf_counter()
    for _ in range(n):
        if pause_ms:
            time.sleep(random.uniform(0, pause_ms) / 1000)
        t0 = time.perf_counter()
        try:
            run_write(ctx, "bench.write", work)
        except Exception:
            errors += 1
        lat.append(time.perf_counter() - t0)
    out.put((lat, errors, time.perf_counter() - t_begin))


def raw_worker(store: str, _key: str, n: int, pause_ms: int, start, out) -> None:
    """The same numbered insert in plain sqlite3 (BEGIN IMMEDIATE, synchronous=FULL)."""
    con = sqlite3.connect(store, isolation_level=None, timeout=30)
    con.execute("PRAGMA synchronous=FULL")
    lat, errors = [], 0
    start.wait()
    t_begin = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO raw (v) VALUES (?)", (i,))
            con.execute("COMMIT")
        except sqlite3.Error:
            errors += 1
            con.execute("ROLLBACK")
        lat.append(time.perf_counter() - t0)
    out.put((lat, errors, time.perf_counter() - t_begin))


def run(worker, store: Path, key: Path, procs: int, n: int, pause_ms: int = 0) -> dict:
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(procs + 1), ctx.Queue()
    ps = [ctx.Process(target=worker, args=(str(store), str(key), n, pause_ms, start, out))
          for _ in range(procs)]
    for p in ps:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    results = [out.get() for _ in ps]
    wall = time.perf_counter() - t0
    for p in ps:
        p.join()
    lat = sorted(x for r in results for x in r[0])
    return {
        "procs": procs,
        "writes": len(lat),
        "errors": sum(r[1] for r in results),
        "per_s": len(lat) / wall,
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[int(len(lat) * 0.99) - 1] * 1000,
    }


def help_time(runs: int = 7) -> float:
    exe = ROOT / ".venv" / "bin" / "hallterm"
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=2000, help="writes per run (split over procs)")
    parser.add_argument("--hall-writes", type=int, default=60, help="writes per hall terminal")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store, key = make_store(folder)
        print(f"{'loop':<28}{'procs':>6}{'writes':>8}{'err':>5}{'writes/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
        rows = []
        for procs in (1, 4, 8):
            r = run(audited_worker, store, key, procs, args.writes // procs)
            rows.append(("audited write (HallTerm)", r))
        raw = folder / "raw.db"
        con = sqlite3.connect(raw)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, v INT)")
        con.close()
        for procs in (1, 4, 8):
            rows.append(("raw sqlite3 insert", run(raw_worker, raw, key, procs, args.writes // procs)))
        rows.append(("hall-like: 0-100 ms pauses", run(audited_worker, store, key, 12,
                                                       args.hall_writes, pause_ms=100)))
        for name, r in rows:
            print(f"{name:<28}{r['procs']:>6}{r['writes']:>8}{r['errors']:>5}{r['per_s']:>10.0f}"
                  f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}")
        a4 = next(r for n, r in rows if n.startswith("audited") and r["procs"] == 4)
        raw4 = next(r for n, r in rows if n.startswith("raw") and r["procs"] == 4)
        print(f"audited/raw at 4 processes: {a4['per_s'] / raw4['per_s']:.2f}")
    print(f"hallterm --help: median {help_time():.3f} s")


if __name__ == "__main__":
    main()
