"""The measured processes of the write and hall-like benchmarks.

A worker is one terminal process: it opens the store once (imports and connections
are not measured), then runs what the parent sends it and sends back every
operation's latency. Two sides, each doing the same work:

- ``RealOps``: HallTerm's public service functions (``queue.issue_ticket``,
  ``sales.complete_sale``, ``queue.call_next`` + ``queue.finish``, ``sales.scan``),
  as a kiosk or as the counter's keeper.
- ``RawOps``: a plain ``sqlite3`` connection (``synchronous=FULL``, WAL, ``BEGIN
  IMMEDIATE`` retried with a short jittered pause like HallTerm's store, or SQLite's
  busy timeout with ``raw_wait="busy"``) running the statements those calls must run:
  the counter row (``sequence``), the business rows (visit, ticket, ticket event;
  sale, line, payment, stock document, stock move, the two balances), and one audit
  row whose HMAC-SHA-256 chains onto the last row's. No framework, no checks beyond
  what the SQL does; the same tables, indexes and triggers.
"""

from __future__ import annotations

import contextlib
import random
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

SERVICES_OF = {1: "AD", 2: "ABC", 3: "BCE", 4: "DA", 5: "FC", 6: "VBCD"}
GOODS = ("ACC-CABLE-C", "ACC-CASE", "ACC-CHG-65W")


def is_url(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


def counter_of(index: int) -> int:
    return index % 12 + 1


def services_of(counter: int) -> str:
    return SERVICES_OF[(counter - 1) % 6 + 1]


class BenchClock:
    """The measured day at 10:00 plus the real time since ``anchor`` (shared by all)."""

    def __init__(self, day: str, anchor: float) -> None:
        from zoneinfo import ZoneInfo

        self.tz = ZoneInfo("Asia/Shanghai")
        y, m, d = (int(x) for x in day.split("-"))
        self.base = datetime(y, m, d, 10, 0, tzinfo=self.tz)
        self.anchor = anchor

    def now(self) -> datetime:
        return self.base + timedelta(seconds=time.time() - self.anchor)


@dataclass
class Spec:
    path: str
    key_file: str
    day: str
    anchor: float
    index: int
    raw_wait: str = "retry"  # the raw loop's wait for the write lock: retry | busy


class RealOps:
    """One terminal through the services: a kiosk and counter ``counter_of(index)``."""

    def __init__(self, spec: Spec) -> None:
        from dataclasses import replace

        from hallterm import security
        from hallterm.bootstrap import open_ctx
        from hallterm.services import catalog, sales
        from hallterm.services.staff import authenticate
        from hallterm.settings import load_settings

        security.use_fast_hashing()
        self.counter = counter_of(spec.index)
        store: str | Path = spec.path if is_url(spec.path) else Path(spec.path)
        settings, _ = load_settings(None, store=store, key_file=Path(spec.key_file),
                                    terminal=f"T{spec.index + 1:02d}")
        ctx = open_ctx(settings, clock=BenchClock(spec.day, spec.anchor))
        self.kiosk = ctx.as_actor(None)
        clerk = authenticate(ctx, empno=f"80{self.counter:02d}", pin="246810")
        self.clerk = replace(ctx.as_actor(clerk), counter=self.counter)
        self.sku = GOODS[spec.index % len(GOODS)]
        self.lines = [sales.line_from_item(catalog.lookup(self.clerk, code=self.sku))]
        self.total = sales.cart_total(self.lines)
        self.services = services_of(self.counter)
        self.n = 0

    def issue(self) -> str:
        from hallterm.services import queue

        self.n += 1
        queue.issue_ticket(self.kiosk, service=self.services[self.n % len(self.services)])
        return "issue"

    def sale(self) -> str:
        from hallterm.services import sales

        sales.complete_sale(self.clerk, counter=self.counter, visit_id=None, lines=self.lines,
                            payments=[sales.PaymentIn("cash", self.total, self.total)])
        return "sale"

    def call(self) -> str:
        from hallterm.services import queue

        if queue.call_next(self.clerk) is None:
            return "idle"
        queue.finish(self.clerk)
        return "call"

    def scan(self) -> str:
        from hallterm.services import sales

        sales.scan(self.clerk, counter=self.counter, code=self.sku)
        return "scan"

    def close(self) -> None:
        dispose = getattr(self.kiosk.store, "dispose", None)
        if dispose:
            dispose()


def _timed(fn) -> tuple[str, float, str | None]:
    t0 = time.perf_counter()
    try:
        kind = fn()
        error = None
    except Exception as exc:
        kind, error = "error", f"{type(exc).__name__}: {exc}"[:200]
    return kind, time.perf_counter() - t0, error


MIX = (("issue", 3), ("call", 3), ("sale", 2), ("scan", 2))


def worker_main(pipe, spec: Spec) -> None:
    """Serve the parent's commands until it says stop; replies are plain data."""
    sides: dict[str, Any] = {}
    try:
        sides["real"] = RealOps(spec)
        from bench.raw_ops import RawOps

        sides["raw"] = RawOps(spec)
        pipe.send(("ready", None))
    except Exception:
        pipe.send(("failed", traceback.format_exc()))
        return
    rng = random.Random(spec.index)
    while True:
        msg = pipe.recv()
        if msg[0] == "stop":
            break
        _cmd, side, op, n, start_at, extra = msg
        ops = sides[side]
        while time.time() < start_at:
            time.sleep(min(0.01, max(0.0, start_at - time.time())))
        lat: dict[str, list[float]] = {}
        errors: list[str] = []
        t_begin = time.perf_counter()
        if op == "mix":  # the hall: weighted mix with pauses, for ``n`` seconds
            pause_ms, until = extra, time.perf_counter() + n
            names = [name for name, w in MIX for _ in range(w)]
            while time.perf_counter() < until:
                time.sleep(rng.uniform(0, pause_ms) / 1000)
                name = rng.choice(names)
                if name == "sale":  # a sale is scanned first
                    kind, dt, err = _timed(ops.scan)
                    lat.setdefault(kind, []).append(dt)
                kind, dt, err = _timed(getattr(ops, name))
                lat.setdefault(kind if not err else name + " error", []).append(dt)
                if err:
                    errors.append(err)
        else:
            fn = getattr(ops, op)
            for _ in range(n):
                kind, dt, err = _timed(fn)
                lat.setdefault(kind, []).append(dt)
                if err:
                    errors.append(err)
        t_end = time.perf_counter()
        pipe.send(("done", {"lat": lat, "errors": errors, "wall": t_end - t_begin,
                            "begin": time.time() - (t_end - t_begin), "end": time.time()}))
    for ops in sides.values():
        ops.close()


class Pool:
    """``size`` terminal processes on one store, started once, driven round by round."""

    def __init__(self, size: int, path: Path | str, key_file: Path, day: str,
                 raw_wait: str = "retry") -> None:
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        self.anchor = time.time()
        self.pipes, self.procs = [], []
        for i in range(size):
            parent, child = ctx.Pipe()
            spec = Spec(str(path), str(key_file), day, self.anchor, i, raw_wait)
            p = ctx.Process(target=worker_main, args=(child, spec), daemon=True)
            p.start()
            self.pipes.append(parent)
            self.procs.append(p)
        for pipe in self.pipes:
            status, detail = pipe.recv()
            if status != "ready":
                self.close()
                raise SystemExit(f"a worker could not start:\n{detail}")

    def run(self, procs: int, side: str, op: str, n: int, extra: Any = None) -> dict[str, Any]:
        """Run ``op`` on the first ``procs`` workers at once; every latency, and the rate."""
        start_at = time.time() + 0.2
        for pipe in self.pipes[:procs]:
            pipe.send(("run", side, op, n, start_at, extra))
        results = [pipe.recv()[1] for pipe in self.pipes[:procs]]
        lat: dict[str, list[float]] = {}
        for r in results:
            for kind, values in r["lat"].items():
                lat.setdefault(kind, []).extend(values)
        wall = max(r["end"] for r in results) - min(r["begin"] for r in results)
        return {"lat": lat, "errors": [e for r in results for e in r["errors"]], "wall": wall}

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(BrokenPipeError, OSError):
                pipe.send(("stop",))
        for p in self.procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
