"""Queue benchmark: tickets issued per second (1 and 4 processes) and "call next" latency.

Run by hand:  uv run python bench/queue_bench.py [--issues 2000] [--waiting 2000]

Issues go through ``services.queue.issue_ticket`` — the function behind
``hallterm queue issue`` — each one a full audited write (BEGIN IMMEDIATE,
gapless number, visit, ticket, event, audit row, commit with synchronous=FULL).
"Call next" is timed with ``waiting`` tickets of every class waiting across the
counter's services. Goals: ≥ 1 000 issues/s across 4 processes; call next ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AT = "2026-11-25T10:00:00+08:00"
CLASSES = ("normal", "normal", "normal", "vip", "care", "appointment")


def open_ctx_at(store: Path, key: Path, terminal: str):
    from hallterm.bootstrap import open_ctx
    from hallterm.clock import FixedClock
    from hallterm.settings import load_settings

    settings, _ = load_settings(None, store=store, key_file=key, terminal=terminal)
    return open_ctx(settings, clock=FixedClock(datetime.fromisoformat(AT)))


def make_store(folder: Path) -> tuple[Path, Path]:
    """A demo-hall store (open all day) with today's day open and a clerk at counter 1."""
    from hallterm import security
    from hallterm.bootstrap import init_store
    from hallterm.clock import FixedClock
    from hallterm.services.day import open_day
    from hallterm.services.staff import add_staff, authenticate
    from hallterm.settings import load_settings

    security.use_fast_hashing()  # staff setup only; nothing timed hashes a PIN
    store, key = folder / "queue.db", folder / "queue.key"
    settings, _ = load_settings(None, store=store, key_file=key, terminal="bench",
                                hall=ROOT / "data" / "demo-hall.toml")
    clock = FixedClock(datetime.fromisoformat(AT))
    init_store(settings, manager_empno="9001", manager_name="Bench", pin="123456", clock=clock)
    ctx = open_ctx_at(store, key, "bench")
    manager = ctx.as_actor(authenticate(ctx, empno="9001", pin="123456"))
    open_day(manager)
    add_staff(manager, empno="8004", name="Clerk", roles=["sales"], pin="246810")
    ctx.store.dispose()
    return store, key


def issue_worker(store: str, key: str, terminal: str, count: int, start, out) -> None:
    from hallterm.services.queue import issue_ticket

    ctx = open_ctx_at(Path(store), Path(key), terminal)
    start.wait()
    t0 = time.perf_counter()
    for i in range(count):
        issue_ticket(ctx, service="ABCDEF"[i % 6], priority=CLASSES[i % len(CLASSES)],
                     appointment="AP-1" if CLASSES[i % len(CLASSES)] == "appointment" else None)
    out.put((t0, time.perf_counter()))
    ctx.store.dispose()


def issue_rate(store: Path, key: Path, processes: int, per_process: int) -> float:
    """Issues per second across ``processes`` processes (wall time of the whole run)."""
    spawn = mp.get_context("spawn")
    out, start = spawn.Queue(), spawn.Event()
    workers = [spawn.Process(target=issue_worker, args=(str(store), str(key), f"kiosk{i}",
                                                        per_process, start, out))
               for i in range(processes)]
    for w in workers:
        w.start()
    time.sleep(2.0)  # let every process import and open its store before the clock starts
    start.set()
    spans = [out.get(timeout=600) for _ in workers]
    for w in workers:
        w.join()
    wall = max(e for _s, e in spans) - min(s for s, _e in spans)
    return processes * per_process / wall


def call_next_ms(store: Path, key: Path, waiting: int, samples: int) -> dict:
    """Median and p95 of "call next" with at least ``waiting`` tickets waiting."""
    from hallterm.services import queue
    from hallterm.services.staff import authenticate

    ctx = open_ctx_at(store, key, "counter1")
    clerk = replace(ctx.as_actor(authenticate(ctx, empno="8004", pin="246810")), counter=1)
    now_waiting = len(queue.waiting_tickets(ctx))
    for i in range(max(0, waiting + samples - now_waiting)):
        queue.issue_ticket(ctx, service="AD"[i % 2], priority=CLASSES[i % len(CLASSES)],
                           appointment="AP-1" if CLASSES[i % len(CLASSES)] == "appointment"
                           else None)
    queue.set_counter_state(clerk, counter=1, state="open")
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        ticket = queue.call_next(clerk)
        times.append((time.perf_counter() - t0) * 1000)
        assert ticket is not None
        queue.finish(clerk)
    left = len(queue.waiting_tickets(ctx))
    ctx.store.dispose()
    times.sort()
    return {"waiting_at_end": left, "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(0.95 * len(times)) - 1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=2000, help="tickets per rate run")
    parser.add_argument("--waiting", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store, key = make_store(Path(tmp))
        one = issue_rate(store, key, 1, args.issues)
        four = issue_rate(store, key, 4, args.issues // 4)
        calls = call_next_ms(store, key, args.waiting, args.samples)
    result = {"issues_per_s_1_process": round(one), "issues_per_s_4_processes": round(four),
              "call_next": calls}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
