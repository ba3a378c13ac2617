"""History never slows a terminal: every hot statement is bounded by the day or a key.

A store with four weeks of closed days behind today (``tests/history.py``); each
hot service call runs with its SQL captured, and each statement's
``EXPLAIN QUERY PLAN`` must read no history table unbounded (``tests/plans.py``
says what counts). Also: what a day closed with ``--force`` leaves at a counter.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from hallterm.errors import HallTermError, Refused
from hallterm.services import cash, figures, queue, sales, stock
from hallterm.services.day import day_status
from hallterm.services.sales import PaymentIn
from hallterm.services.staff import approval_alerts
from tests import history, plans
from tests.sales_fixtures import HANDSETS, item_line

# SQLite's plans (EXPLAIN QUERY PLAN, the trace callback, the trigger text); the same
# statements and indexes serve PostgreSQL.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def past(tmp_path):
    built = history.build(tmp_path, weeks=4)
    yield built
    built.hall.ctx.store.dispose()


def _hot_calls(past):
    """(name, call) for every hot path, in an order that works the counter."""
    h, clerk, guide = past.hall, past.sales, past.guide
    lines = [item_line(clerk, "ACC-CASE")]
    total = sales.cart_total(lines)

    def sell():
        visit = queue.current_visit(clerk, counter=1)
        return sales.complete_sale(clerk, counter=1, visit_id=visit, lines=lines,
                                   payments=[PaymentIn("cash", total, total)])

    def home():
        day_status(h.manager)
        figures.headline(h.manager)
        approval_alerts(h.manager)

    for _ in range(4):
        queue.issue_ticket(guide, service="A")
    return [
        ("issue", lambda: queue.issue_ticket(guide, service="A")),
        ("issue (kiosk)", lambda: queue.issue_ticket(h.ctx, service="A", priority="care")),
        ("issue (other service)", lambda: queue.issue_ticket(guide, service="B")),
        ("queue status", lambda: queue.queue_status(guide)),
        ("display board", lambda: queue.board(h.ctx)),
        ("reception line", lambda: queue.waiting_tickets(guide, service="A", limit=12)),
        ("poll", lambda: queue.changes(h.ctx)),
        ("counter view", lambda: queue.counter_view(clerk, counter=1)),
        ("call next", lambda: queue.call_next(clerk, counter=1)),
        ("recall", lambda: queue.recall(clerk, counter=1)),
        ("start", lambda: queue.start_serving(clerk, counter=1)),
        ("scan", lambda: sales.scan(clerk, counter=1, code="ACC-CASE")),
        ("hold serial", lambda: sales.hold_serial(clerk, counter=1, code="HS-HW-M60",
                                                  serial=HANDSETS[1], cart_id="c-hot")),
        ("release holds", lambda: sales.release_holds(clerk, cart_id="c-hot")),
        ("sale", sell),
        ("park", lambda: queue.park(clerk, counter=1, reason="fetching ID")),
        ("call next (one parked)", lambda: queue.call_next(clerk, counter=1)),
        ("finish", lambda: queue.finish(clerk, counter=1)),
        ("resume", lambda: queue.resume(clerk, counter=1)),
        ("transfer (current)", lambda: queue.transfer(clerk, service="B", counter=1)),
        ("call next again", lambda: queue.call_next(clerk, counter=1)),
        ("recall twice", lambda: (queue.recall(clerk, counter=1),
                                  queue.recall(clerk, counter=1))),
        ("no-show", lambda: queue.no_show(clerk, counter=1)),
        ("transfer (guide)", lambda: queue.transfer(
            guide, number=queue.waiting_tickets(guide, service="A", limit=1)[0].number,
            service="B", reason="wrong line")),
        ("cash move", lambda: cash.move_cash(clerk, counter=1, kind="out", reason="bank_drop",
                                             amount_fen=100)),
        ("drawer", lambda: cash.expected_cash(clerk, counter=1)),
        ("custody", lambda: stock.custody(clerk, counter=1)),
        ("home figures", home),
    ]


def test_every_hot_statement_is_bounded_by_the_day_or_a_key(past):
    judge = plans.Judge(past.hall.path)
    found, ran = [], 0
    try:
        for name, call in _hot_calls(past):
            past.hall.ctx.store.dispose()  # the trace is set on connections opened inside
            with plans.capture() as seen:
                try:
                    call()
                except HallTermError as exc:  # reported with the plans, not instead of them
                    found.append(f"{name}: refused: {exc}")
            ran += len(plans.statements(seen))
            found += [f"{name}: {sql}\n    " + "\n    ".join(bad)
                      for sql, bad in plans.report(judge, seen)]
    finally:
        judge.close()
    assert ran > 300  # the calls really ran their SQL through the capture
    assert not found, "\n".join(found)


def test_the_judge_flags_a_read_of_a_counters_whole_history(past):
    """Today's ``_held()`` before the fix: a counter's tickets in any day."""
    judge = plans.Judge(past.hall.path)
    try:
        assert judge.unbounded("SELECT id FROM ticket WHERE counter = 1 AND state IN "
                               "('called', 'serving') ORDER BY id")
        assert judge.unbounded("SELECT count(*) FROM sale_line WHERE sku = 'ACC-CASE'")
        assert judge.unbounded("SELECT id FROM ticket ORDER BY id")
        assert not judge.unbounded("SELECT id FROM ticket WHERE counter = 1 AND business_day = "
                                   "'2026-11-25' AND state IN ('called', 'serving')")
        assert not judge.unbounded("SELECT at FROM audit_log ORDER BY seq DESC LIMIT 1")
    finally:
        judge.close()


def test_a_forced_close_leaves_its_held_tickets_in_their_day(past):
    """The template day was closed with counter 1 serving one ticket and holding a parked
    one: today the counter holds nothing, calls, and closes; yesterday's tickets stay
    as the closed day recorded them."""
    clerk, h = past.sales, past.hall
    view = queue.counter_view(clerk, counter=1)
    assert view.current is None and view.parked == []
    status = queue.queue_status(h.ctx)
    mine = next(c for c in status.counters if c.number == 1)
    assert mine.current_ticket is None and mine.parked == ()
    with pytest.raises(Refused, match="no current ticket"):
        queue.finish(clerk, counter=1)
    with pytest.raises(Refused, match="no parked ticket"):
        queue.resume(clerk, counter=1)
    slip = queue.issue_ticket(past.guide, service="A")
    called = queue.call_next(clerk, counter=1)
    assert called is not None and called.number == slip.number
    queue.finish(clerk, counter=1)
    queue.set_counter_state(replace(clerk, counter=1), counter=1, state="closed")
    import sqlite3

    con = sqlite3.connect(h.path)
    left = con.execute("SELECT state, count(*) FROM ticket WHERE counter = 1 AND business_day "
                       "< ? AND state IN ('called', 'serving', 'parked') GROUP BY state",
                       (h.clock.now().date().isoformat(),)).fetchall()
    con.close()
    assert dict(left) == {"serving": past.days, "parked": past.days}


def test_the_stock_ledger_check_reads_an_index_range_not_every_move(past):
    """Each sale line changes two balances; the trigger that checks each against the
    ledger sums the item's moves at the place from a covering index (no row reads)."""
    import re
    import sqlite3

    con = sqlite3.connect(past.hall.path)
    try:
        body = con.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = "
                           "'stock_balance_ledger_update'").fetchone()[0]
        when = re.search(r"WHEN (.*) BEGIN", body, re.IGNORECASE | re.DOTALL).group(1)
        cond = (when.replace("NEW.sku", "'ACC-CASE'").replace("NEW.place", "'counter:1'")
                .replace("NEW.quantity", "1"))
        plan = [r[3] for r in con.execute(f"EXPLAIN QUERY PLAN SELECT 1 WHERE {cond}")]
    finally:
        con.close()
    reads = [line for line in plan if "stock_move" in line]
    assert len(reads) == 2 and all("COVERING INDEX ix_stock_move_sku_" in line
                                   for line in reads), plan
