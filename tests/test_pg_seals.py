"""The audit seals on PostgreSQL: the schema's triggers note what the app writes; rows
changed by any other session, or written while those triggers were dropped, are named
by ``audit verify`` as on SQLite (tests/test_audit_rows.py, whose attacks edit a
SQLite file). Runs when the suite runs on PostgreSQL (``HALLTERM_TEST_PG``)."""

from __future__ import annotations

import pytest

from hallterm.services import audit, staff
from tests.conftest import MANAGER_PIN


@pytest.fixture
def pg(hall):
    if hall.ctx.store.dialect != "postgresql":
        pytest.skip("the PostgreSQL side (HALLTERM_TEST_PG); SQLite: tests/test_audit_rows.py")
    import psycopg

    con = psycopg.connect(str(hall.path), autocommit=True)  # someone with psql
    yield con
    con.close()


def _add(hall, empno: str) -> None:
    staff.add_staff(hall.manager, empno=empno, name=f"Clerk {empno}", roles=["sales"],
                    pin=MANAGER_PIN)


def test_the_app_writes_verify_intact_on_postgresql(hall, pg):
    _add(hall, "1101")
    staff.set_active(hall.manager, empno="1101", active=False)
    result = audit.verify(hall.ctx)
    assert result.ok, result.reason
    sealed = pg.execute("SELECT count(*) FROM audit_log WHERE payload LIKE '%%\"_rows\"%%' "
                        "AND payload LIKE '%%1101%%'").fetchone()[0]
    assert sealed >= 2


def test_a_row_changed_by_another_session_is_named(hall, pg):
    _add(hall, "1102")
    staff_id = pg.execute("SELECT id FROM staff WHERE empno = '1102'").fetchone()[0]
    pg.execute("UPDATE staff SET roles = 'manager' WHERE empno = '1102'")
    result = audit.verify(hall.ctx)
    assert not result.ok
    assert f"staff {staff_id} (1102) was changed without the log" in (result.reason or "")


def test_a_row_added_by_another_session_is_named(hall, pg):
    pg.execute("INSERT INTO staff (empno, name, roles, pin_hash, active, failed_attempts, "
               "created_at) VALUES ('6666', 'Ghost', 'manager', 'x', true, 0, "
               "'2026-11-25T01:00:00+00:00')")
    ghost = pg.execute("SELECT id FROM staff WHERE empno = '6666'").fetchone()[0]
    result = audit.verify(hall.ctx)
    assert not result.ok
    assert f"staff {ghost} (6666) was written without the log" in (result.reason or "")


def test_dropping_the_notes_triggers_leaves_the_app_rows_unsealed(hall, pg):
    """On SQLite the notes are TEMP triggers no one else can drop; on PostgreSQL they
    are in the schema: dropped, the app's next writes go unsealed, and verify says so."""
    pg.execute("DROP TRIGGER hallterm_rows_staff ON staff")
    _add(hall, "1103")
    new = pg.execute("SELECT id FROM staff WHERE empno = '1103'").fetchone()[0]
    result = audit.verify(hall.ctx)
    assert not result.ok
    assert f"staff {new} (1103) was written without the log" in (result.reason or "")


def test_a_refused_write_does_not_lose_the_notes(hall, pg):
    """The notes table lives as long as the write connection: a write that fails and
    rolls back does not take it with it, so the next write is still sealed."""
    from hallterm.errors import BadInput

    with pytest.raises(BadInput):
        _add(hall, "9001")  # exists: refused inside the write
    _add(hall, "1104")
    assert audit.verify(hall.ctx).ok
