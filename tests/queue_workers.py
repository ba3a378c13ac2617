"""Worker processes for the queue's multi-process test and benchmark (cheap to import)."""

from __future__ import annotations

import time
import traceback
from dataclasses import replace
from datetime import datetime
from pathlib import Path


def _ctx(store_path: str, key_file: str, terminal: str, at: str | None):
    from hallterm import security
    from hallterm.bootstrap import open_ctx
    from hallterm.clock import FixedClock
    from hallterm.settings import load_settings

    security.use_fast_hashing()
    settings, _ = load_settings(None, store=store_path, key_file=Path(key_file),
                                terminal=terminal)
    clock = FixedClock(datetime.fromisoformat(at)) if at else None
    return open_ctx(settings, clock=clock)


def issue_many(store_path: str, key_file: str, terminal: str, at: str | None, count: int,
               services: list[str], out) -> None:
    """Issue ``count`` tickets as the kiosk; report (numbers, errors)."""
    from hallterm.services.queue import issue_ticket

    numbers, errors = [], []
    try:
        ctx = _ctx(store_path, key_file, terminal, at)
        for i in range(count):
            try:
                numbers.append(issue_ticket(ctx, service=services[i % len(services)]).number)
            except Exception as exc:  # counted: the test asserts there are none
                errors.append(f"{type(exc).__name__}: {exc}")
        ctx.store.dispose()
    except Exception:
        errors.append(traceback.format_exc())
    out.put(("issue", numbers, errors))


def call_until_done(store_path: str, key_file: str, terminal: str, at: str | None,
                    empno: str, pin: str, counter: int, done, out) -> None:
    """Call and finish tickets at ``counter`` until ``done`` is set and nobody waits."""
    from hallterm.services.queue import call_next, finish
    from hallterm.services.staff import authenticate

    called, errors = [], []
    try:
        base = _ctx(store_path, key_file, terminal, at)
        ctx = replace(base.as_actor(authenticate(base, empno=empno, pin=pin)), counter=counter)
        while True:
            finished = done.is_set()
            try:
                ticket = call_next(ctx)
                if ticket is None:
                    if finished:
                        break
                    time.sleep(0.002)  # nobody waits yet: poll gently
                    continue
                called.append(ticket.number)
                finish(ctx)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                if len(errors) > 20:
                    break
        ctx.store.dispose()
    except Exception:
        errors.append(traceback.format_exc())
    out.put(("call", called, errors))
