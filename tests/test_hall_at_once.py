"""Eight terminal processes issue tickets and sell at once: nothing lost, nothing doubled.

Run on both engines (``HALLTERM_TEST_PG``: docs/development.md): on PostgreSQL the
counter rows are updated under READ COMMITTED and the writes serialised by an advisory
lock; on SQLite by ``BEGIN IMMEDIATE``. Either way a clerk never sees the contention.
"""

from __future__ import annotations

import multiprocessing

import pytest

from tests import sales_workers
from tests.conftest import T0
from tests.sales_fixtures import stock_hall

PROCESSES = 8
EACH = 250  # each: 250 tickets issued and 250 cash sales completed


@pytest.mark.slow
def test_eight_processes_issue_and_sell_without_gaps_duplicates_or_errors(hall):
    from hallterm.services import audit

    stock_hall(hall)
    before = audit.verify(hall.manager)
    hall.ctx.store.dispose()
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    procs = [mp.Process(target=sales_workers.issue_and_sell,
                        args=(str(hall.path), str(hall.key_file), T0.isoformat(), EACH,
                              f"T{i}", queue)) for i in range(PROCESSES)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    errors = [e for _t, _r, errs in results for e in errs]
    assert errors == []  # not one busy store, deadlock or retry shown to anyone
    tickets = sorted((n for nums, _r, _e in results for n in nums),
                     key=lambda n: (n[0], int(n[1:])))  # A999 before A1000
    receipts = sorted(n for _t, nums, _e in results for n in nums)
    per_service = PROCESSES * EACH // 2  # services A and B by turns
    assert tickets == [f"{s}{i:03d}" for s in "AB" for i in range(1, per_service + 1)]
    assert receipts == [f"R20261125-{i:04d}" for i in range(1, PROCESSES * EACH + 1)]
    from hallterm.store import execute

    with hall.ctx.store.read() as conn:
        sold = execute(conn, "SELECT count(*), sum(total_fen) FROM sale").one()
    assert tuple(sold) == (PROCESSES * EACH, PROCESSES * EACH * 3000)
    after = audit.verify(hall.manager)
    assert after.ok and after.rows >= before.rows + 2 * PROCESSES * EACH
