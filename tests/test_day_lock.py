"""A closed day cannot be reopened or written into, even with ``sqlite3`` on the store file.

Each test is an attack done with raw SQL behind the app's back (issue 12): the store's
triggers refuse it, whatever connection runs it.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from hallterm.errors import Refused
from hallterm.services import queue, sales
from hallterm.services.day import closing, open_day
from hallterm.services.sales import PaymentIn
from tests.sales_fixtures import HANDSETS, item_line, stock_hall

DAY = date(2026, 11, 25)
NEXT = date(2026, 11, 26)


def _sell(ctx, cart: str, serial: str) -> str:
    held = sales.hold_serial(ctx, counter=1, code="6901443512345", serial=serial, cart_id=cart)
    lines = [held.line, item_line(ctx, "ACC-CABLE-C")]
    total = sales.cart_total(lines)
    return sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines, cart_id=cart,
                               payments=[PaymentIn("cash", total, total)]).receipt_no


@pytest.fixture
def books(hall, tmp_path):
    """A sale on 2026-11-25, that day closed, the next day open with a sale of its own."""
    stock_hall(hall)
    hall.first = _sell(hall.sales, "c1", HANDSETS[0])
    hall.clock.advance(hours=8)
    closing.close_day(hall.manager, force=True, reason="test", reports_dir=tmp_path / "r")
    hall.clock.advance(hours=16)
    open_day(hall.manager)
    hall.second = _sell(hall.sales, "c2", HANDSETS[1])
    hall.con = sqlite3.connect(hall.path)
    yield hall
    hall.con.close()


def _refused(con: sqlite3.Connection, sql: str, params=(), match="business day closed"):
    with pytest.raises(sqlite3.IntegrityError, match=match):
        con.execute(sql, params)
    con.rollback()


def _row(con, table: str, where: str, params=()) -> dict:
    cur = con.execute(f"SELECT * FROM {table} WHERE {where}", params)
    return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def _replace_sql(table: str, row: dict) -> tuple[str, tuple]:
    cols = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    return f"INSERT OR REPLACE INTO {table} ({cols}) VALUES ({marks})", tuple(row.values())


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_insert_or_replace_cannot_reopen_a_closed_day(books):
    row = _row(books.con, "business_day", "day = ?", (DAY.isoformat(),))
    row.update(state="open", closed_at=None, closed_by=None, z_number=None)
    _refused(books.con, *_replace_sql("business_day", row))
    assert books.con.execute("SELECT state FROM business_day WHERE day = ?",
                             (DAY.isoformat(),)).fetchone()[0] == "closed"
    # Nor can a day be opened before the last closed one.
    _refused(books.con, "INSERT INTO business_day (day, state, opened_at, opened_by) "
             "VALUES ('2026-11-24', 'open', '2026-11-24T02:00:00Z', 1)")
    # The clerk at the kiosk gets no ticket into the closed day.
    books.clock.advance(days=-1)
    with pytest.raises(Refused):  # the clock set back (ClockBehind), or the day closed
        queue.issue_ticket(books.ctx, service="A")


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_row_cannot_be_moved_into_a_closed_day(books):
    _refused(books.con, "UPDATE sale SET business_day = ? WHERE receipt_no = ?",
             (DAY.isoformat(), books.second))
    _refused(books.con, "UPDATE payment SET business_day = ?", (DAY.isoformat(),))


@pytest.mark.sqlite_only  # SQLite's INSERT OR REPLACE on the file
def test_insert_or_replace_cannot_overwrite_a_closed_day_sale(books):
    row = _row(books.con, "sale", "receipt_no = ?", (books.first,))
    # Keep the closed sale's id and receipt, move it to the open day, change its amount.
    row.update(business_day=NEXT.isoformat(), total_fen=1)
    _refused(books.con, *_replace_sql("sale", row))
    # Same receipt number under a new id (a UNIQUE conflict, not the key) is refused too.
    row.update(id=row["id"] + 1000)
    _refused(books.con, *_replace_sql("sale", row))
    assert _row(books.con, "sale", "receipt_no = ?", (books.first,))["business_day"] == \
        DAY.isoformat()


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_the_day_close_record_cannot_be_replaced(books):
    row = _row(books.con, "day_close", "business_day = ?", (DAY.isoformat(),))
    row.update(business_day=NEXT.isoformat(), forced=0)  # same Z number, an open day
    _refused(books.con, *_replace_sql("day_close", row))
    assert books.con.execute("SELECT count(*) FROM day_close").fetchone()[0] == 1


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_closed_day_counters_are_frozen(books):
    key = f"receipt:{DAY.isoformat()}"
    _refused(books.con, "UPDATE sequence SET value = 0 WHERE key = ?", (key,))
    _refused(books.con, "DELETE FROM sequence WHERE key = ?", (key,))
    _refused(books.con, "INSERT OR REPLACE INTO sequence (key, value) VALUES (?, 99)", (key,))
    _refused(books.con, "INSERT INTO sequence (key, value) VALUES (?, 1)",
             (f"ticket:A:{DAY.isoformat()}",))
    # The open day's counters still move (the app's own numbering).
    books.con.execute("UPDATE sequence SET value = value WHERE key = ?",
                      (f"receipt:{NEXT.isoformat()}",))


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_the_audit_log_cannot_be_replaced_or_backdated(books):
    row = _row(books.con, "audit_log", "seq = 1")
    row.update(payload="{}")
    _refused(books.con, *_replace_sql("audit_log", row), match="append-only")
    last = _row(books.con, "audit_log", "seq = (SELECT max(seq) FROM audit_log)")
    last.update(seq=last["seq"] + 1, business_day=DAY.isoformat())
    _refused(books.con, *_replace_sql("audit_log", last))


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_stock_balance_moves_only_with_its_ledger(books):
    _refused(books.con, "UPDATE stock_balance SET quantity = quantity + 5 WHERE place = 'warehouse'",
             match="stock balance differs")
    row = _row(books.con, "stock_balance", "sku = 'ACC-CASE' AND place = 'warehouse'")
    row.update(quantity=row["quantity"] + 3)
    _refused(books.con, *_replace_sql("stock_balance", row), match="stock balance differs")
    _refused(books.con, "DELETE FROM stock_balance WHERE sku = 'ACC-CASE' AND place = 'warehouse'",
             match="stock balance differs")


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_an_existing_store_gets_the_new_locks(books):
    """A store made before migration 0008 (old triggers) is locked by ``init``'s upgrade."""
    from hallterm import schema
    from hallterm.store import closed_books_sql, drop_day_lock_sql

    con = books.con
    tables = [r[0] for r in con.execute(
        "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND "
        "name = tbl_name || '_closed_day_insert'") if r[0] not in ("sequence", "audit_log")]
    for name, _sql in closed_books_sql():
        con.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in tables:  # the triggers as migrations 0002-0007 made them
        for sql in drop_day_lock_sql(table):
            con.execute(sql)
        for op, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            con.execute(f"CREATE TRIGGER {table}_closed_day_{op.lower()} BEFORE {op} ON {table} "
                        f"WHEN (SELECT state FROM business_day WHERE day = {row}.business_day) "
                        "= 'closed' BEGIN SELECT RAISE(ABORT, 'hallterm: business day closed'); "
                        "END")
    # The store as it was before 0008: every migration applied but 0008 and those after
    # it (0014sinks re-made the ledger triggers), as alembic_version's heads.
    graph = schema._revisions()
    later = {"0008"}
    while grown := {r for r, downs in graph.items() if later & set(downs)} - later:
        later |= grown
    applied = set(graph) - later
    heads = applied - {d for r in applied for d in graph[r]}
    con.execute("DELETE FROM alembic_version")
    con.executemany("INSERT INTO alembic_version VALUES (?)", [(h,) for h in sorted(heads)])
    con.commit()
    sql = "UPDATE sale SET business_day = ? WHERE receipt_no = ?"
    con.execute(sql, (DAY.isoformat(), books.second))  # the old triggers let it through
    con.rollback()
    schema.upgrade(books.ctx.store)
    books.ctx.store.dispose()
    _refused(con, sql, (DAY.isoformat(), books.second))
    assert schema.current_revision(books.ctx.store) == schema.head_revision()


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_sign_ins_after_the_close_belong_to_no_day(hall, tmp_path):
    from hallterm.errors import AuthFailed
    from tests.conftest import MANAGER_PIN

    hall.clock.advance(hours=8)
    closing.close_day(hall.manager, force=True, reason="test", reports_dir=tmp_path / "r")
    con = sqlite3.connect(hall.path)
    before = con.execute("SELECT count(*) FROM audit_log WHERE business_day = ?",
                         (DAY.isoformat(),)).fetchone()[0]
    head = con.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    hall.clock.advance(minutes=30)  # 18:30, the same date, the day closed
    hall.as_("9001", MANAGER_PIN)
    with pytest.raises(AuthFailed):
        hall.as_("9001", "000000")
    rows = con.execute("SELECT action, business_day FROM audit_log WHERE seq > ?",
                       (head,)).fetchall()
    assert rows and all(day is None for _action, day in rows), rows
    assert con.execute("SELECT count(*) FROM audit_log WHERE business_day = ?",
                       (DAY.isoformat(),)).fetchone()[0] == before
    con.close()
