"""Writes: HallTerm's service calls against a raw sqlite3 loop doing the same statements.

    uv run python -m bench.writes [--history-days 365] [--procs 1,4,8] [--n 300] [--rounds 3]
    uv run python -m bench.writes --quick          # under a minute: small sizes

Three writes, each measured both ways in the same run on the same store copy:

- ``issue``: ``queue.issue_ticket`` as the kiosk (counter row, visit, ticket, ticket
  event, audit row);
- ``sale``: ``sales.complete_sale`` of one counted item paid in cash at the clerk's own
  counter (receipt number, visit, sale, line, payment, stock document and move, both
  balances, audit row);
- ``call``: ``queue.call_next`` then ``queue.finish`` at the clerk's counter (two
  writes: one operation here), on tickets issued before the round (not timed).

The baseline (``raw``) is ``bench.raw_ops.RawOps``: plain sqlite3, ``BEGIN IMMEDIATE``,
``synchronous=FULL``, the same rows and one HMAC-chained audit row per write; it waits
for the write lock as HallTerm's store does (``--raw-wait retry``: ``BEGIN IMMEDIATE``
retried at once with a short jittered pause) or in SQLite's busy handler (``busy``). Each of
1/4/8 processes runs ``--n`` operations per round; rounds go real, raw, real, raw...
and alternate between the store without history and the store with
``--history-days`` closed days (``bench.history``). Reported per cell: the median of
the rounds and their range; throughput is operations over the wall time from the first
start to the last end; p50/p99 over every operation of the round.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench import history
from bench.common import Figure, footer, header, load, percentile, save_json, table
from bench.workers import is_url

KINDS = {"issue": "issue", "sale": "sale", "call": "call"}


def check_store(url: str | None) -> None:
    """``--store``: a folder for the SQLite copies, or a PostgreSQL server's URL."""
    if url is None:
        return
    if not is_url(url):
        if not Path(url).is_dir():
            raise SystemExit(f"--store {url}: not a folder (give a folder for the SQLite "
                             "copies, or a postgresql:// URL)")
        return
    import subprocess

    from bench.common import venv_bin

    probe = subprocess.run([venv_bin("hallterm"), "store", "copy", "--help"],
                           capture_output=True)
    if probe.returncode != 0:
        raise SystemExit("--store postgresql://…: this HallTerm has no PostgreSQL store "
                         "(no `hallterm store copy`); run without --store (SQLite)")


def measured_stores(args, stores: dict[int, history.Built], tmp: Path
                    ) -> dict[int, tuple[str, Path]]:
    """Where each history store is measured: a copy in ``tmp`` (SQLite) or a fresh
    database on the ``--store`` server (``bench.pg``); (location, key file)."""
    out = {}
    for d, built in stores.items():
        if args.store and is_url(args.store):
            from bench import pg

            out[d] = (pg.prepare(args.store, built, f"{os.getpid()}_h{d}"), built.key_file)
        else:
            copy = built.copy_to(tmp / f"h{d}")
            out[d] = (str(copy.path), copy.key_file)
    return out


def drop_stores(args, where: dict[int, tuple[str, Path]]) -> None:
    if args.store and is_url(args.store):
        from bench import pg

        for location, _key in where.values():
            pg.drop(args.store, location)


def statement_counts(built: history.Built, folder: Path) -> dict[str, tuple[int, int]]:
    """SQL statements each write sends to SQLite, HallTerm's and the raw loop's (counted by
    sqlite3's trace hook on a scratch copy; a statement repeated by a trigger counts once)."""
    import sqlite3
    import time

    from bench.raw_ops import RawOps
    from bench.workers import RealOps, Spec

    copy = built.copy_to(folder)
    log: list[str] = []
    connect = sqlite3.connect

    def traced(*a, **k):
        con = connect(*a, **k)
        con.set_trace_callback(log.append)
        return con

    sqlite3.connect = traced  # type: ignore[assignment]
    try:
        spec = Spec(str(copy.path), str(copy.key_file), history.TODAY.isoformat(), time.time(), 0)
        sides = {"real": RealOps(spec), "raw": RawOps(spec)}
        out = {}
        for op in ("issue", "sale", "call"):
            counts = []
            for side in ("real", "raw"):
                sides[side].issue()  # a ticket to call
                log.clear()
                getattr(sides[side], op)()
                counts.append(sum(1 for i, s in enumerate(log) if i == 0 or s != log[i - 1]))
            out[op] = (counts[0], counts[1])
        for ops in sides.values():
            ops.close()
    finally:
        sqlite3.connect = connect  # type: ignore[assignment]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.writes",
                                     description=__doc__.splitlines()[0])
    history.add_history_args(parser)
    parser.add_argument("--procs", default="1,4,8", help="process counts (default 1,4,8)")
    parser.add_argument("--ops", default="issue,sale,call", help="which writes")
    parser.add_argument("--n", type=int, default=300, help="operations per process per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side (default 3)")
    parser.add_argument("--raw-wait", choices=("retry", "busy"), default="retry",
                        help="how the raw loop waits for the write lock: retry BEGIN "
                             "IMMEDIATE at once with a short jittered pause, as HallTerm's "
                             "store does (default), or SQLite's busy handler (busy_timeout)")
    parser.add_argument("--store", metavar="DIR|URL",
                        help="SQLite: the folder the measured copies go to (default a "
                             "temporary one); PostgreSQL: a postgresql:// URL")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes: 20 days of 200 tickets, --n 40, 2 rounds, 1,4 procs")
    parser.add_argument("--json", metavar="FILE", help="also write every round as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.history_days, args.day_tickets, args.day_sales = 20, 200, 30
        args.n, args.rounds, args.procs = 40, 2, "1,4"
    check_store(args.store)
    procs_list = [int(p) for p in args.procs.split(",")]
    ops = args.ops.split(",")
    days_list = [0, args.history_days] if args.history_days else [0]
    stores = history.stores_from(args, days_list)
    header(f"bench.writes: {', '.join(ops)} at {args.procs} processes, {args.n} per process "
           f"per round, {args.rounds} rounds, history 0 and {args.history_days} days")
    from bench.workers import Pool

    tmp = Path(tempfile.mkdtemp(prefix="bench-writes-",
                                dir=None if is_url(args.store or "") else args.store))
    statements = statement_counts(stores[0], tmp / "statements")
    print("SQL statements per write on SQLite (HallTerm / raw): " + ", ".join(
        f"{op} {a} / {b}" for op, (a, b) in statements.items()), flush=True)
    if args.store and is_url(args.store):
        print(f"measured on PostgreSQL: {args.store}", flush=True)
    pools = {}
    results: dict[tuple, dict[str, Figure]] = {}
    raw_rounds = []
    where: dict[int, tuple[str, Path]] = {}
    try:
        where = measured_stores(args, stores, tmp)
        for d in days_list:
            pools[d] = Pool(max(procs_list), where[d][0], where[d][1],
                            history.TODAY.isoformat(), args.raw_wait)
        for op in ops:
            for procs in procs_list:
                for r in range(args.rounds):
                    for d in days_list:
                        for side in ("real", "raw"):
                            if op == "call":  # tickets to call (issued, not timed)
                                pools[d].run(procs, "real", "issue", args.n + args.n // 5 + 2)
                            res = pools[d].run(procs, side, op, args.n)
                            lat = res["lat"].get(KINDS[op], [])
                            figs = results.setdefault((op, procs, d, side), {
                                "rate": Figure(), "p50": Figure(), "p99": Figure(),
                                "errors": Figure(), "idle": Figure()})
                            figs["rate"].add(len(lat) / res["wall"] if res["wall"] else 0)
                            figs["p50"].add(percentile(lat, 50) * 1000)
                            figs["p99"].add(percentile(lat, 99) * 1000)
                            figs["errors"].add(len(res["errors"]))
                            figs["idle"].add(len(res["lat"].get("idle", [])))
                            raw_rounds.append({"op": op, "procs": procs, "days": d, "side": side,
                                               "round": r, "n": len(lat), "wall": res["wall"],
                                               "p50_ms": percentile(lat, 50) * 1000,
                                               "p99_ms": percentile(lat, 99) * 1000,
                                               "errors": res["errors"][:5], "load": load()})
                            if res["errors"]:
                                print(f"  {op} {side} {procs}p h{d}: {len(res['errors'])} errors,"
                                      f" e.g. {res['errors'][0]}", file=sys.stderr, flush=True)
                print(f"  done: {op} at {procs} processes (load {load()})", file=sys.stderr,
                      flush=True)
    finally:
        for pool in pools.values():
            pool.close()
        drop_stores(args, where)
        shutil.rmtree(tmp, ignore_errors=True)
    report(results, ops, procs_list, days_list)
    save_json(args.json, {"rounds": raw_rounds, "statements": statements, "args": vars(args)})
    footer()


def report(results, ops, procs_list, days_list) -> None:
    rows = []
    for op in ops:
        for procs in procs_list:
            for d in days_list:
                real, raw = results[(op, procs, d, "real")], results[(op, procs, d, "raw")]
                ratio = Figure([a / b for a, b in zip(real["rate"].values, raw["rate"].values,
                                                      strict=True) if b])
                rows.append([op, procs, d, real["rate"].text("{:.0f}"), raw["rate"].text("{:.0f}"),
                             ratio.text("{:.2f}"), real["p50"].text("{:.2f}"),
                             real["p99"].text("{:.1f}"), raw["p50"].text("{:.2f}"),
                             raw["p99"].text("{:.1f}"),
                             f"{sum(real['errors'].values):.0f}/{sum(raw['errors'].values):.0f}"])
    print()
    table(["write", "procs", "history days", "HallTerm ops/s", "raw ops/s", "HallTerm/raw",
           "HallTerm p50 ms", "HallTerm p99 ms", "raw p50 ms", "raw p99 ms", "errors"], rows)
    print()
    goals(results, procs_list, days_list)


def goals(results, procs_list, days_list) -> None:
    """The issue's goals for the write path, each met or not, from this run's figures."""
    lines = []

    def get(op, procs, d, side):
        return results.get((op, procs, d, side))

    for d in days_list:
        issue4, raw_issue4 = get("issue", 4, d, "real"), get("issue", 4, d, "raw")
        if issue4 and raw_issue4:
            ratio = issue4["rate"].median / raw_issue4["rate"].median
            lines.append((f"issue at 4 processes >= 1/3 of raw ({d} days)", f"{ratio:.2f}",
                          ratio >= 1 / 3))
            lines.append((f"issue at 4 processes >= 1500/s ({d} days)",
                          f"{issue4['rate'].median:.0f}/s", issue4["rate"].median >= 1500))
        sale4, raw_sale4 = get("sale", 4, d, "real"), get("sale", 4, d, "raw")
        if sale4 and raw_sale4:
            ratio = sale4["rate"].median / raw_sale4["rate"].median
            lines.append((f"sale at 4 processes >= 1/4 of raw ({d} days)", f"{ratio:.2f}",
                          ratio >= 1 / 4))
            lines.append((f"sale at 4 processes >= 1000/s ({d} days)",
                          f"{sale4['rate'].median:.0f}/s", sale4["rate"].median >= 1000))
        for op in ("issue", "sale", "call"):
            f = get(op, 8, d, "real")
            if f:
                p50, p99 = f["p50"].median, f["p99"].median
                lines.append((f"{op} at 8 processes: p99 <= 10x p50 and <= 20 ms ({d} days)",
                              f"p50 {p50:.2f} ms, p99 {p99:.1f} ms",
                              p99 <= 10 * p50 and p99 <= 20))
    if len(days_list) == 2:
        d = days_list[1]
        for op in ("issue", "sale", "call"):
            for procs in procs_list:
                a, b = get(op, procs, 0, "real"), get(op, procs, d, "real")
                if a and b:
                    r50 = b["p50"].median / a["p50"].median
                    r99 = b["p99"].median / a["p99"].median
                    lines.append((f"{op} at {procs} processes: p50 and p99 with {d} days "
                                  f"<= 1.2x without", f"{r50:.2f} / {r99:.2f}",
                                  r50 <= 1.2 and r99 <= 1.2))
    table(["goal", "measured", "met"], [(g, m, "yes" if ok else "**no**") for g, m, ok in lines])
    print(json.dumps({"goals": [{"goal": g, "measured": m, "met": ok} for g, m, ok in lines]}),
          file=sys.stderr)


if __name__ == "__main__":
    main()
