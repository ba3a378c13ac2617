"""Hall-like load: 12 terminal processes working a mix with pauses, with and without history.

    uv run python -m bench.hall [--history-days 365] [--terminals 12] [--seconds 20] [--rounds 3]
    uv run python -m bench.hall --quick            # under a minute: small sizes

Each terminal is one process (``bench.workers``) at its own counter, run by its keeper;
it picks at random (weights 3:3:2:2) one of: issue a ticket (the kiosk on that
terminal), call the next ticket and finish it (two writes, one operation; "idle" when
nobody waits for that counter), sell one counted item in cash (scanned first: the
scan is timed as a scan), or scan an item; then pauses 0-``--pause-ms`` ms (uniform).
Rounds of ``--seconds`` alternate between the store without history and the one with
``--history-days`` closed days (``bench.history``), on copies of the built stores.
Reported per operation: count, p50/p95/p99 (the median of the rounds and their range)
and errors; the goals: every operation's p50 and p99 with history within 1.2x of
without, and p99 <= 25 ms with history.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bench import history
from bench.common import Figure, footer, header, load, percentile, save_json, table
from bench.workers import is_url
from bench.writes import check_store, drop_stores, measured_stores

OPS = ("issue", "call", "sale", "scan")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hall",
                                     description=__doc__.splitlines()[0])
    history.add_history_args(parser)
    parser.add_argument("--terminals", type=int, default=12, help="processes (default 12)")
    parser.add_argument("--seconds", type=float, default=20, help="length of a round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per store")
    parser.add_argument("--pause-ms", type=float, default=100,
                        help="pause after each operation, uniform 0..this (default 100)")
    parser.add_argument("--store", metavar="DIR|URL",
                        help="SQLite: the folder the measured copies go to (default a "
                             "temporary one); PostgreSQL: a postgresql:// URL")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes: 20 days of 200 tickets, 6 s rounds, 2 rounds")
    parser.add_argument("--json", metavar="FILE", help="also write every round as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.history_days, args.day_tickets, args.day_sales = 20, 200, 30
        args.seconds, args.rounds = 6, 2
    check_store(args.store)
    days_list = [0, args.history_days] if args.history_days else [0]
    stores = history.stores_from(args, days_list)
    header(f"bench.hall: {args.terminals} terminals, {args.seconds:g} s rounds, pauses 0-"
           f"{args.pause_ms:g} ms, {args.rounds} rounds, history 0 and {args.history_days} days")
    from bench.workers import Pool

    tmp = Path(tempfile.mkdtemp(prefix="bench-hall-",
                                dir=None if is_url(args.store or "") else args.store))
    pools = {}
    figs: dict[tuple, dict[str, Figure]] = {}
    counts: dict[tuple, int] = {}
    errors: dict[int, list[str]] = {d: [] for d in days_list}
    rounds = []
    where: dict = {}
    try:
        where = measured_stores(args, stores, tmp)
        for d in days_list:
            pools[d] = Pool(args.terminals, where[d][0], where[d][1], history.TODAY.isoformat())
        for r in range(args.rounds):
            for d in days_list:
                res = pools[d].run(args.terminals, "real", "mix", args.seconds, args.pause_ms)
                errors[d].extend(res["errors"])
                row = {"days": d, "round": r, "load": load(), "errors": res["errors"][:5]}
                for kind, lat in res["lat"].items():
                    if kind.endswith(" error"):
                        counts[(kind, d)] = counts.get((kind, d), 0) + len(lat)
                for op in (*OPS, "idle"):
                    lat = res["lat"].get(op, [])
                    counts[(op, d)] = counts.get((op, d), 0) + len(lat)
                    f = figs.setdefault((op, d), {"p50": Figure(), "p95": Figure(),
                                                  "p99": Figure()})
                    if lat:
                        for p in (50, 95, 99):
                            f[f"p{p}"].add(percentile(lat, p) * 1000)
                    row[op] = {"n": len(lat), "p50_ms": percentile(lat, 50) * 1000,
                               "p99_ms": percentile(lat, 99) * 1000}
                rounds.append(row)
                print(f"  round {r + 1}, {d} days: {sum(len(v) for v in res['lat'].values())} "
                      f"operations, {len(res['errors'])} errors (load {load()})",
                      file=sys.stderr, flush=True)
    finally:
        for pool in pools.values():
            pool.close()
        drop_stores(args, where)
        shutil.rmtree(tmp, ignore_errors=True)
    rows = []
    for op in OPS:
        for d in days_list:
            f = figs[(op, d)]
            rows.append([op, d, counts[(op, d)], f["p50"].text(), f["p95"].text(),
                         f["p99"].text("{:.1f}"), counts.get((op + " error", d), 0)])
    print()
    table(["operation", "history days", "count", "p50 ms", "p95 ms", "p99 ms", "errors"], rows)
    print("\ncalls that found nobody waiting (idle): "
          + ", ".join(f"{counts[('idle', d)]} ({d} days)" for d in days_list))
    for d in days_list:
        for e in sorted(set(errors[d]))[:5]:
            print(f"  error ({d} days): {e}")
    goals = []
    if len(days_list) == 2:
        d = days_list[1]
        for op in OPS:
            a, b = figs[(op, 0)], figs[(op, d)]
            if a["p50"].values and b["p50"].values:
                r50, r99 = b["p50"].median / a["p50"].median, b["p99"].median / a["p99"].median
                goals.append((f"{op}: p50 and p99 with {d} days <= 1.2x without",
                              f"{r50:.2f} / {r99:.2f}", r50 <= 1.2 and r99 <= 1.2))
    last = days_list[-1]
    for op in OPS:
        f = figs[(op, last)]
        if f["p99"].values:
            goals.append((f"{op}: p99 <= 25 ms with {last} days", f"{f['p99'].median:.1f} ms",
                          f["p99"].median <= 25))
    goals.append(("no errors", str(sum(len(v) for v in errors.values())),
                  not any(errors.values())))
    print()
    table(["goal", "measured", "met"], [(g, m, "yes" if ok else "**no**") for g, m, ok in goals])
    save_json(args.json, {"rounds": rounds, "args": vars(args)})
    footer()


if __name__ == "__main__":
    main()
