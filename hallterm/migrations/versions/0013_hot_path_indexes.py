"""hot paths: indexes that bound every hot statement by the business day or a key

A counter's tickets, calls, sales, cash movements and counts are read by ``counter``
and ``business_day`` together; the single-column ``counter`` indexes made SQLite
walk the counter's whole history (46 ms a query at 365 days, inside the write
lock). Each becomes ``(counter, business_day, ...)``, which still serves a lookup
by counter alone. Handovers and stocktakes in progress are found by their state
(a few rows, whatever the history). A person's audit rows are read since a time
(today's wrong approval PINs), not over all their history.

Revision ID: 0013hot
Revises: 0002a, 0003, 0006, 0007, 0011p
Create Date: 2026-11-30 08:00:00
"""
from alembic import op


revision = '0013hot'
# A merge of the branches whose tables it indexes (not after the day lock's 0008: a plain
# index needs no trigger, and 0008 stays re-runnable on a store from before it).
down_revision = ('0002a', '0003', '0006', '0007', '0011p')
branch_labels = ('hot',)
depends_on = None

# (table, old index, old columns, new index, new columns)
_SWAPS = (
    ('ticket', 'ix_ticket_counter', ['counter'],
     'ix_ticket_counter_day', ['counter', 'business_day', 'state']),
    ('ticket_event', 'ix_ticket_event_counter', ['counter', 'kind', 'id'],
     'ix_ticket_event_counter_day', ['counter', 'business_day', 'kind', 'id']),
    ('sale', 'ix_sale_counter', ['counter'], 'ix_sale_counter_day', ['counter', 'business_day']),
    ('cash_movement', 'ix_cash_movement_counter', ['counter'],
     'ix_cash_movement_counter_day', ['counter', 'business_day']),
    ('cash_count', 'ix_cash_count_counter', ['counter'],
     'ix_cash_count_counter_day', ['counter', 'business_day']),
    ('handover', 'ix_handover_counter', ['counter'], 'ix_handover_state', ['state', 'counter']),
    ('audit_log', 'ix_audit_log_entity', ['entity', 'entity_id', 'seq'],
     'ix_audit_log_entity_at', ['entity', 'entity_id', 'at']),
)
_NEW = (
    ('stocktake', 'ix_stocktake_state', ['state', 'place']),
)


def upgrade() -> None:
    # Plain CREATE/DROP INDEX: no table rebuild, so the day-lock triggers stay.
    for table, old, _old_cols, new, cols in _SWAPS:
        op.create_index(new, table, cols, unique=False)
        op.drop_index(old, table_name=table)
    for table, name, cols in _NEW:
        op.create_index(name, table, cols, unique=False)


def downgrade() -> None:
    for table, name, _cols in _NEW:
        op.drop_index(name, table_name=table)
    for table, old, old_cols, new, _cols in _SWAPS:
        op.create_index(old, table, old_cols, unique=False)
        op.drop_index(new, table_name=table)
