"""handover: shift handovers (交接班), their stock count lines and what passed on

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-25 11:05:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import hallterm.models.types
from hallterm.migrations import triggers

# Rows that belong to a business day: unchangeable once that day is closed.
DAY_TABLES = ("handover", "handover_line", "handover_pending")


revision = '0007'
down_revision = '0001'
branch_labels = ('handover',)
depends_on = None


def upgrade() -> None:
    op.create_table('handover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('outgoing', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('incoming', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('witness', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('counter_state_before', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_at', hallterm.models.types.AwareDateTime(length=32), nullable=False),
    sa.Column('counted_at', hallterm.models.types.AwareDateTime(length=32), nullable=True),
    sa.Column('reviewed_at', hallterm.models.types.AwareDateTime(length=32), nullable=True),
    sa.Column('finished_at', hallterm.models.types.AwareDateTime(length=32), nullable=True),
    sa.Column('counted_fen', sa.Integer(), nullable=True),
    sa.Column('denominations', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('expected_fen', sa.Integer(), nullable=True),
    sa.Column('difference_fen', sa.Integer(), nullable=True),
    sa.Column('stock_difference_fen', sa.Integer(), nullable=True),
    sa.Column('cash_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('stock_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('cash_count_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_business_day'), ['business_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_counter'), ['counter'], unique=False)

    op.create_table('handover_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('serial', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('expected_quantity', sa.Integer(), nullable=False),
    sa.Column('counted_quantity', sa.Integer(), nullable=False),
    sa.Column('difference', sa.Integer(), nullable=False),
    sa.Column('unit_value_fen', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handover_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_line_business_day'), ['business_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_line_handover_id'), ['handover_id'], unique=False)

    op.create_table('handover_pending',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handover_pending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_pending_business_day'), ['business_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_pending_handover_id'), ['handover_id'], unique=False)

    for table in DAY_TABLES:
        triggers.add_day_lock(table)
    # PostgreSQL: the rows each write touches are noted for its audit seal.
    triggers.add_row_notes('handover', 'handover_line')


def downgrade() -> None:
    triggers.drop_row_notes('handover', 'handover_line')
    for table in DAY_TABLES:
        triggers.drop_day_lock(table)
    with op.batch_alter_table('handover_pending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_pending_handover_id'))
        batch_op.drop_index(batch_op.f('ix_handover_pending_business_day'))

    op.drop_table('handover_pending')
    with op.batch_alter_table('handover_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_line_handover_id'))
        batch_op.drop_index(batch_op.f('ix_handover_line_business_day'))

    op.drop_table('handover_line')
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_counter'))
        batch_op.drop_index(batch_op.f('ix_handover_business_day'))

    op.drop_table('handover')
