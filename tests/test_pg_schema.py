"""The schema on PostgreSQL: one migration history, the same rules as triggers (plpgsql).

Runs when ``HALLTERM_TEST_PG`` names a server (a ``postgresql://`` URL of a role that
may create databases; ``.ci/run`` starts a throwaway cluster). The migrations run once
per module into a template database; each test gets a copy. The SQLite side of every
rule here is proved by tests/test_day_lock.py, tests/test_audit_chain.py and
tests/test_audit_rows.py; the batch-mode test at the end runs on SQLite always.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SERVER = os.environ.get("HALLTERM_TEST_PG") or None
ROOT = Path(__file__).parent.parent
needs_pg = pytest.mark.skipif(SERVER is None, reason="HALLTERM_TEST_PG names no server")

DAY, NEXT = "2026-11-25", "2026-11-26"
AT = "2026-11-25T09:00:00+08:00"


def _url(database: str) -> str:
    assert SERVER is not None
    return urlunsplit(urlsplit(SERVER)._replace(path="/" + database))


def _admin():
    import psycopg

    return psycopg.connect(SERVER, autocommit=True)


def _migrate(url: str) -> None:
    import psycopg
    from alembic import command
    from sqlalchemy import create_engine

    from hallterm.schema import alembic_config

    engine = create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(url))
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    engine.dispose()


@pytest.fixture(scope="module")
def template():
    name = f"ht_schema_tpl_{uuid.uuid4().hex[:8]}_{os.getpid()}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        _migrate(_url(name))
        yield name
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db(template):
    """A migrated database with a hall's first rows: staff 1, day DAY (closed) and NEXT
    (open), a sale and its counter in each day, a stock balance with its ledger."""
    import psycopg

    name = f"ht_schema_{uuid.uuid4().hex[:8]}_{os.getpid()}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = _url(name)
    conns: list = []

    def connect(**kwargs):
        conn = psycopg.connect(url, **kwargs)
        conns.append(conn)
        return conn

    con = connect(autocommit=True)
    con.execute("INSERT INTO staff (id, empno, name, roles, pin_hash, active, failed_attempts, "
                "created_at) VALUES (1, '9001', 'M', 'manager', 'x', true, 0, %s)", (AT,))
    con.execute("INSERT INTO counter (number, services, active, state) "
                "VALUES (1, 'A', true, 'closed')")
    for day in (DAY, NEXT):
        con.execute("INSERT INTO business_day (day, state, opened_at, opened_by) "
                    "VALUES (%s, 'open', %s, 1)", (day, AT))
        con.execute(_SALE, {"r": f"R-{day}", "d": day})
        con.execute("INSERT INTO sequence (key, value) VALUES (%s, 1)", (f"receipt:{day}",))
        con.execute(_AUDIT, {"s": 1 if day == DAY else 2, "d": day})
    con.execute("INSERT INTO stock_document (id, number, kind, business_day, at, actor, lines, "
                "quantity, value_fen) VALUES (1, 'D1', 'receive', %s, %s, '9001', 1, 5, 0)",
                (DAY, AT))
    con.execute("INSERT INTO stock_move (document_id, business_day, at, sku, quantity, "
                "from_place, to_place, unit_value_fen) "
                "VALUES (1, %s, %s, 'CASE', 5, 'supplier', 'warehouse', 0)", (DAY, AT))
    con.execute("INSERT INTO stock_balance (sku, place, quantity) VALUES ('CASE', 'warehouse', 5)")
    con.execute("UPDATE business_day SET state = 'closed' WHERE day = %s", (DAY,))
    con.connect = connect  # type: ignore[attr-defined]
    try:
        yield con
    finally:
        for conn in conns:
            conn.close()
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_SALE = ("INSERT INTO sale (receipt_no, business_day, at, counter, terminal, clerk, walk_up, "
         "list_total_fen, total_fen, state, reprints) "
         "VALUES (%(r)s, %(d)s, '" + AT + "', 1, 't1', '9001', true, 100, 100, 'completed', 0)")
_AUDIT = ("INSERT INTO audit_log (seq, at, business_day, terminal, action, payload, prev_hash, "
          "hash) VALUES (%(s)s, '" + AT + "', %(d)s, 't1', 'test', '{}', '', '')")


def _refused(con, sql: str, params=None, match: str = "hallterm: business day closed") -> None:
    import psycopg

    with pytest.raises(psycopg.errors.RaiseException, match=match):
        con.execute(sql, params)


@needs_pg
def test_models_and_migrations_agree_on_postgresql(template):
    import psycopg
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    import hallterm.models  # noqa: F401
    from hallterm import schema

    engine = create_engine("postgresql+psycopg://",
                           creator=lambda: psycopg.connect(_url(template)))
    with engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(mc, SQLModel.metadata)
        heads = "+".join(sorted(mc.get_current_heads()))
    engine.dispose()
    assert diff == [], f"models and migrations disagree on PostgreSQL: {diff}"
    assert heads == schema.head_revision()


@needs_pg
def test_a_closed_day_rows_cannot_change(db):
    _refused(db, _SALE, {"r": "R-late", "d": DAY})
    _refused(db, "UPDATE sale SET total_fen = 1 WHERE business_day = %s", (DAY,))
    _refused(db, "DELETE FROM sale WHERE business_day = %s", (DAY,))
    # Nor into a closed day, nor out of it; PostgreSQL's "replace" fires the UPDATE lock.
    _refused(db, "UPDATE sale SET business_day = %s WHERE business_day = %s", (DAY, NEXT))
    _refused(db, _SALE + " ON CONFLICT (receipt_no) DO UPDATE SET total_fen = 1",
             {"r": f"R-{DAY}", "d": NEXT})
    _refused(db, "TRUNCATE sale CASCADE")
    # The open day's rows still move.
    db.execute("UPDATE sale SET total_fen = total_fen WHERE business_day = %s", (NEXT,))
    db.execute(_SALE, {"r": "R-more", "d": NEXT})
    assert db.execute("SELECT count(*) FROM sale").fetchone()[0] == 3


@needs_pg
def test_every_day_table_carries_the_lock(db):
    """The tables with a business_day column (but the audit log's nullable one) are locked."""
    rows = db.execute(
        "SELECT c.table_name, count(t.tgname) FROM information_schema.columns c "
        "LEFT JOIN pg_trigger t ON t.tgrelid = c.table_name::regclass "
        "AND t.tgname LIKE c.table_name || '_closed_day_%%' "
        "WHERE c.column_name = 'business_day' AND c.table_schema = current_schema() "
        "GROUP BY c.table_name ORDER BY 1").fetchall()
    assert len(rows) >= 20
    assert {t: n for t, n in rows if t != "audit_log" and n != 4} == {}


@needs_pg
def test_a_write_into_a_day_being_closed_waits_and_fails(db):
    """The race: a sale into the day a concurrent transaction is closing. The lock reads
    the day FOR SHARE, so the sale waits for the close and then fails (a plain read
    let it commit into the closed day)."""
    import psycopg

    closer = db.connect()
    closer.execute("UPDATE business_day SET state = 'closed' WHERE day = %s", (NEXT,))
    outcome: dict[str, object] = {}

    def sell() -> None:
        seller = db.connect()
        try:
            with seller.transaction():
                seller.execute(_SALE, {"r": "R-race", "d": NEXT})
            outcome["result"] = "committed"
        except psycopg.Error as exc:
            outcome["result"] = str(exc)

    thread = threading.Thread(target=sell)
    thread.start()
    time.sleep(0.5)
    assert "result" not in outcome, "the sale did not wait for the closing transaction"
    closer.commit()
    thread.join(10)
    assert "hallterm: business day closed" in str(outcome.get("result")), outcome
    assert db.execute("SELECT count(*) FROM sale WHERE receipt_no = 'R-race'").fetchone()[0] == 0


@needs_pg
def test_a_closed_day_never_reopens(db):
    _refused(db, "UPDATE business_day SET state = 'open' WHERE day = %s", (DAY,))
    _refused(db, "DELETE FROM business_day WHERE day = %s", (DAY,))
    _refused(db, "INSERT INTO business_day (day, state, opened_at, opened_by) "
             "VALUES ('2026-11-20', 'open', %s, 1)", (AT,))
    _refused(db, "INSERT INTO business_day (day, state, opened_at, opened_by) "
             "VALUES ('2026-11-28', 'closed', %s, 1)", (AT,))
    _refused(db, "INSERT INTO business_day (day, state, opened_at, opened_by) "
             "VALUES (%s, 'open', %s, 1) ON CONFLICT (day) DO UPDATE SET state = 'open'",
             (DAY, AT))
    db.execute("INSERT INTO business_day (day, state, opened_at, opened_by) "
               "VALUES ('2026-11-27', 'open', %s, 1)", (AT,))


@needs_pg
def test_a_closed_day_counters_are_frozen(db):
    key = f"receipt:{DAY}"
    _refused(db, "UPDATE sequence SET value = 0 WHERE key = %s", (key,))
    _refused(db, "DELETE FROM sequence WHERE key = %s", (key,))
    _refused(db, "INSERT INTO sequence (key, value) VALUES (%s, 99) "
             "ON CONFLICT (key) DO UPDATE SET value = 99", (key,))
    _refused(db, "INSERT INTO sequence (key, value) VALUES (%s, 1)", (f"ticket:A:{DAY}",))
    _refused(db, "UPDATE sequence SET key = %s WHERE key = %s", (key, f"receipt:{NEXT}"))
    # The open day's counters and the undated ones still move; a key whose end only
    # looks like a date is no day.
    db.execute("UPDATE sequence SET value = value + 1 WHERE key = %s", (f"receipt:{NEXT}",))
    for other in ("audit", "x:2026-02-30", "y:2026-13-01", "z:0000-01-01"):
        db.execute("INSERT INTO sequence (key, value) VALUES (%s, 1)", (other,))


@needs_pg
def test_the_audit_log_is_append_only(db):
    for sql in ("UPDATE audit_log SET payload = '{\"x\": 1}' WHERE seq = 1",
                "DELETE FROM audit_log WHERE seq = 2", "TRUNCATE audit_log"):
        _refused(db, sql, match="hallterm: audit log is append-only")
    _refused(db, _AUDIT, {"s": 1, "d": NEXT}, match="append-only")
    _refused(db, _AUDIT + " ON CONFLICT (seq) DO UPDATE SET payload = '{}'", {"s": 2, "d": NEXT},
             match="append-only")
    _refused(db, _AUDIT, {"s": 3, "d": DAY})  # nor backdated into a closed day
    db.execute(_AUDIT, {"s": 3, "d": NEXT})
    db.execute(_AUDIT, {"s": 4, "d": None})


@needs_pg
def test_a_stock_balance_moves_only_with_its_ledger(db):
    match = "hallterm: stock balance differs from the ledger"
    _refused(db, "UPDATE stock_balance SET quantity = quantity + 5", match=match)
    _refused(db, "DELETE FROM stock_balance", match=match)
    _refused(db, "INSERT INTO stock_balance (sku, place, quantity) VALUES ('CASE', 'c1', 2)",
             match=match)
    _refused(db, "INSERT INTO stock_balance (sku, place, quantity) VALUES "
             "('CASE', 'warehouse', 9) ON CONFLICT (sku, place) DO UPDATE SET quantity = 9",
             match=match)
    # A move in the open day with its balances: accepted (sources carry no balance rule).
    with db.transaction():
        db.execute("INSERT INTO stock_document (id, number, kind, business_day, at, actor, "
                   "lines, quantity, value_fen) VALUES (2, 'D2', 'issue', %s, %s, '9001', 1, 2, 0)",
                   (NEXT, AT))
        db.execute("INSERT INTO stock_move (document_id, business_day, at, sku, quantity, "
                   "from_place, to_place, unit_value_fen) "
                   "VALUES (2, %s, %s, 'CASE', 2, 'warehouse', 'c1', 0)", (NEXT, AT))
        db.execute("UPDATE stock_balance SET quantity = 3 WHERE place = 'warehouse'")
        db.execute("INSERT INTO stock_balance (sku, place, quantity) VALUES ('CASE', 'c1', 2)")
        db.execute("INSERT INTO stock_balance (sku, place, quantity) VALUES ('CASE', 'supplier', 0)")


@needs_pg
def test_rows_are_noted_only_for_a_session_with_the_notes_table(db):
    """The seals' notes: only a session that made ``hallterm_touched`` notes rows; keys
    read as SQLite's (a value, or a JSON array for a composite key)."""
    import json

    db.execute("UPDATE sale SET total_fen = total_fen WHERE business_day = %s", (NEXT,))
    writer = db.connect(autocommit=True)
    writer.execute("CREATE TEMP TABLE hallterm_touched (tbl text NOT NULL, k text NOT NULL)")
    writer.execute("UPDATE sale SET total_fen = total_fen WHERE business_day = %s", (NEXT,))
    writer.execute("UPDATE counter SET state = 'open'")
    writer.execute("INSERT INTO service (code, prefix, name_zh, name_en, active) "
                   "VALUES ('B', 'B', 'b', 'b', true)")
    writer.execute("DELETE FROM service WHERE code = 'B'")
    with writer.transaction():
        writer.execute("INSERT INTO stock_document (id, number, kind, business_day, at, actor, "
                       "lines, quantity, value_fen) VALUES (2, 'D2', 'x', %s, %s, '9001', 1, 1, 0)",
                       (NEXT, AT))
        writer.execute("INSERT INTO stock_move (document_id, business_day, at, sku, quantity, "
                       "from_place, to_place, unit_value_fen) "
                       "VALUES (2, %s, %s, 'CASE', 1, 'warehouse', 'c1', 0)", (NEXT, AT))
        writer.execute("UPDATE stock_balance SET quantity = 4")
    sale_id = db.execute("SELECT id FROM sale WHERE business_day = %s", (NEXT,)).fetchone()[0]
    notes = writer.execute("SELECT tbl, k FROM hallterm_touched").fetchall()
    assert ("sale", str(sale_id)) in notes
    assert ("counter", "1") in notes
    assert notes.count(("service", "B")) == 2  # inserted, then deleted
    balance = [json.loads(k) for t, k in notes if t == "stock_balance"]
    assert balance == [["CASE", "warehouse"]]
    assert {t for t, _k in notes} == {"sale", "counter", "service", "stock_document",
                                      "stock_move", "stock_balance"}
    # The other session noted nothing (its table does not exist for it).
    assert db.execute("SELECT to_regclass('pg_temp.hallterm_touched')").fetchone()[0] is None


@needs_pg
def test_every_covered_table_notes_its_rows(db):
    from hallterm.migrations.triggers import ROW_NOTES_PREFIX
    from hallterm.services.audit.rows import TABLES

    have = {r[0] for r in db.execute(
        "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s",
        (ROW_NOTES_PREFIX + "%",)).fetchall()}
    assert have == set(TABLES)


def test_a_batch_rebuild_keeps_the_tables_triggers(tmp_path):
    """SQLite re-creates a table for most batch operations, without its triggers:
    ``keeping_triggers`` makes them again (a day lock survives a column drop)."""
    import sqlalchemy as sa
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    from hallterm.migrations import triggers

    path = tmp_path / "s.db"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE business_day (day TEXT PRIMARY KEY, state TEXT);"
        "CREATE TABLE thing (id INTEGER PRIMARY KEY, business_day TEXT, v INT, w INT);"
        "INSERT INTO business_day VALUES ('2026-11-25', 'closed');")
    con.close()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        triggers.add_day_lock("thing")
        batch = Operations(MigrationContext.configure(conn)).batch_alter_table
        with triggers.keeping_triggers("thing"), batch("thing", recreate="always") as table:
            table.drop_column("w")
    engine.dispose()
    con = sqlite3.connect(path)
    assert [r[0] for r in con.execute("SELECT name FROM pragma_table_info('thing')")] == [
        "id", "business_day", "v"]
    with pytest.raises(sqlite3.IntegrityError, match="business day closed"):
        con.execute("INSERT INTO thing (business_day, v) VALUES ('2026-11-25', 1)")
    con.close()


@needs_pg
def test_two_inits_at_once_both_end_at_the_newest_schema():
    """Two counters migrating one new database at the same moment: the second waits for
    the first (an advisory lock) instead of failing on tables the first made."""
    import psycopg

    from hallterm import schema

    name = f"ht_schema_two_{uuid.uuid4().hex[:8]}_{os.getpid()}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    # Processes, as on two counters (Alembic's ``op``/``context`` are per process).
    code = "import sys; from tests.test_pg_schema import _migrate; _migrate(sys.argv[1])"
    try:
        runs = [subprocess.Popen([sys.executable, "-c", code, _url(name)], cwd=ROOT,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for run in runs:
            _out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err[-2000:]
        with psycopg.connect(_url(name)) as con:
            heads = sorted(r[0] for r in con.execute("SELECT version_num FROM alembic_version"))
        assert "+".join(heads) == schema.head_revision()
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
