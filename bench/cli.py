"""CLI start-up: ``queue status --json`` against a bare Typer app, ``audit verify`` against a
plain streaming verifier; every command a new process, as cron or a clerk runs it.

    uv run python -m bench.cli [--history-days 365] [--rounds 7] [--verify-rows 10000]
    uv run python -m bench.cli --quick             # under a minute

- ``queue status``: ``hallterm queue status --json --store S`` against ``bench/bare_cli.py``,
  a Typer app that opens the same SQLite file and prints the waiting tickets per
  service as JSON; on the store without history and the one with ``--history-days``.
- ``audit verify``: ``hallterm audit verify --store S`` against ``bench/plain_verify.py``
  (stdlib only: stream the rows, recompute each HMAC, check the links), each on two
  stores written by the services (the set-up only, and ``--verify-rows`` more ticket
  issues): the fixed start-up is the time on the small store, the per-row cost the
  difference over the difference in rows. ``audit verify`` also checks every business
  row's seal (the plain verifier does not): that is part of its per-row cost.

Both sides run with a warm bytecode cache (``PYTHONPYCACHEPREFIX`` filled by a first run);
rounds interleave A B A B; median and range of the rounds.
Goals (issue 14): queue status <= 2x the bare Typer app; audit verify start-up <= 0.3 s
and per row <= 1.2x the plain verifier.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import history
from bench.common import ROOT, Figure, clean_env, footer, header, save_json, table, venv_bin


def timed(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def verify_store(rows: int, cache: str | None) -> history.Built:
    """A store written by the services: the set-up and ``rows`` more ticket issues."""
    base = history.history_store(0, cache=cache)
    if rows == 0:
        return base
    folder = history.cache_dir(cache) / f"verify-{rows}-{history.schema_stamp()}"
    built = history.Built(folder / "hall.db", folder / "hallterm.key", 0, 0, 0)
    if built.path.exists():
        return built
    work = Path(tempfile.mkdtemp(prefix="verify.", dir=folder.parent))
    try:
        copy = base.copy_to(work)
        from bench.workers import BenchClock
        from hallterm.services import queue

        ctx = history.ctx_at(copy.path, copy.key_file,
                             BenchClock(history.TODAY.isoformat(), time.time()), "VERIFY")
        kiosk = ctx.as_actor(None)
        for i in range(rows):
            queue.issue_ticket(kiosk, service="ABCDEF"[i % 6])
        history.close_store(ctx)
        if folder.exists():
            shutil.rmtree(folder)
        work.rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return built


def audit_rows(path: Path) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    n = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    con.close()
    return n


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cli",
                                     description=__doc__.splitlines()[0])
    history.add_history_args(parser)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--verify-rows", type=int, default=10_000,
                        help="ticket issues written for the large audit store (default 10000)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes: 20 days of 200 tickets, 3 rounds, 2000 rows")
    parser.add_argument("--json", metavar="FILE", help="also write every run as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.history_days, args.day_tickets, args.day_sales = 20, 200, 30
        args.rounds, args.verify_rows = 3, 2000
    days_list = [0, args.history_days] if args.history_days else [0]
    stores = history.stores_from(args, days_list)
    small, large = verify_store(0, args.cache), verify_store(args.verify_rows, args.cache)
    header(f"bench.cli: queue status and audit verify as processes, {args.rounds} rounds")
    tmp = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    figs: dict[tuple, Figure] = {}
    runs = []
    try:
        env = clean_env(PYTHONPYCACHEPREFIX=str(tmp / "pyc"), HOME=str(tmp),
                        XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "data"),
                        HALLTERM_NOW="2026-11-25T11:00:00+08:00")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        hallterm = venv_bin("hallterm")
        status, verify = {}, {}
        for d in days_list:
            copy = stores[d].copy_to(tmp / f"h{d}")
            status[d] = {
                "hallterm": ([hallterm, "queue", "status", "--json", "--store", str(copy.path)],
                             {"HALLTERM_KEY_FILE": str(copy.key_file)}),
                "bare Typer": ([sys.executable, str(ROOT / "bench" / "bare_cli.py"),
                                "--json", "--store", str(copy.path),
                                "--day", history.TODAY.isoformat()], {}),
            }
        for label, built in (("small", small), ("large", large)):
            copy = built.copy_to(tmp / f"verify-{label}")
            verify[label] = {
                "rows": audit_rows(copy.path),
                "hallterm": ([hallterm, "audit", "verify", "--store", str(copy.path)],
                             {"HALLTERM_KEY_FILE": str(copy.key_file)}),
                "plain": ([sys.executable, str(ROOT / "bench" / "plain_verify.py"),
                           str(copy.path), str(copy.key_file)], {}),
            }
        jobs = [(("status", d, side), argv_, extra) for d in days_list
                for side, (argv_, extra) in status[d].items()]
        jobs += [(("verify", label, side), verify[label][side][0], verify[label][side][1])
                 for label in ("small", "large") for side in ("hallterm", "plain")]
        for _key, argv_, extra in jobs:  # warm the bytecode and the file cache
            timed(argv_, {**env, **extra})
        for r in range(args.rounds):
            for key, argv_, extra in jobs:
                t = timed(argv_, {**env, **extra})
                figs.setdefault(key, Figure()).add(t)
                runs.append({"round": r, "what": list(key), "seconds": t})
            print(f"  round {r + 1} done", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    rows = []
    goals = []
    for d in days_list:
        a, b = figs[("status", d, "hallterm")], figs[("status", d, "bare Typer")]
        ratio = Figure([x / y for x, y in zip(a.values, b.values, strict=True)])
        rows.append([f"queue status --json ({d} days)", a.text("{:.3f}"), b.text("{:.3f}"),
                     ratio.text("{:.2f}")])
        goals.append((f"queue status <= 2x a bare Typer app ({d} days)", f"{ratio.median:.2f}x",
                      ratio.median <= 2))
    for label in ("small", "large"):
        a, b = figs[("verify", label, "hallterm")], figs[("verify", label, "plain")]
        ratio = Figure([x / y for x, y in zip(a.values, b.values, strict=True)])
        rows.append([f"audit verify, {verify[label]['rows']:,} rows", a.text("{:.3f}"),
                     b.text("{:.3f}"), ratio.text("{:.2f}")])
    table(["command (process, wall time s)", "HallTerm", "baseline", "ratio"], rows)
    drows = verify["large"]["rows"] - verify["small"]["rows"]
    per = {side: Figure([(lg - sm) / drows * 1e6 for lg, sm in zip(
        figs[("verify", "large", side)].values, figs[("verify", "small", side)].values,
        strict=True)]) for side in ("hallterm", "plain")}
    print(f"\naudit verify per row: HallTerm {per['hallterm'].text('{:.1f}')} us, plain "
          f"{per['plain'].text('{:.1f}')} us (over {drows:,} rows; median and range of the "
          "rounds)")
    fixed = figs[("verify", "small", "hallterm")]
    goals.append((f"audit verify fixed start-up <= 0.3 s ({verify['small']['rows']} rows)",
                  f"{fixed.median:.3f} s", fixed.median <= 0.3))
    if per["hallterm"].median > 0 and per["plain"].median > 0:
        pr = per["hallterm"].median / per["plain"].median
        goals.append(("audit verify per row <= 1.2x a plain streaming verifier",
                      f"{pr:.2f}x", pr <= 1.2))
    else:
        goals.append(("audit verify per row <= 1.2x a plain streaming verifier",
                      "not measurable (noise over the rows: raise --verify-rows)", False))
    print()
    table(["goal", "measured", "met"], [(g, m, "yes" if ok else "**no**") for g, m, ok in goals])
    save_json(args.json, {"runs": runs, "args": vars(args)})
    footer()


if __name__ == "__main__":
    main()
