"""The benchmarks' own machinery: the history builder makes a store the services work on,
and the raw baseline writes rows the services accept (so both sides can share a store)."""

from __future__ import annotations

import sqlite3
import time
from itertools import pairwise

import pytest

from bench import history
from bench.raw_ops import RawOps
from bench.workers import RealOps, Spec

pytestmark = pytest.mark.slow


def test_history_store_is_closed_days_then_today_open(tmp_path):
    built = history.history_store(3, day_tickets=12, day_sales=4, cache=str(tmp_path),
                                  quiet=True)
    con = sqlite3.connect(built.path)
    days = con.execute("SELECT day, state, z_number FROM business_day ORDER BY day").fetchall()
    assert [d[1] for d in days] == ["closed", "closed", "closed", "open"]
    assert [d[2] for d in days[:3]] == [1, 2, 3] and days[-1][0] == history.TODAY.isoformat()
    per_day = con.execute("SELECT business_day, count(*), sum(state = 'done') FROM ticket "
                          "GROUP BY business_day").fetchall()
    assert [(n, done) for _d, n, done in per_day] == [(12, 12)] * 3
    assert con.execute("SELECT count(DISTINCT business_day), count(*) FROM sale").fetchone() \
        == (3, 12)
    heads = con.execute("SELECT audit_first_seq, audit_head_seq FROM day_close "
                        "ORDER BY z_number").fetchall()
    assert all(b[0] == a[1] + 1 for a, b in pairwise(heads))
    con.close()
    # Cached: asked again, the same file comes back without a rebuild.
    again = history.history_store(3, day_tickets=12, day_sales=4, cache=str(tmp_path),
                                  quiet=True)
    assert again.path == built.path


def test_raw_and_real_writes_share_a_store(tmp_path):
    built = history.history_store(1, day_tickets=6, day_sales=2, cache=str(tmp_path / "c"),
                                  quiet=True).copy_to(tmp_path / "run")
    spec = Spec(str(built.path), str(built.key_file), history.TODAY.isoformat(), time.time(), 0)
    real, raw = RealOps(spec), RawOps(spec)
    try:
        for ops in (real, raw, real, raw):
            assert ops.issue() == "issue"
            assert ops.sale() == "sale"
            assert ops.call() == "call"
            assert ops.scan() == "scan"
    finally:
        real.close()
        raw.close()
    con = sqlite3.connect(built.path)
    today = history.TODAY.isoformat()
    assert con.execute("SELECT count(*) FROM sale WHERE business_day = ?", (today,)
                       ).fetchone()[0] == 4
    assert con.execute("SELECT count(*) FROM ticket WHERE business_day = ? AND state = 'done'",
                       (today,)).fetchone()[0] == 4
    con.close()
