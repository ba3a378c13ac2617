"""The write path: gapless numbers across processes, atomic writes, idempotency, day locks."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from hallterm.context import run_write
from hallterm.errors import BadInput, DayNotOpen, Refused
from hallterm.services import audit
from tests import workers


def _run_processes(hall, n_procs: int, per_proc: int, key: str):
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    procs = [
        mp.Process(target=workers.allocate_many,
                   args=(str(hall.path), str(hall.key_file), key, per_proc, f"T{i}", queue))
        for i in range(n_procs)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    numbers = [n for nums, _errs in results for n in nums]
    errors = [e for _nums, errs in results for e in errs]
    return numbers, errors


@pytest.mark.slow
def test_four_processes_allocate_without_gaps_duplicates_or_errors(hall):
    hall.ctx.store.dispose()
    numbers, errors = _run_processes(hall, 4, 250, "test:2026-11-25")
    assert errors == []
    assert len(numbers) == 1000
    assert sorted(numbers) == list(range(1, 1001))  # no gap, no duplicate
    result = audit.verify(hall.ctx)
    assert result.ok and result.rows >= 1000


def test_rollback_leaves_no_gap_and_no_audit_row(hall):
    ctx = hall.manager
    rows_before = audit.verify(ctx).rows

    def failing(uow):
        uow.next_number("doc:x")
        uow.audit("test.fail")
        raise BadInput("no")

    with pytest.raises(BadInput):
        run_write(ctx, "test.fail", failing)

    def ok(uow):
        n = uow.next_number("doc:x")
        uow.audit("test.ok", entity_id=n)
        return n

    assert run_write(ctx, "test.ok", ok) == 1
    assert audit.verify(ctx).rows == rows_before + 1


def test_a_write_without_an_audit_row_is_refused(hall):
    with pytest.raises(RuntimeError, match="no audit row"):
        run_write(hall.manager, "test.silent", lambda uow: uow.next_number("silent"))


def test_same_command_id_does_not_write_twice(hall):
    from hallterm.services.staff import add_staff, list_staff

    first = add_staff(hall.manager, empno="8100", name="Twice", roles=["sales"], pin="111111",
                      command_id="form-42")
    again = add_staff(hall.manager, empno="8100", name="Twice", roles=["sales"], pin="111111",
                      command_id="form-42")
    assert again == first
    assert [s.empno for s in list_staff(hall.ctx)].count("8100") == 1
    with pytest.raises(BadInput, match="another action"):
        from hallterm.services.staff import set_pin

        set_pin(hall.manager, empno="8100", pin="222222", command_id="form-42")


def test_write_into_a_day_not_open_is_refused(tmp_path):
    from tests.conftest import make_hall

    h = make_hall(tmp_path, open_day=False)

    def work(uow):
        uow.open_day()
        uow.audit("test.x")

    with pytest.raises(DayNotOpen, match="not open"):
        run_write(h.manager, "test.x", work)


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_closed_day_is_locked_by_the_store(hall):
    """Even raw SQL cannot reopen, delete or add to a closed day."""
    con = sqlite3.connect(hall.path)
    con.execute("UPDATE business_day SET state = 'closed' WHERE day = '2026-11-25'")
    con.commit()
    for sql in ("UPDATE business_day SET state = 'open' WHERE day = '2026-11-25'",
                "DELETE FROM business_day WHERE day = '2026-11-25'"):
        with pytest.raises(sqlite3.IntegrityError, match="business day closed"):
            con.execute(sql)
    con.close()

    def work(uow):
        uow.open_day()
        uow.audit("test.x")

    with pytest.raises(DayNotOpen, match="closed"):
        run_write(hall.manager, "test.x", work)
    from hallterm.services.day import open_day

    with pytest.raises(Refused, match="cannot be opened again"):
        open_day(hall.manager)


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_day_lock_triggers_guard_business_tables(hall):
    """The trigger recipe every area's migration applies to its business tables."""
    from hallterm.store import day_lock_sql

    con = sqlite3.connect(hall.path)
    con.execute("CREATE TABLE thing (id INTEGER PRIMARY KEY, business_day TEXT, v INT)")
    for sql in day_lock_sql("thing"):
        con.execute(sql)
    con.execute("INSERT INTO thing (business_day, v) VALUES ('2026-11-25', 1)")
    con.execute("UPDATE business_day SET state = 'closed' WHERE day = '2026-11-25'")
    con.commit()
    for sql in ("INSERT INTO thing (business_day, v) VALUES ('2026-11-25', 2)",
                "UPDATE thing SET v = 3", "DELETE FROM thing"):
        with pytest.raises(sqlite3.IntegrityError, match="business day closed"):
            con.execute(sql)
    con.close()


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_store_settings_wal_fk_synchronous(hall):
    from hallterm.store import execute

    def settings(uow):
        uow.audit("test.settings")
        return [execute(uow.session, f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")]

    # WAL, foreign keys, FULL sync; a writer never sleeps in SQLite's busy handler
    assert run_write(hall.manager, "test.settings", settings) == ["wal", 1, 2, 0]


def test_reads_do_not_block_writes(hall):
    """A long read transaction is open while another connection writes and commits."""
    from hallterm.store import execute

    with hall.ctx.store.read() as session:
        before = execute(session, "SELECT count(*) FROM audit_log").scalar()

        def work(uow):
            uow.audit("test.during_read")

        run_write(hall.manager, "test.during_read", work)
        # the reader still sees its snapshot
        assert execute(session, "SELECT count(*) FROM audit_log").scalar() == before
    assert audit.verify(hall.ctx).rows == before + 1


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_busy_store_retries_then_reports_unavailable(hall):
    """A lock held past the deadline becomes StoreUnavailable, not 'database is locked'."""
    from hallterm.errors import StoreUnavailable

    hall.manager.store.busy_deadline_s = 0.3
    blocker = sqlite3.connect(hall.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        def work(uow):
            uow.audit("test.blocked")

        with pytest.raises(StoreUnavailable, match="busy"):
            run_write(hall.manager, "test.blocked", work)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    run_write(hall.manager, "test.blocked", work)  # and works once the lock is gone


@pytest.mark.sqlite_only  # sqlite3's error class (PostgreSQL: tests/test_pg_driver.py)
def test_a_sql_bug_is_not_disguised_as_a_busy_store(hall):
    """A wrong query must surface as a bug (logged, exit 1), never as exit 75 'busy'."""
    from hallterm.errors import StoreUnavailable
    from hallterm.store import execute

    with pytest.raises(sqlite3.OperationalError) as info, hall.ctx.store.read() as session:
        execute(session, "SELECT no_such_column FROM audit_log")
    assert not isinstance(info.value, StoreUnavailable)


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_a_write_reads_its_clock_only_once_it_holds_the_write_lock(hall):
    """A write that waited for the lock must not carry the time from before the wait:
    under load that time fell behind the rows written meanwhile (ClockBehind, exit 3)."""
    import dataclasses
    import sqlite3

    probe = sqlite3.connect(hall.path, timeout=0, isolation_level=None)
    seen = []

    class ProbeClock:
        tz = hall.clock.tz

        def now(self):
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                seen.append("lock free")
            except sqlite3.OperationalError:
                seen.append("lock held")
            return hall.clock.now()

    ctx = dataclasses.replace(hall.manager, clock=ProbeClock())
    run_write(ctx, "test.clock", lambda uow: uow.audit("test.clock"))
    probe.close()
    assert seen and set(seen) == {"lock held"}


@pytest.mark.sqlite_only  # SQLite's writers' gate beside the file
def test_a_writer_waits_at_the_gate_then_reports_busy_and_writes_once_it_opens(hall):
    """HallTerm's writers queue on a file lock beside the store (they sleep in the
    kernel instead of spinning on SQLite's lock); one held past the deadline is a busy
    store (exit 75), never a hang, and the write goes through once it is let go."""
    import fcntl

    from hallterm.errors import StoreUnavailable

    gate_file = hall.path.with_name(hall.path.name + ".writers")
    hall.manager.store.busy_deadline_s = 0.3
    holder = open(gate_file, "a+")  # noqa: SIM115 - closed below
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(StoreUnavailable, match="busy"):
            run_write(hall.manager, "test.gated", lambda uow: uow.audit("test.gated"))
    finally:
        fcntl.flock(holder, fcntl.LOCK_UN)
        holder.close()
    before = audit.verify(hall.ctx).rows
    run_write(hall.manager, "test.gated", lambda uow: uow.audit("test.gated"))
    run_write(hall.manager, "test.gated", lambda uow: uow.audit("test.gated"))
    assert audit.verify(hall.ctx).rows == before + 2
