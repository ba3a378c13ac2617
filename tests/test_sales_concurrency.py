"""Receipt numbers stay gapless and unique with four terminal processes selling at once."""

from __future__ import annotations

import multiprocessing

import pytest

from tests import sales_workers
from tests.conftest import T0
from tests.sales_fixtures import stock_hall


@pytest.mark.slow
def test_receipt_numbers_under_four_processes(hall):
    stock_hall(hall)
    hall.ctx.store.dispose()
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    procs = [mp.Process(target=sales_workers.sell_many,
                        args=(str(hall.path), str(hall.key_file), T0.isoformat(), 6, f"T{i}",
                              queue)) for i in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    errors = [e for _n, errs in results for e in errs]
    assert errors == []
    numbers = sorted(n for nums, _e in results for n in nums)
    assert numbers == [f"R20261125-{i:04d}" for i in range(1, 25)]
    from hallterm.services import sales

    rows = sales.list_sales(hall.as_("8004"))
    assert len(rows) == 24 and {r.total_fen for r in rows} == {3000}
