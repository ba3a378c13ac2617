"""Day close and export of a busy day, as processes, on 1 and on N days of history,
against ``sqlite3 -csv`` dumps of the same rows.

    uv run python -m bench.closing [--history-days 365] [--sales 5000] [--rounds 3]
    uv run python -m bench.closing --quick         # under a minute: small sizes

The measured day (``bench.history.TODAY``) gets ``--sales`` cash sales written by the
services (twelve counters, a counted item each, stock moves and audit rows as a day
of selling leaves them) on a store with 1 closed day; the same day's rows are then laid
on the store with ``--history-days`` closed days by bulk SQL (``history_sql.graft_day``:
writing them through the services there takes long, each sale summing the item's whole
stock ledger in a trigger). The built stores are cached. Then, on a fresh copy each
round:

- ``hallterm day close --force --day D --as 9001`` (forced: the drawers are not
  counted; every blocker is still computed), timed as a process;
- ``hallterm export --to DIR --day D`` of the closed day, timed as a process;
- the baseline: one ``sqlite3 -csv`` process printing the same rows (every table the
  export writes, its own SELECT with the day filled in) to files.

Median and range of the rounds; the goals (issue 14): the export <= 10x the
``sqlite3 -csv`` dump; close and export with N days within 1.2x of 1 day.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import history, history_sql
from bench.common import ROOT, Figure, clean_env, footer, header, save_json, table, venv_bin

CLOSE_AT = "2026-11-25T21:00:00+08:00"


def busy_store(days: int, sales: int, args) -> history.Built:
    """The ``days`` history store with ``sales`` sales on the measured day (cached)."""
    base = history.history_store(days, day_tickets=args.day_tickets, day_sales=args.day_sales,
                                 cache=args.cache, rebuild=args.rebuild)
    folder = base.path.parent.parent / f"{base.path.parent.name}-busy{sales}"
    built = history.Built(folder / "hall.db", folder / "hallterm.key", days, args.day_tickets,
                          args.day_sales)
    if built.path.exists() and not args.rebuild:
        return built
    work = Path(tempfile.mkdtemp(prefix="busy.", dir=folder.parent))
    started = time.perf_counter()
    try:
        copy = base.copy_to(work)
        if days > 1:  # the same busy day, written once by the services on 1 day of history
            history_sql.graft_day(copy.path, busy_store(1, sales, args).path, history.TODAY)
            if folder.exists():
                shutil.rmtree(folder)
            work.rename(folder)
            print(f"laid the {sales}-sale day on {days} days of history in "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            return built
        from bench.workers import RealOps, Spec

        anchor = time.time()
        terminals = [RealOps(Spec(str(copy.path), str(copy.key_file), history.TODAY.isoformat(),
                                  anchor, i)) for i in range(12)]
        for i in range(sales):
            terminals[i % 12].sale()
        for t in terminals:
            t.close()
        if folder.exists():
            shutil.rmtree(folder)
        work.rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {sales} sales on {days} days of history in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return built


def dump_script(out: Path) -> tuple[str, list[str]]:
    """The sqlite3 shell script printing every exported table's rows of the day as CSV."""
    from hallterm.services.day import load_areas
    from hallterm.services.export.tables import tables

    load_areas()
    day = f"'{history.TODAY.isoformat()}'"
    lines, names = [".headers on", ".mode csv"], []
    for t, _core in tables():
        key = next((c.expr for c in t.columns if c.name == t.key_column), t.key_column)
        sql = (t.query.replace(f"{key} > :after", f"{key} IS NOT NULL")
               .replace(":limit", "-1").replace(":day", day))
        lines += [f".output {out / (t.name + '.csv')}", sql + ";"]
        names.append(t.name)
    return "\n".join(lines) + "\n", names


def _lines(path: Path) -> int:
    with open(path, encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def timed(argv: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
                         f"\n{proc.stdout[-1000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.closing",
                                     description=__doc__.splitlines()[0])
    history.add_history_args(parser)
    parser.add_argument("--sales", type=int, default=5000, help="sales on the measured day")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes: 20 days of 200 tickets, 500 sales, 2 rounds")
    parser.add_argument("--json", metavar="FILE", help="also write every run as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.history_days, args.day_tickets, args.day_sales = 20, 200, 30
        args.sales, args.rounds = 500, 2
    days_list = [1, args.history_days]
    stores = {d: busy_store(d, args.sales, args) for d in days_list}
    header(f"bench.closing: close and export of a {args.sales}-sale day on 1 and "
           f"{args.history_days} days of history, {args.rounds} rounds")
    tmp = Path(tempfile.mkdtemp(prefix="bench-closing-"))
    figs: dict[tuple, Figure] = {}
    runs, rows_out = [], {}
    try:
        env = clean_env(PYTHONPYCACHEPREFIX=str(tmp / "pyc"), HOME=str(tmp),
                        XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "data"),
                        HALLTERM_NOW=CLOSE_AT, HALLTERM_PIN=history.MANAGER_PIN)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        hallterm = venv_bin("hallterm")
        for r in range(-1, args.rounds):  # round -1 warms the caches, not counted
            for d in days_list:
                work = tmp / f"r{r}-h{d}"
                copy = stores[d].copy_to(work)
                e = {**env, "HALLTERM_KEY_FILE": str(copy.key_file)}
                close_s = timed([hallterm, "day", "close", "--force", "--reason", "bench",
                                 "--day", history.TODAY.isoformat(), "--as", "9001",
                                 "--store", str(copy.path)], e)
                export_s = timed([hallterm, "export", "--to", str(work / "hq"), "--day",
                                  history.TODAY.isoformat(), "--store", str(copy.path)], e)
                (work / "csv").mkdir()
                script, names = dump_script(work / "csv")
                dump_s = timed(["sqlite3", "-readonly", str(copy.path)], e, stdin=script)
                rows_out[d] = {n: max(0, _lines(work / "csv" / f"{n}.csv") - 1) for n in names}
                if r >= 0:
                    for k, v in (("close", close_s), ("export", export_s), ("dump", dump_s)):
                        figs.setdefault((k, d), Figure()).add(v)
                    runs.append({"round": r, "days": d, "close_s": close_s,
                                 "export_s": export_s, "sqlite3_csv_s": dump_s})
                shutil.rmtree(work, ignore_errors=True)
            print(f"  round {r + 1} done", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    rows = []
    for d in days_list:
        ratio = Figure([a / b for a, b in zip(figs[("export", d)].values,
                                              figs[("dump", d)].values, strict=True)])
        rows.append([d, figs[("close", d)].text("{:.3f}"), figs[("export", d)].text("{:.3f}"),
                     figs[("dump", d)].text("{:.3f}"), ratio.text("{:.1f}"),
                     f"{sum(rows_out[d].values()):,}"])
    table(["history days", "day close s", "export s", "sqlite3 -csv s", "export/sqlite3",
           "rows exported"], rows)
    print("\nrows per table: " + ", ".join(f"{n} {c:,}" for n, c in rows_out[days_list[-1]].items()))
    goals = []
    for d in days_list:
        ratio = figs[("export", d)].median / figs[("dump", d)].median
        goals.append((f"export of a {args.sales}-sale day <= 10x sqlite3 -csv ({d} days)",
                      f"{ratio:.1f}x", ratio <= 10))
    n = days_list[-1]
    for k in ("close", "export"):
        ratio = figs[(k, n)].median / figs[(k, 1)].median
        goals.append((f"{k} with {n} days <= 1.2x with 1 day", f"{ratio:.2f}", ratio <= 1.2))
    print()
    table(["goal", "measured", "met"], [(g, m, "yes" if ok else "**no**") for g, m, ok in goals])
    save_json(args.json, {"runs": runs, "rows": rows_out, "args": vars(args)})
    footer()


if __name__ == "__main__":
    main()
