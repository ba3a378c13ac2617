"""The PostgreSQL driver (hallterm/store/postgres.py): SQL text, values, retries, errors.

The tests that need a server run when ``HALLTERM_TEST_PG`` names one (docs/development.md);
the rest run everywhere.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.store.postgres import translate
from tests import pgtest

needs_pg = pytest.mark.skipif(pgtest.SERVER is None, reason="HALLTERM_TEST_PG names no server")
runner = CliRunner()


def test_named_parameters_become_psycopgs_and_nothing_else_changes():
    sql = ("SELECT x::text, :a FROM t WHERE y LIKE 'a%' AND z = ':no' AND \"we:ird\" = :b_2 "
           "-- :c 100%")
    assert translate(sql) == (
        "SELECT x::text, %(a)s FROM t WHERE y LIKE 'a%%' AND z = ':no' AND \"we:ird\" = "
        "%(b_2)s -- :c 100%%")
    assert translate("UPDATE s SET n = n + 1 WHERE k = :k AND d >= :k") == (
        "UPDATE s SET n = n + 1 WHERE k = %(k)s AND d >= %(k)s")
    assert translate("SELECT 10 % 3") == "SELECT 10 %% 3"


def test_a_bad_setting_in_the_url_is_a_bad_setting_not_an_outage(tmp_path):
    """libpq refuses sslmode=bogus before connecting: exit 2 (fix the setting), not 75
    (cron would retry a configuration mistake for ever)."""
    r = runner.invoke(app, ["day", "status", "--store",
                            "postgresql://clerk@/hall?host=/nonexistent&sslmode=bogus"],
                      env={"HALLTERM_KEY_FILE": str(tmp_path / "k")})
    assert r.exit_code == 2, r.output
    assert r.output.strip().startswith("Not a PostgreSQL URL") and "sslmode" in r.output


@pytest.mark.parametrize("url", ["postgresql://clerk@/hall?host=/nonexistent/socket/dir",
                                 "postgresql://clerk@127.0.0.1:1/hall?connect_timeout=3"])
def test_an_unreachable_server_is_one_line_and_exit_75(url, tmp_path):
    r = runner.invoke(app, ["day", "status", "--store", url],
                      env={"HALLTERM_KEY_FILE": str(tmp_path / "k")})
    assert r.exit_code == 75, r.output
    out = r.output.strip()
    assert "\n" not in out and "Traceback" not in out
    assert out.startswith("Cannot reach the PostgreSQL server of postgresql://clerk@")


@needs_pg
def test_a_database_that_does_not_exist_is_a_bad_setting(tmp_path):
    url = pgtest.url_for("ht_no_such_database")
    r = runner.invoke(app, ["day", "status", "--store", url],
                      env={"HALLTERM_KEY_FILE": str(tmp_path / "k")})
    assert r.exit_code == 2, r.output
    assert "No database for the store" in r.output and r.output.strip().count("\n") == 0


@needs_pg
def test_dates_and_flags_read_as_sqlite_gives_them():
    from hallterm.store import Store, execute

    store = Store(pgtest.create())
    try:
        with store.read() as conn:
            row = execute(conn, "SELECT DATE '2026-11-25' AS d, TRUE AS t, FALSE AS f, "
                          "CAST(NULL AS DATE) AS n, 7 AS i").one()
        assert tuple(row) == ("2026-11-25", 1, 0, None, 7)
        assert row.d == "2026-11-25" and row._mapping["t"] == 1
    finally:
        store.dispose()


@needs_pg
@pytest.mark.parametrize("code", ["serialization_failure", "deadlock_detected"])
def test_a_serialization_failure_or_deadlock_runs_the_work_again(code):
    from hallterm.store import Store, execute

    store = Store(pgtest.create())
    runs = []

    def work(conn):
        runs.append(1)
        execute(conn, "CREATE TABLE IF NOT EXISTS t (n integer)")
        execute(conn, "INSERT INTO t VALUES (:n)", {"n": len(runs)})
        if len(runs) < 3:  # the server gives up on this attempt: rolled back, run again
            execute(conn, f"DO $$BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '{code}'; END$$")
        return len(runs)

    try:
        assert store.transact(work) == 3
        with store.read() as conn:
            assert [r.n for r in execute(conn, "SELECT n FROM t").all()] == [3]
    finally:
        store.dispose()


@needs_pg
def test_writes_take_one_advisory_lock_each():
    """A write waits for another's transaction: the audit chain has one writer at a time."""
    import threading

    from hallterm.store import Store, execute

    url = pgtest.create()
    first, second = Store(url), Store(url)
    inside, release, order = threading.Event(), threading.Event(), []

    def slow(conn):
        inside.set()
        release.wait(10)
        order.append("first")

    t = threading.Thread(target=first.transact, args=(slow,))
    t.start()
    assert inside.wait(10)
    t2 = threading.Thread(target=second.transact,
                          args=(lambda conn: order.append("second"),))
    t2.start()
    t2.join(0.3)
    assert order == []  # the second write waits for the lock
    release.set()
    t.join(10)
    t2.join(10)
    assert order == ["first", "second"]
    with second.read() as conn:
        assert execute(conn, "SELECT count(*) FROM pg_locks l JOIN pg_database d ON "
                       "d.oid = l.database WHERE l.locktype = 'advisory' AND "
                       "d.datname = current_database()").scalar() == 0
    first.dispose()
    second.dispose()


@needs_pg
def test_a_terminal_carries_on_after_the_server_dropped_its_connections():
    """A counter's pooled connections die with a server restart; the next read and
    write make fresh ones instead of failing until the app is restarted."""
    from hallterm.store import Store, execute

    url = pgtest.create()
    store = Store(url)
    try:
        store.transact(lambda conn: execute(conn, "CREATE TABLE t (n integer)"))
        with store.read() as conn:
            execute(conn, "SELECT 1").all()
        admin = Store(url)
        admin.transact(lambda conn: execute(
            conn, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()").all())
        admin.dispose()
        store.transact(lambda conn: execute(conn, "INSERT INTO t VALUES (1)"))
        with store.read() as conn:
            assert execute(conn, "SELECT n FROM t").scalar() == 1
    finally:
        store.dispose()
