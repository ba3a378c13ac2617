"""The lean write path keeps what the audit log promises: one row per sale that says all of
it, every business row sealed, tampering named, the clock and the closed day still refused."""

from __future__ import annotations

import json
import sqlite3

import pytest

from hallterm.context import run_write
from hallterm.errors import DayNotOpen
from hallterm.services import audit, sales
from hallterm.services.sales import PaymentIn, reversals
from hallterm.store import execute
from tests.sales_fixtures import HANDSETS, approver, item_line, stock_hall


@pytest.fixture
def shop(hall):
    return stock_hall(hall)


def rows_after(ctx, seq):
    with ctx.store.read() as session:
        return execute(session, "SELECT seq, action, approver, payload FROM audit_log "
                       "WHERE seq > :s ORDER BY seq", {"s": seq}).all()


def head_seq(ctx):
    return audit.head(ctx)[0]


def _lines(ctx):
    held = sales.hold_serial(ctx, counter=1, code="6901443512345", serial=HANDSETS[0],
                             cart_id="c1")
    return [held.line, item_line(ctx, "ACC-CABLE-C", quantity=2), item_line(ctx, "ACC-CASE")]


def _sale(ctx, lines=None):
    lines = lines or _lines(ctx)
    total = sales.cart_total(lines)
    return sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines, cart_id="c1",
                               payments=[PaymentIn("cash", total, total)])


def test_a_sale_is_one_audit_row_that_names_its_stock_document_and_seals_its_rows(shop):
    ctx = shop.sales
    lines = _lines(ctx)
    before = head_seq(ctx)
    done = _sale(ctx, lines)
    written = rows_after(ctx, before)
    assert [r.action for r in written] == ["sale.complete"]  # was sale + stock.sale
    payload = json.loads(written[0].payload)
    stock = payload["stock"]
    assert stock["document"] == done.stock_document == payload["stock_document"]
    assert (stock["from"], stock["to"], stock["kind"]) == ("counter:1", "sold", "sale")
    assert stock["lines"] == 3 and stock["quantity"] == 4 and stock["serials"] == [HANDSETS[0]]
    sealed = payload["_rows"]
    for table in ("sale", "sale_line", "payment", "stock_document", "stock_move",
                  "stock_balance", "stock_serial"):
        assert sealed.get(table), table
    assert "ACC-CABLE-C|counter:1" in sealed["stock_balance"]
    assert audit.verify(shop.manager).ok


def test_a_void_is_one_audit_row_with_its_stock_document(shop):
    ctx = shop.sales
    done = _sale(ctx)
    before = head_seq(ctx)
    boss = approver(ctx)
    v = reversals.void_sale(ctx, receipt_no=done.receipt_no, reason="changed mind",
                            approver=boss)
    written = [r for r in rows_after(ctx, before) if not r.action.startswith("auth.")]
    assert [r.action for r in written] == ["sale.void"]
    payload = json.loads(written[0].payload)
    assert payload["stock"]["document"] == v.stock_document
    assert (payload["stock"]["from"], payload["stock"]["to"]) == ("sold", "counter:1")
    assert audit.verify(shop.manager).ok


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_sold_balance_changed_behind_the_log_is_named(shop):
    _sale(shop.sales)
    con = sqlite3.connect(shop.path)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f'DROP TRIGGER "{name}"')
    con.execute("UPDATE stock_balance SET quantity = quantity + 5 WHERE sku = 'ACC-CABLE-C' "
                "AND place = 'counter:1'")
    con.commit()
    con.close()
    result = audit.verify(shop.manager)
    assert not result.ok
    assert "stock_balance ACC-CABLE-C|counter:1" in result.reason


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_every_write_on_one_connection_is_sealed(shop):
    """The rows' triggers are installed once per connection: later writes are sealed too."""
    ctx = shop.sales
    for _ in range(3):
        _one_item_sale(ctx)
    con = sqlite3.connect(shop.path)
    con.execute("DROP TRIGGER IF EXISTS sale_closed_day_update")
    con.execute("UPDATE sale SET total_fen = 1 WHERE id = (SELECT max(id) FROM sale)")
    con.commit()
    con.close()
    result = audit.verify(shop.manager)
    assert not result.ok and "was changed without the log" in result.reason


def _one_item_sale(ctx):
    line = item_line(ctx, "ACC-CASE")
    return sales.complete_sale(ctx, counter=1, visit_id=None, lines=[line],
                               payments=[PaymentIn("cash", line.total_fen)])


def test_a_day_remembered_open_is_read_again_once_the_write_closes_it(hall):
    """The business day's state is read once per write, and again after the write changes it."""
    seen = []

    def work(uow):
        day = uow.open_day()
        seen.append(uow.day_state(day))
        uow.sql("UPDATE business_day SET state = 'closed' WHERE day = :d",
                {"d": day.isoformat()})
        seen.append(uow.day_state(day))
        uow.open_day()  # refuses: the write itself closed it

    with pytest.raises(DayNotOpen, match="closed"):
        run_write(hall.manager, "test.close", work)
    assert seen == ["open", "closed"]


def test_a_refused_first_write_on_a_connection_leaves_the_next_one_sealed(shop):
    """The rows' triggers are remembered on a connection only once a write commits: a
    refused first write takes them back, and the next write sets them up again."""
    from hallterm.errors import BadInput

    ctx = shop.sales
    ctx.store.dispose()  # a fresh connection: its first write is refused
    with pytest.raises(BadInput, match="15 digits"):
        sales.hold_serial(ctx, counter=1, code="6901443512345", serial="1234", cart_id="c")
    before = head_seq(ctx)
    _one_item_sale(ctx)
    payload = json.loads(rows_after(ctx, before)[-1].payload)
    assert payload["_rows"]["sale"]
    assert audit.verify(shop.manager).ok
