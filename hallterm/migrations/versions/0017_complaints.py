"""complaints: complaints (投诉), their event log, their status and compensations

Revision ID: 0017complaints
Revises: 0001
Create Date: 2026-11-30 10:30:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import hallterm.models.types
from hallterm.migrations import triggers

# Rows that belong to a business day: unchangeable once that day is closed.
DAY_TABLES = ("complaint", "complaint_event", "complaint_compensation")
SEALED = ("complaint", "complaint_event", "complaint_status", "complaint_compensation")

revision = '0017complaints'
down_revision = '0001'
branch_labels = ('complaints',)
depends_on = None

_text = sqlmodel.sql.sqltypes.AutoString
_at = hallterm.models.types.AwareDateTime


def upgrade() -> None:
    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', _text(length=24), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('at', _at(length=32), nullable=False),
    sa.Column('taken_by', _text(length=16), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('channel', _text(length=8), nullable=False),
    sa.Column('category', _text(length=24), nullable=False),
    sa.Column('text', _text(length=500), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('phone_sealed', _text(length=200), nullable=True),
    sa.Column('phone_key', _text(length=96), nullable=True),
    sa.Column('phone_masked', _text(length=16), nullable=True),
    sa.Column('id_key', _text(length=96), nullable=True),
    sa.Column('receipt', _text(length=32), nullable=True),
    sa.Column('order_no', _text(length=32), nullable=True),
    sa.Column('ticket', _text(length=16), nullable=True),
    sa.Column('repeat_of', _text(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_business_day'), ['business_day'], unique=False)
        batch_op.create_index('ix_complaint_phone_key', ['phone_key', 'at'], unique=False)
        batch_op.create_index('ix_complaint_id_key', ['id_key', 'at'], unique=False)

    op.create_table('complaint_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('at', _at(length=32), nullable=False),
    sa.Column('kind', _text(length=12), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=True),
    sa.Column('actor', _text(length=16), nullable=False),
    sa.Column('to_empno', _text(length=16), nullable=True),
    sa.Column('note', _text(length=500), nullable=True),
    sa.Column('reference', _text(length=64), nullable=True),
    sa.Column('result', _text(length=16), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaint_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_event_business_day'), ['business_day'], unique=False)
        batch_op.create_index('ix_complaint_event_complaint', ['complaint_id', 'id'], unique=False)

    op.create_table('complaint_status',
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('state', _text(length=12), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('owner', _text(length=16), nullable=False),
    sa.Column('offered_to', _text(length=16), nullable=True),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.PrimaryKeyConstraint('complaint_id')
    )
    with op.batch_alter_table('complaint_status', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_status_state_owner', ['state', 'owner'], unique=False)

    op.create_table('complaint_compensation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('at', _at(length=32), nullable=False),
    sa.Column('kind', _text(length=8), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('description', _text(length=200), nullable=False),
    sa.Column('actor', _text(length=16), nullable=False),
    sa.Column('approver', _text(length=16), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=True),
    sa.Column('cash_movement_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaint_compensation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_compensation_business_day'), ['business_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_compensation_complaint_id'), ['complaint_id'], unique=False)

    for table in DAY_TABLES:
        triggers.add_day_lock(table)
    # PostgreSQL: the rows each write touches are noted for its audit seal.
    triggers.add_row_notes(*SEALED)


def downgrade() -> None:
    triggers.drop_row_notes(*SEALED)
    for table in DAY_TABLES:
        triggers.drop_day_lock(table)
    for table in ('complaint_compensation', 'complaint_status', 'complaint_event', 'complaint'):
        op.drop_table(table)
