"""day lock: re-create the closed-day triggers so SQL behind the app cannot reopen a day

The first triggers checked only the old row (an UPDATE could move a row into a
closed day) and ``INSERT OR REPLACE`` slipped past them (SQLite fires no DELETE
trigger for a REPLACE unless ``recursive_triggers`` is on, and an attacker's
connection does not turn it on). This re-creates every table's day lock with the
new-row and REPLACE checks and adds the locks for ``business_day``, ``sequence``,
``audit_log`` and ``stock_balance`` (``store.closed_books_sql``), for new and
existing stores alike.

On PostgreSQL the day locks of 0002-0007 are already the final ones (no REPLACE to
guard against, see ``hallterm.migrations.triggers``): this adds the closed books.

Revision ID: 0008
Revises: 0002a, 0003, 0005, 0006, 0007
Create Date: 2026-11-30 02:50:00.000000
"""
from alembic import op

from hallterm.migrations import triggers
from hallterm.store import day_lock_sql, drop_day_lock_sql, unique_keys

revision = '0008'
# A merge of the area branches: every table that carries a day lock must exist first.
down_revision = ('0002a', '0003', '0005', '0006', '0007')
branch_labels = ('daylock',)
depends_on = None


def _locked_tables(conn) -> list[str]:
    rows = conn.exec_driver_sql(
        "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
        "AND name = tbl_name || '_closed_day_insert' ORDER BY tbl_name").all()
    return [r[0] for r in rows if r[0] not in ("business_day", "sequence", "audit_log")]


def upgrade() -> None:
    conn = op.get_bind()
    if triggers.dialect() == "sqlite":
        for table in _locked_tables(conn):
            keys = unique_keys(conn, table)
            for sql in drop_day_lock_sql(table):
                op.execute(sql)
            for sql in day_lock_sql(table, keys=keys):
                op.execute(sql)
    triggers.add_closed_books()


def downgrade() -> None:
    conn = op.get_bind()
    triggers.drop_closed_books()
    if triggers.dialect() != "sqlite":
        return
    for table in _locked_tables(conn):
        for sql in drop_day_lock_sql(table):
            op.execute(sql)
        for sql in day_lock_sql(table):
            op.execute(sql)
