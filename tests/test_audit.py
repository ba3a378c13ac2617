"""The audit chain: every write leaves a row; tampering is named by verify."""

from __future__ import annotations

import sqlite3

import pytest

from hallterm.services import audit


def test_every_write_is_audited_with_actor_and_terminal(hall):
    rows = audit.recent(hall.ctx, limit=10)
    actions = [r.action for r in reversed(rows)]
    assert actions[:3] == ["hall.load", "staff.add", "auth.signin"]
    opened = rows[0]
    assert (opened.action, opened.actor, opened.terminal) == ("day.open", "9001", "T-test")
    assert str(opened.business_day) == "2026-11-25"


def test_approver_is_recorded(hall):
    from hallterm.context import run_write
    from hallterm.services.staff import approve

    clerk = hall.add("8004", "sales")
    hall.add("8002", "duty_manager")
    approver = approve(clerk, action="test.approve", empno="8002", pin="246810")
    run_write(clerk, "test.approved", lambda uow: uow.audit("test.approved", approver=approver))
    row = audit.recent(hall.ctx, limit=1)[0]
    assert (row.actor, row.approver) == ("8004", "8002")


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_update_and_delete_refused_by_triggers(hall):
    con = sqlite3.connect(hall.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM audit_log WHERE seq = 1")
    con.close()


@pytest.mark.parametrize(
    ("sql", "reason"),
    [("UPDATE audit_log SET payload = '{\"x\":1}' WHERE seq = 2", "altered"),
     ("DELETE FROM audit_log WHERE seq = 2", "missing"),
     ("UPDATE audit_log SET prev_hash = hash WHERE seq = 3", "chain")],
)
@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3; PostgreSQL: tests/test_pg_seals.py)
def test_tampering_behind_the_triggers_is_named(hall, sql, reason):
    assert audit.verify(hall.ctx).ok
    con = sqlite3.connect(hall.path)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute(sql)
    con.commit()
    con.close()
    result = audit.verify(hall.ctx)
    assert not result.ok
    assert result.broken_seq in (2, 3)
    assert reason in result.reason


def test_head_of_a_day(hall):
    seq, digest = audit.head(hall.ctx)
    assert audit.verify(hall.ctx).head_hash == digest
    day_seq, day_hash = audit.head(hall.ctx, business_day=hall.clock.now().date())
    assert (day_seq, day_hash) == (seq, digest)


def test_reveal_is_logged(hall):
    audit.log_view(hall.manager, what="id_number", entity="customer", entity_id=7)
    row = audit.recent(hall.ctx, limit=1)[0]
    assert (row.action, row.payload) == ("data.reveal", {"field": "id_number"})


def test_an_action_filter_is_a_prefix_not_a_pattern(hall):
    """`audit list --action _` (or `/` then `_` on the Audit screen) finds no action:
    none starts with "_"; SQL's LIKE wildcards are not the reader's."""
    assert audit.recent(hall.ctx, limit=50, action_prefix="_") == []
    assert audit.recent(hall.ctx, limit=50, action_prefix="%") == []
    some = audit.recent(hall.ctx, limit=50, action_prefix="auth.")
    assert some and all(r.action.startswith("auth.") for r in some)
