"""Four processes issue 250 tickets each while two counters call: no gap, no duplicate."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter

import pytest

from tests import queue_workers

AT = "2026-11-25T10:00:00+08:00"


@pytest.mark.slow
def test_four_issuers_two_callers(hall):
    from dataclasses import replace

    from hallterm.services import queue

    for empno, counter in (("8004", 1), ("8005", 2)):
        clerk = replace(hall.add(empno, "sales"), counter=counter)
        queue.set_counter_state(clerk, counter=counter, state="open")
    hall.ctx.store.dispose()
    spawn = mp.get_context("spawn")
    out = spawn.Queue()
    done = spawn.Event()
    issuers = [spawn.Process(target=queue_workers.issue_many,
                             args=(str(hall.path), str(hall.key_file), f"T-kiosk{i}", AT, 250,
                                   ["A"], out)) for i in range(4)]
    callers = [spawn.Process(target=queue_workers.call_until_done,
                             args=(str(hall.path), str(hall.key_file), f"T-c{n}", AT, empno,
                                   "246810", n, done, out))
               for empno, n in (("8004", 1), ("8005", 2))]
    for p in callers + issuers:
        p.start()
    results = [out.get(timeout=240) for _ in issuers]
    done.set()
    results += [out.get(timeout=240) for _ in callers]
    for p in issuers + callers:
        p.join(timeout=60)
        assert p.exitcode == 0
    issued = [n for kind, numbers, _e in results if kind == "issue" for n in numbers]
    called = [n for kind, numbers, _e in results if kind == "call" for n in numbers]
    errors = [e for _k, _n, errs in results for e in errs]
    assert errors == []
    assert len(issued) == 1000 and set(issued) == {f"A{i:03d}" for i in range(1, 1001)}
    assert len(called) == len(set(called)) == 1000  # every ticket called exactly once
    from hallterm.store import execute

    with hall.ctx.store.read() as con:  # either engine
        calls = Counter(r[0] for r in execute(
            con, "SELECT ticket_id FROM ticket_event WHERE kind = 'call'").all())
        assert max(calls.values()) == 1 and len(calls) == 1000
        served_where = execute(con, "SELECT DISTINCT counter FROM ticket").all()
        assert {r[0] for r in served_where} <= {1, 2}
        assert execute(con, "SELECT count(*) FROM ticket WHERE state != 'done'").scalar() == 0
    hall.ctx.store.dispose()
